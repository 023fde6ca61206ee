import re
import socket

import pytest
from django.urls import reverse

from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _comment(client, post, email="regular@example.org", text="From my new phone."):
    data = {"comment": text, "author": "Regular", "email": email, "url": ""}
    return client.post(reverse("discussion:post", args=[post.pk]), data, **SAME_ORIGIN)


def _link(message) -> str:
    return re.search(r"http://testserver(/you/confirm/\S+/)", message.get_content()).group(1)


def test_a_regular_on_a_new_browser_is_mailed_a_link_that_publishes_the_comment(client, smtp_server):
    post = PostFactory(title="Bicycles")
    CommentFactory(post=post, author_email="regular@example.org")  # approved earlier, elsewhere
    _comment(client, post)
    held = Comment.objects.get(status="pending")
    [message] = smtp_server.messages
    assert message["To"] == "regular@example.org"
    assert "Bicycles" in message["Subject"]

    link = _link(message)
    page = client.get(link)  # what a mail scanner does: nothing is published
    assert page.status_code == 200 and "publish it" in page.content.decode()
    held.refresh_from_db()
    assert held.status == "pending"

    response = client.post(link)
    held.refresh_from_db()
    assert held.status == "approved" and held.status_reason == "email address confirmed by link"
    assert response["Location"].endswith(f"#comment-{held.pk}")
    # This browser is proven from now on.
    _comment(client, post, text="And now straight through.")
    assert Comment.objects.get(body="And now straight through.").status == "approved"


def test_a_first_time_address_gets_no_link_and_stays_held(client, smtp_server):
    _comment(client, PostFactory(), email="stranger@example.org")
    assert smtp_server.messages == []
    assert Comment.objects.get().status == "pending"


@pytest.mark.parametrize("token", ["garbage", "eyJjIjoxfQ:1abc:forged"])
def test_a_forged_link_publishes_nothing(client, token):
    held = CommentFactory(status="pending")
    response = client.post(reverse("identity:confirm", args=[token]))
    assert response.status_code == 410
    held.refresh_from_db()
    assert held.status == "pending"


def test_a_link_works_once(client, smtp_server):
    post = PostFactory()
    CommentFactory(post=post, author_email="regular@example.org")
    _comment(client, post)
    link = _link(smtp_server.messages[0])
    client.post(link)
    assert client.post(link).status_code == 410


def test_a_mail_server_that_is_down_leaves_the_comment_held_not_lost(client, settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    post = PostFactory()
    CommentFactory(post=post, author_email="regular@example.org")
    response = _comment(client, post)
    assert response.status_code == 302
    assert Comment.objects.get(status="pending").body == "From my new phone."
