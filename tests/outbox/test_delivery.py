"""The outbox delivers through a real SMTP server (aiosmtpd) and keeps the log staff read."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pnyx.outbox.models import Email
from pnyx.outbox.services import email_queue, email_requeue_stale, enqueue, sent_here
from tests.conftest import start_smtp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {"name": "Robin", "title": "Bicycles", "url": "http://localhost:8000/comments/confirm/x/"}


def _queue(to="robin@example.org", reason="confirmation") -> Email:
    return email_queue(to=to, reason=reason, template="discussion/mail/confirm", context=CONTEXT)


def test_a_mail_is_a_row_first_and_leaves_only_from_the_worker_after_commit(smtp_server, mail_worker):
    with transaction.atomic():
        email = _queue()
        assert email.status == "queued"
    assert smtp_server.received == []  # written, not sent: no mail inside the request that wrote it
    mail_worker.run()
    [message] = smtp_server.received
    assert message["To"] == "robin@example.org" and "Bicycles" in message["Subject"]
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1 and email.sent_at is not None


def test_mails_a_task_writes_are_sent_by_it_and_queued_if_it_then_fails(smtp_server, mail_worker):
    with sent_here():
        _queue(to="first@example.org")
        assert smtp_server.received == []  # once the block is over
    assert [m["To"] for m in smtp_server.received] == ["first@example.org"]
    with pytest.raises(RuntimeError), sent_here():
        _queue(to="second@example.org")
        raise RuntimeError("the task broke after writing it")
    assert len(smtp_server.received) == 1
    mail_worker.run()  # the queue has it
    assert [m["To"] for m in smtp_server.received] == ["first@example.org", "second@example.org"]
    with transaction.atomic(), sent_here():  # committed only after the block: the queue has it too
        _queue(to="third@example.org")
    assert len(smtp_server.received) == 2
    mail_worker.run()
    assert smtp_server.received[-1]["To"] == "third@example.org"


def test_mails_a_task_writes_go_in_one_connection_and_a_refusal_only_starts_a_new_one(smtp_server):
    """A greeting and a goodbye for every mail cost the worker more than the mail's own commands."""
    smtp_server.refuse.add("nobody@example.org")
    with sent_here():
        for to in ("first@example.org", "second@example.org", "nobody@example.org", "third@example.org"):
            _queue(to=to)
    assert [m["To"] for m in smtp_server.received] == ["first@example.org", "second@example.org", "third@example.org"]
    first, second, third = smtp_server.peers
    assert first == second != third
    assert Email.objects.get(to="nobody@example.org").status == "failed"


def test_a_rolled_back_transaction_mails_nobody(smtp_server, mail_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the comment was not saved")
    mail_worker.run()
    assert smtp_server.received == [] and not Email.objects.exists()


def test_a_recipient_the_server_refuses_fails_at_once_with_the_servers_answer(smtp_server, mail_worker):
    smtp_server.refuse.add("nobody@example.org")
    email = _queue(to="nobody@example.org")
    mail_worker.run()
    email.refresh_from_db()
    assert email.status == "failed" and email.attempts == 1
    assert email.answer.startswith("550") and "No such user" in email.answer


def test_a_mail_that_keeps_failing_is_kept_and_staff_can_send_it_again(smtp_port, mail_worker, client, settings):
    settings.PNYX_EMAIL_RETRY_DELAYS = (0, 0)
    email = _queue()
    mail_worker.run()  # nothing listens: three attempts, then failed
    email.refresh_from_db()
    assert email.status == "failed" and email.attempts == 3 and "Connection refused" in email.answer

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    log = client.get(reverse("admin:outbox_email_changelist"))
    assert log.status_code == 200 and "Connection refused" in log.content.decode()
    controller, inbox = start_smtp(smtp_port)
    try:
        client.post(reverse("admin:outbox_email_changelist"), {"action": "send_again", "_selected_action": [email.pk]})
        mail_worker.run()
        assert [m["To"] for m in inbox.received] == ["robin@example.org"]
    finally:
        controller.stop()
    email.refresh_from_db()
    assert email.status == "sent"


def test_one_address_gets_at_most_the_hourly_limit_whatever_the_reasons(smtp_server, settings):
    settings.PNYX_EMAIL_HOURLY_LIMIT = 2
    reasons = ["confirmation", "reply", "held", "new-comment"]
    emails = [_queue(to="Robin@Example.org", reason=reason) for reason in reasons]
    assert [e.status for e in emails] == ["queued", "queued", "skipped", "skipped"]
    assert "in the last hour" in emails[2].answer
    assert len(smtp_server.messages) == 2
    assert _queue(to="someone-else@example.org").status == "queued"


def test_two_tasks_for_one_mail_send_it_once(smtp_server, mail_worker):
    email = _queue()
    enqueue(email.pk)
    enqueue(email.pk)
    mail_worker.run()
    assert len(smtp_server.received) == 1


def test_a_mail_whose_task_was_lost_goes_out_after_the_next_worker_start(smtp_server, mail_worker):
    email = _queue()
    mail_worker.run()
    Email.objects.filter(pk=email.pk).update(status="sending")  # a worker killed while sending it
    Email.objects.filter(pk=email.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    smtp_server.received.clear()
    assert email_requeue_stale() == 1
    mail_worker.run()
    assert len(smtp_server.received) == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2
