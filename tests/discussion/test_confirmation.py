"""The emailed link for a regular on a new browser, through a real SMTP server and real commits."""

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse

from pnyx.discussion.models import Comment
from pnyx.identity.confirmation import address_token
from pnyx.outbox.models import Email
from tests.factories import CommentFactory, PostFactory

# Mail is written into the outbox at the lifecycle's after-commit point and sent by the task worker
# (``smtp_server.messages`` runs it): these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _comment(browser, post, email="regular@example.org", text="From my new phone.", name="Regular"):
    data = {"comment": text, "author": name, "email": email, "url": ""}
    return browser.post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/comments/confirm/\S+/)", message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture
def regular_post():
    post = PostFactory(title="Bicycles")
    CommentFactory(post=post, author_name="Regular", author_email="regular@example.org")  # approved, elsewhere
    return post


def test_a_regular_on_a_new_browser_is_mailed_a_link_that_publishes_the_comment(client, smtp_server, regular_post):
    _comment(client, regular_post)
    held = Comment.objects.get(status="pending")
    # The post's writer may also hear of the regular's earlier, approved comment: the link goes to the regular.
    [message] = [m for m in smtp_server.messages if m["To"] == "regular@example.org"]
    assert "Bicycles" in message["Subject"]

    link = _link(message)
    page = client.get(link)  # what a mail scanner does: nothing is published
    assert page.status_code == 200 and "publish it" in page.content.decode()
    held.refresh_from_db()
    assert held.status == "pending"

    response = client.post(link, {"answer": "publish"})
    held.refresh_from_db()
    assert held.status == "approved" and held.status_reason == "email address confirmed by link"
    assert response["Location"].endswith(f"#comment-{held.pk}")
    # The browser in which the link was followed is proven from now on.
    _comment(client, regular_post, text="And now straight through.")
    assert Comment.objects.get(body="And now straight through.").status == "approved"


def test_a_confirmation_proves_nothing_to_the_strangers_browser_that_wrote_the_comment(smtp_server, regular_post):
    stranger, regular = Browser(), Browser()
    _comment(stranger, regular_post, text="Innocent enough to be confirmed.")
    regular.post(_link(smtp_server.messages[0]), {"answer": "publish"})  # the regular, in their own browser
    assert Comment.objects.get(body="Innocent enough to be confirmed.").status == "approved"

    _comment(stranger, regular_post, text="Now buy pills at https://spam.example/")
    assert Comment.objects.get(body__startswith="Now buy pills").status == "pending"
    _comment(regular, regular_post, text="The regular, in the browser that confirmed.")
    assert Comment.objects.get(body__startswith="The regular,").status == "approved"


def test_it_wasnt_me_revokes_the_address_and_keeps_the_comment_as_spam(smtp_server, regular_post):
    regular, stranger = Browser(), Browser()
    _comment(regular, regular_post, text="Mine.")
    regular.post(_link(smtp_server.messages[0]), {"answer": "publish"})
    smtp_server.messages.clear()

    _comment(stranger, regular_post, text="Not mine at all.")
    stranger_link = _link(smtp_server.messages[0]) if smtp_server.messages else None
    assert stranger_link is None  # one mail an hour per address: the flood limit holds here too
    held = Comment.objects.get(body="Not mine at all.")
    link = reverse("discussion:confirm", args=[address_token(held.author_email, held.pk)])
    response = regular.post(link, {"answer": "not-me"})
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == "spam" and "not them" in held.status_reason
    # Every proof of the address issued until now is void, the regular's own browser's too.
    _comment(regular, regular_post, text="After revoking.")
    assert Comment.objects.get(body="After revoking.").status == "pending"


def test_one_address_gets_one_mail_an_hour_however_many_comments_use_it(smtp_server, regular_post, settings):
    for n in range(20):
        _comment(Browser(), regular_post, text=f"Flood {n}")
    assert len(smtp_server.messages) == 1
    assert Comment.objects.filter(status="pending").count() == 20
    settings.PNYX_CONFIRMATION_INTERVAL = 0
    _comment(Browser(), regular_post, text="After the interval")
    assert len(smtp_server.messages) == 2


def test_a_typed_name_cannot_add_lines_headers_or_links_to_the_mail(smtp_server, regular_post):
    name = "Regular\r\nBcc: victim@example.org\nVisit https://evil.example/win now"
    _comment(Browser(), regular_post, name=name)
    [message] = smtp_server.messages
    assert message["Bcc"] is None
    body = message.get_body(("plain",)).get_content()
    assert "evil.example" not in body and "https://evil" not in body
    greeting = body.splitlines()[0]
    assert greeting.startswith("Hello Regular Bcc victimexampleorg Visit httpsevilexamplewin") and len(greeting) < 80


def test_a_first_time_address_gets_no_link_and_stays_held(client, smtp_server):
    _comment(client, PostFactory(), email="stranger@example.org")
    assert smtp_server.messages == []
    assert Comment.objects.get().status == "pending"


@pytest.mark.parametrize("token", ["garbage", "eyJjIjoxfQ:1abc:forged"])
def test_a_forged_link_publishes_nothing(client, token):
    held = CommentFactory(status="pending")
    response = client.post(reverse("discussion:confirm", args=[token]), {"answer": "publish"})
    assert response.status_code == 410
    held.refresh_from_db()
    assert held.status == "pending"


def test_a_link_works_once(client, smtp_server, regular_post):
    _comment(client, regular_post)
    link = _link(smtp_server.messages[0])
    client.post(link, {"answer": "publish"})
    assert client.post(link, {"answer": "publish"}).status_code == 410


def test_a_mail_server_that_is_down_leaves_the_comment_held_and_the_mail_waiting(
    client, smtp_port, mail_worker, regular_post
):
    response = _comment(client, regular_post)  # nothing listens on smtp_port
    assert response.status_code == 302
    assert Comment.objects.get(status="pending").body == "From my new phone."
    mail_worker.run()
    [email] = Email.objects.filter(reason="confirmation")
    assert email.status == "retrying" and email.attempts == 1 and "Connection refused" in email.answer
