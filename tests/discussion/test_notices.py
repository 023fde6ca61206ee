"""The notice task: the mails a change owes are written by one task for many changes, and never lost or
doubled on the way. Each runs on the database task backend and, when REDIS_URL is set, on RQ."""

import re
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pnyx.discussion import notifications, tasks
from pnyx.discussion.models import Comment, CommentEvent
from pnyx.discussion.tasks import notify_changes
from pnyx.outbox.conf import conf as outbox_conf
from pnyx.outbox.models import Email
from tests.factories import ModeratorFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def post():
    ModeratorFactory(username="mod", email="mod@example.com")
    return PostFactory(title="Bicycles")


def _held(post, text: str) -> None:
    data = {"comment": text, "author": "Robin", "email": "robin@example.org", "url": ""}
    response = Browser().post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    assert response.status_code == 302
    assert Comment.objects.filter(body=text, status=Comment.Status.PENDING).exists()


def _queued(backend: str) -> int:
    """How many notice tasks wait in the queue, not yet started."""
    if backend == "redis":
        import django_rq

        return sum(job.func_name == notify_changes.module_path for job in django_rq.get_queue("default").jobs)
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=notify_changes.module_path, status="READY").count()


def _scheduled(backend: str) -> int:
    """How many notice tasks wait for their time to come."""
    if backend == "redis":
        import django_rq

        return len(django_rq.get_queue("default").scheduled_job_registry.get_job_ids())
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=notify_changes.module_path, run_after__gt=timezone.now()).count()


def _lose_queued_tasks(backend: str) -> None:
    if backend == "redis":
        import django_rq

        django_rq.get_queue("default").empty()
    else:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()


def _mailed(inbox) -> list[str]:
    """The comments the mails that arrived link to, each once a mail."""
    texts = [m.get_body(("plain",)).get_content() for m in inbox.received]
    return sorted(pk for text in texts for pk in dict.fromkeys(re.findall(r"#comment-(\d+)", text)))


def _ids() -> list[str]:
    return sorted(str(pk) for pk in Comment.objects.values_list("pk", flat=True))


def test_a_burst_of_held_comments_queues_one_task_that_mails_the_moderator_of_each(task_backend, post, smtp_server):
    for n in range(3):
        _held(post, f"Held comment {n}")
    assert _queued(task_backend) == 1  # the second and third found the first still waiting
    assert CommentEvent.objects.exclude(notice="").count() == 3
    smtp_server.worker.run()
    assert len(smtp_server.received) == 1  # one mail listing the three
    assert _mailed(smtp_server) == _ids()
    assert not CommentEvent.objects.exclude(notice="").exists()


def test_the_notice_task_waits_its_delay_and_tells_the_comments_of_that_time_together(
    task_backend, post, smtp_server, settings
):
    settings.PNYX_NOTICE_DELAY = 2  # RQ keeps a task's time in whole seconds: it may come due a second early
    for n in range(3):
        _held(post, f"Held in the same second {n}")
    assert _scheduled(task_backend) == 1  # one task, waiting for its time: the others found it still waiting
    smtp_server.worker.run()
    assert smtp_server.received == []  # not yet due
    time.sleep(2.2)
    smtp_server.worker.run()
    assert len(smtp_server.received) == 1  # one mail listing the three
    assert _mailed(smtp_server) == _ids()


def _after_claim(monkeypatch, meanwhile) -> None:
    """Run ``meanwhile`` in the notice task once it has claimed its first batch, before it writes the mails."""
    claim = notifications._claim

    def claiming(batch):
        monkeypatch.setattr(notifications, "_claim", claim)
        claimed = claim(batch)
        meanwhile()
        return claimed

    monkeypatch.setattr(notifications, "_claim", claiming)


def test_a_change_made_after_the_task_claimed_the_marks_queues_another_and_is_mailed_too(
    task_backend, post, smtp_server, monkeypatch
):
    """The task this process queued has started and claimed the marks: the new mark needs a task of its own."""
    _held(post, "The first")
    _after_claim(monkeypatch, lambda: _held(post, "Written after the task claimed the marks"))
    smtp_server.worker.run()
    assert Comment.objects.count() == 2
    assert len(smtp_server.received) == 2
    assert _mailed(smtp_server) == _ids()


def test_a_change_whose_task_was_lost_is_mailed_when_the_worker_looks_for_lost_work(task_backend, post, smtp_server):
    _held(post, "Its task is lost")
    _lose_queued_tasks(task_backend)
    call_command("worker", "--burst", verbosity=0)
    assert smtp_server.received == []  # a task may merely be slow: only a mark older than STALE_AFTER is lost
    CommentEvent.objects.update(at=timezone.now() - timedelta(seconds=outbox_conf.STALE_AFTER + 1))
    call_command("worker", "--burst", verbosity=0)
    assert _mailed(smtp_server) == _ids()


def test_a_second_task_leaves_alone_the_changes_a_first_has_claimed(task_backend, post, smtp_server, monkeypatch):
    """Two workers each run a notice task: the second runs whole while the first writes the mails of the
    marks it claimed, and finds nothing to do; each comment is in one mail."""
    _held(post, "The first")
    _held(post, "The second")

    def second_task():
        assert notifications.notices_write() == 0

    _after_claim(monkeypatch, second_task)
    smtp_server.worker.run()
    assert len(smtp_server.received) == 1  # one mail listing both
    assert _mailed(smtp_server) == _ids()


@pytest.mark.skipif(not connection.features.has_select_for_update_skip_locked, reason="PostgreSQL: SQLite waits")
def test_a_claim_in_progress_is_skipped_not_waited_for(post):
    """While one task's claim has not committed, another claims the changes after it, at once."""
    _held(post, "Claimed by the first task")
    claimed, release = threading.Event(), threading.Event()

    def first_task():
        try:
            with transaction.atomic():
                assert len(notifications._claim(100)) == 1
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    first = threading.Thread(target=first_task)
    first.start()
    try:
        assert claimed.wait(10)
        _held(post, "Left for the second task")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting for the first task's lock would fail
            owed = notifications._claim(100)
        assert [kind for _comment, kind in owed] == ["held"]
        assert Comment.objects.get(pk=owed[0][0]).body == "Left for the second task"
    finally:
        release.set()
        first.join()


def test_when_the_queue_cannot_take_the_task_the_request_writes_the_mails(post, smtp_server, monkeypatch):
    def queue_down(*args, **kwargs):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(notifications, "_rung", None)
    monkeypatch.setattr(tasks, "notify_changes", SimpleNamespace(enqueue=queue_down))
    _held(post, "Queued nowhere")
    assert not CommentEvent.objects.exclude(notice="").exists()
    monkeypatch.undo()
    smtp_server.worker.run()  # the mail itself is queued as any other, by the outbox
    assert _mailed(smtp_server) == _ids()


def test_when_redis_cannot_say_whether_the_task_still_waits_the_request_writes_the_mails(
    rq_tasks, post, smtp_server, monkeypatch
):
    from django.core.cache import caches
    from redis.exceptions import ConnectionError as RedisConnectionError

    _held(post, "Queued with its task")
    client = caches["default"].get_master_client()

    def status_unknown(*args, **kwargs):
        raise RedisConnectionError("Redis went away")

    monkeypatch.setattr(client, "hget", status_unknown)
    _held(post, "Asked about a task nobody could see")
    assert not CommentEvent.objects.exclude(notice="").exists()  # both told in the second request
    monkeypatch.undo()
    smtp_server.worker.run()  # the mail, queued by the outbox; the first task finds nothing left to tell
    assert _mailed(smtp_server) == _ids()


def test_a_task_asks_who_moderates_once_for_all_the_held_comments_it_mails(post, smtp_server):
    for n in range(3):
        _held(post, f"Held comment {n}")
    with CaptureQueriesContext(connection) as ran:
        assert notifications.notices_write() == 3
    assert sum("discussion_moderationsettings" in query["sql"] for query in ran) == 1
    assert Email.objects.filter(to="mod@example.com").count() == 1
