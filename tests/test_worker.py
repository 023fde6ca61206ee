"""``pnyx worker`` on RQ: tasks run in the worker's own process, on a database connection checked as a request's."""

import os
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import task

pytestmark = pytest.mark.django_db(transaction=True)

ran: list[tuple[int, int]] = []
"""(process id, the database connection's server-side id) of each ``record`` that ran in this process."""


@task()
def record(age_out: bool = False) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1")
        server_id = cursor.fetchone()[0] if connection.vendor == "postgresql" else id(connection.connection)
    ran.append((os.getpid(), server_id))
    if age_out:  # as if CONN_MAX_AGE had passed during the task
        connection.close_at = time.monotonic() - 1


def test_the_redis_worker_runs_tasks_in_its_own_process_not_a_fork_per_task(rq_tasks):
    ran.clear()
    record.enqueue()
    record.enqueue()
    call_command("worker", "--burst", verbosity=0)
    assert [pid for pid, _connection in ran] == [os.getpid(), os.getpid()]


def test_the_redis_worker_replaces_a_connection_past_its_age_between_tasks(rq_tasks):
    ran.clear()
    record.enqueue(age_out=True)
    record.enqueue()
    call_command("worker", "--burst", verbosity=0)
    (_pid, first), (_pid, second) = ran
    assert first != second
