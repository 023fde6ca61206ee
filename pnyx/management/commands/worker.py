"""Run the background worker: it delivers the outbox's mail (and any other task) outside every request.

``pnyx serve`` starts one itself; run this alone when the web and the worker live in separate services
(``pnyx serve --no-worker``). With ``PNYX_TASKS=database`` (the default) it is django-tasks-db's
``db_worker``; with ``PNYX_TASKS=redis``, django-rq's ``rqworker`` with its scheduler, which wakes the
retries due later. Either way it queues again any mail whose task was lost (a worker killed mid-send,
a queue that could not take it), and the notice task if a change's mails were never written, when it
starts and every few minutes.

RQ's worker runs each task in the worker process itself (``SimpleWorker``), as ``db_worker`` does.
RQ's default forks a process per task, and each of those opened its own database connection: on
PostgreSQL that was a new server process too. A comment and its moderator's mail cost 150 ms of CPU that
way, 40 ms without, on the two cores the site serves from. A task stuck on the mail server is still
stopped at ``EMAIL_TIMEOUT``, and a task RQ times out is stopped by its alarm. The database connection
is checked before and after each task, as around a request, so one a database restart broke is
replaced, not kept failing.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django_tasks.signals import task_finished, task_started

from pnyx.discussion.notifications import notices_requeue_stale
from pnyx.outbox.conf import conf
from pnyx.outbox.services import email_requeue_stale

logger = logging.getLogger(__name__)


def _sweep_forever(every: float) -> None:
    while True:
        time.sleep(every)
        try:
            _sweep()
        except Exception:
            logger.exception("could not look for lost mail; trying again later")
        finally:
            connection.close()  # this thread's own connection: never held between sweeps


def _sweep() -> None:
    email_requeue_stale()
    notices_requeue_stale()


def _fresh_database(**kwargs) -> None:
    """A connection that is broken or past ``CONN_MAX_AGE`` is closed; the next query opens a new one."""
    close_old_connections()


class Command(BaseCommand):
    help = "Run the background worker that sends mail (pnyx serve starts one itself unless --no-worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks for new tasks (database; default 1)"
        )
        parser.add_argument("--burst", action="store_true", help="run what is due, then exit")

    def handle(self, *args, interval: float, burst: bool, **options) -> None:
        _sweep()
        if not burst:
            threading.Thread(target=_sweep_forever, args=(conf.STALE_AFTER / 3,), daemon=True).start()
        if settings.PNYX_TASKS == "redis":
            from django_tasks_rq import RQBackend

            task_started.connect(_fresh_database, sender=RQBackend)
            task_finished.connect(_fresh_database, sender=RQBackend)
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                worker_class="rq.worker.SimpleWorker",
                with_scheduler=True,
                burst=burst,
                verbosity=options["verbosity"],
            )
        else:
            call_command(
                "db_worker",
                queue_name="*",
                interval=interval,
                batch=burst,
                reload=False,
                startup_delay=False,
                verbosity=options["verbosity"],
            )
