"""Subscriptions through a real SMTP server: double opt-in for an unproven address, the standalone
"follow by email" form, and the page where an address manages all its mail without an account."""

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse

from pnyx.discussion.moderation import comment_approve
from pnyx.outbox.models import Subscription, Unsubscribe
from pnyx.outbox.subscriptions import subscription_add
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _link(message, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({path}\S+/)", _text(message)).group(1)


@pytest.fixture
def post():
    return PostFactory(title="Bicycles", author=UserFactory(username="writer", email="writer@example.com"))


def test_a_guest_ticking_both_boxes_gets_one_link_that_confirms_both_only_by_a_post(client, smtp_server, post):
    data = {"comment": "Interesting.", "author": "Robin", "email": "Robin@Example.org", "follow": "on"}
    data["follow_blog"] = "on"
    Browser().post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    assert Subscription.objects.filter(email="robin@example.org", confirmed_at__isnull=True).count() == 2
    [message] = [m for m in smtp_server.messages if m["To"] == "robin@example.org"]
    assert " ".join(message["Subject"].split()) == "[pnyx] Please confirm your subscription"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    link = _link(message, "/mail/subscribe/")
    page = client.get(link)  # a link scanner: nothing is confirmed
    assert page.status_code == 200 and "Bicycles" in page.content.decode() and "New posts" in page.content.decode()
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    response = client.post(link)
    assert response.status_code == 302 and "/mail/manage/" in response["Location"]
    assert Subscription.objects.filter(email="robin@example.org", confirmed_at__isnull=False).count() == 2


def test_asking_again_within_the_hour_sends_no_second_link(smtp_server, post):
    subscription_add(email="robin@example.org", topic=post.thread, proven=False)
    subscription_add(email="robin@example.org", topic=None, proven=False)
    subscription_add(email="robin@example.org", topic=None, proven=False)
    assert [m["To"] for m in smtp_server.messages] == ["robin@example.org"]
    assert Subscription.objects.count() == 2


def test_a_forged_confirmation_link_confirms_nothing(client, post):
    subscription_add(email="robin@example.org", topic=None, proven=False)
    assert client.post(reverse("outbox:confirm", args=["forged:token"])).status_code == 410
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()


def test_the_follow_by_email_page_works_without_script_and_refuses_other_sites(smtp_server):
    browser = Browser()
    page = browser.get(reverse("outbox:subscribe"))
    assert page.status_code == 200 and 'name="email"' in page.content.decode()
    refused = browser.post(reverse("outbox:subscribe"), {"email": "a@example.org"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert refused.status_code == 403 and not Subscription.objects.exists()
    bad = browser.post(reverse("outbox:subscribe"), {"email": "not an address"}, **SAME_ORIGIN)
    assert bad.status_code == 400 and "valid email address" in bad.content.decode()

    done = browser.post(reverse("outbox:subscribe"), {"email": "a@example.org"}, **SAME_ORIGIN)
    assert done.status_code == 200 and "we mailed" in done.content.decode()
    [message] = smtp_server.messages
    assert message["To"] == "a@example.org" and "/mail/subscribe/" in _text(message)


def test_every_page_footer_links_to_the_follow_form(client, post):
    assert reverse("outbox:subscribe") in client.get(post.get_absolute_url()).content.decode()


def _manage_link(client, smtp_server, email: str) -> str:
    client.post(reverse("outbox:manage_request"), {"email": email})
    [message] = [m for m in smtp_server.messages if m["Subject"] and "manage" in m["Subject"]]
    return _link(message, "/mail/manage/")


def test_a_reader_manages_everything_by_an_emailed_link(client, smtp_server, post):
    other = PostFactory(title="Trains")
    smtp_server.messages  # noqa: B018 (the worker announces both posts, to nobody yet)
    subscription_add(email="fan@example.org", topic=post.thread, proven=True)
    subscription_add(email="fan@example.org", topic=other.thread, proven=True)
    subscription_add(email="fan@example.org", topic=None, proven=True)
    answer = client.post(reverse("outbox:manage_request"), {"email": "nobody@example.org"})
    assert answer.status_code == 200 and "If this site mails" in answer.content.decode()
    assert smtp_server.messages == []  # an address this site never mailed gets nothing

    link = _manage_link(client, smtp_server, "fan@example.org")
    page = client.get(link).content.decode()
    assert "Bicycles" in page and "Trains" in page and "New posts on this blog" in page
    assert "replies to your comments" in page.lower()

    client.post(link, {"stop": Subscription.objects.get(topic_id=other.thread.pk).topic_key})
    assert Subscription.objects.filter(email="fan@example.org").count() == 2
    client.post(link, {"off": "reply"})
    assert Unsubscribe.objects.filter(email="fan@example.org", reason="reply").exists()
    client.post(link, {"on": "reply"})
    assert not Unsubscribe.objects.filter(email="fan@example.org", reason="reply").exists()
    client.post(link, {"all": "off"})
    assert not Subscription.objects.filter(email="fan@example.org").exists()
    assert Unsubscribe.objects.filter(email="fan@example.org", reason="*").exists()
    assert client.get(reverse("outbox:manage", args=["forged:token"])).status_code == 410


def test_a_follow_mails_one_click_link_ends_only_that_subscription(settings, smtp_server, post):
    settings.PNYX_EMAIL_DIGEST_MINUTES = 0
    smtp_server.messages  # noqa: B018 (the worker announces the post, to nobody yet)
    subscription_add(email="fan@example.org", topic=post.thread, proven=True)
    subscription_add(email="fan@example.org", topic=None, proven=True)
    comment_approve(comment=CommentFactory(post=post, status="pending"))
    [message] = [m for m in smtp_server.messages if m["To"] == "fan@example.org"]
    assert "/mail/manage/" in _text(message) and "/mail/manage/" in message.get_body(("html",)).get_content()
    url = re.fullmatch(r"<https?://[^/]+(/mail/unsubscribe/\S+/)>", "".join(message["List-Unsubscribe"].split()))[1]
    Browser(enforce_csrf_checks=True).post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert list(Subscription.objects.values_list("topic_type", flat=True)) == [None]  # the blog is still followed
    assert not Unsubscribe.objects.exists()


def test_the_leave_a_reply_form_offers_both_boxes_the_same_for_every_visitor(client, post):
    anonymous = Browser().get(post.get_absolute_url()).content.decode()
    client.force_login(UserFactory(username="reader", email="reader@example.org"))
    signed_in = client.get(post.get_absolute_url()).content.decode()
    for page in (anonymous, signed_in):
        assert 'name="follow"' in page and 'name="follow_blog"' in page
        assert "Notify me of new posts by email" in page
