"""A mail server that is down, or that accepts and never answers: pages stay fast, no mail is lost or doubled.

Each runs on the database task backend and, when REDIS_URL is set, on RQ.
"""

import re
import socket
import threading
import time

import pytest
from django.test import Client as Browser
from django.urls import reverse

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from pnyx.outbox.models import Email
from tests.conftest import start_smtp
from tests.factories import ModeratorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def post():
    ModeratorFactory(username="mod", email="mod@example.com")
    return PostFactory(title="Bicycles", author=UserFactory(username="writer", email="writer@example.com"))


def _comment(post, text: str):
    data = {"comment": text, "author": "Robin", "email": "robin@example.org", "url": ""}
    started = time.monotonic()
    response = Browser().post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    assert response.status_code == 302
    return time.monotonic() - started


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _what_arrived(inbox) -> list[tuple[str, str]]:
    return sorted((m["To"], " ".join(m["Subject"].split())) for m in inbox.received)


def test_mail_written_while_the_server_is_down_arrives_once_it_is_back_exactly_once(
    task_backend, post, smtp_port, mail_worker, settings
):
    settings.PNYX_EMAIL_RETRY_DELAYS = (1,) * 10  # a minute in real life
    for n in range(3):
        _comment(post, f"Held comment {n}")
    mail_worker.run()  # the moderator's notices are written, and cannot be sent
    for comment in Comment.objects.all():
        comment_approve(comment=comment)
    mail_worker.run()  # every first attempt: connection refused
    assert set(Email.objects.values_list("status", flat=True)) == {"retrying"}

    controller, inbox = start_smtp(smtp_port)
    try:
        mail_worker.run_until(lambda: not Email.objects.waiting().exists())
        time.sleep(1.2)
        mail_worker.run()  # nothing left over to send twice
    finally:
        controller.stop()
    held = ("mod@example.com", "[pnyx] 3 comments wait for you")  # one task found the three: one mail
    new = ("writer@example.com", "[pnyx] New comment on “Bicycles”")
    assert _what_arrived(inbox) == [held] + [new] * 3
    ids = sorted(str(pk) for pk in Comment.objects.values_list("pk", flat=True))
    held_links = re.findall(r"#comment-(\d+)", _text(next(m for m in inbox.received if m["To"] == held[0])))
    assert sorted(held_links) == ids
    new_links = [_text(m).split("#comment-")[1].split()[0] for m in inbox.received if m["To"] == new[0]]
    assert sorted(new_links) == ids
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}


class SilentServer:
    """Accepts SMTP connections and never says a word, like a mail server that hangs."""

    def __init__(self, port: int):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.1)
        self.open = True
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.open:
            try:
                self.held.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self.open = False
        self.thread.join(timeout=5)
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_server_that_never_answers_slows_no_page_and_the_mail_goes_out_when_it_answers(
    task_backend, post, smtp_port, mail_worker, settings
):
    settings.EMAIL_TIMEOUT = 3
    # The first retry comes after the worker has met the silent server with the one mail listing both (3 s).
    settings.PNYX_EMAIL_RETRY_DELAYS = (5,) + (1,) * 10
    silent = SilentServer(smtp_port)
    try:
        took = [_comment(post, f"Held comment {n}") for n in range(2)]
        assert max(took) < 2, took  # a mail sent in the request would wait 3 s for the silent server
        page = Browser().get(post.get_absolute_url())
        assert page.status_code == 200
        mail_worker.run()
        for email in Email.objects.all():
            assert email.status == "retrying" and "timed out" in email.answer
    finally:
        silent.close()
    controller, inbox = start_smtp(smtp_port)
    try:
        mail_worker.run_until(lambda: not Email.objects.waiting().exists())
    finally:
        controller.stop()
    assert _what_arrived(inbox) == [("mod@example.com", "[pnyx] 2 comments wait for you")]  # one task found both
