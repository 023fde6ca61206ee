"""A post's followers hear of its new comments, through a real SMTP server and the task worker:
one mail per address whatever the reasons, a digest for a burst, never their own comment."""

import re
from datetime import timedelta

import pytest
from django.db.models import F, QuerySet
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pnyx.discussion.following import followers_notify
from pnyx.discussion.models import Comment, CommentEvent
from pnyx.discussion.moderation import comment_approve
from pnyx.outbox.models import Email, Mailed, Subscription
from pnyx.outbox.subscriptions import news_since, subscription_add
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def post():
    return PostFactory(title="Bicycles", author=UserFactory(username="writer", email="writer@example.com"))


@pytest.fixture
def no_digest(settings):
    settings.PNYX_EMAIL_DIGEST_MINUTES = 0


def _published(post, **fields) -> Comment:
    """A comment readers can now see, through the lifecycle (held, then approved by a moderator)."""
    comment = CommentFactory(post=post, status="pending", **fields)
    comment_approve(comment=comment)
    return comment


def _follow(post, email):
    """A follower since an hour ago (so that moving comments back in time keeps them after it)."""
    subscription = subscription_add(email=email, topic=post.thread, proven=True)
    Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=timezone.now() - timedelta(hours=1))
    return subscription


def test_a_follower_hears_of_each_new_comment_with_a_link_to_it(smtp_server, post, no_digest):
    _follow(post, "fan@example.org")
    comment = _published(post, author_name="Robin", body="Wheels matter.")
    mails = [m for m in smtp_server.messages if m["To"] == "fan@example.org"]
    [message] = mails
    assert " ".join(message["Subject"].split()) == "[pnyx] New comment on “Bicycles”, which you follow"
    assert f"#comment-{comment.pk}" in _text(message)
    assert "Robin" in _text(message) and "Wheels matter." in _text(message)
    assert "/mail/manage/" in _text(message)  # every mail links to the address's page
    header = "".join(message["List-Unsubscribe"].split())
    assert re.fullmatch(r"<https?://[^/]+/mail/unsubscribe/\S+/>", header)


def test_one_mail_per_address_the_most_specific_reason_first(client, smtp_server, mail_worker, post, no_digest):
    fan = UserFactory(username="fan", email="fan@example.org")
    parent = _published(post, user=fan, author_email="fan@example.org", notify_replies=True)
    _follow(post, "fan@example.org")
    _follow(post, "writer@example.com")  # the post's author follows their own post too
    _follow(post, "other@example.org")
    mail_worker.run()  # the parent's mails go out first
    smtp_server.received.clear()
    Email.objects.all().delete()

    reply = _published(post, parent=parent, body="A reply to the fan.")
    sent = sorted((m["To"], m["Subject"].split("]")[1].strip()[:20]) for m in smtp_server.messages)
    assert [to for to, _subject in sent] == ["fan@example.org", "other@example.org", "writer@example.com"]
    reasons = dict(Email.objects.filter(about_id=str(reply.pk)).values_list("to", "reason"))
    assert reasons == {"fan@example.org": "reply", "writer@example.com": "new-comment", "other@example.org": "follow"}


def test_a_follower_is_never_mailed_their_own_comment(client, smtp_server, post, no_digest):
    reader = UserFactory(username="reader", email="reader@example.org")
    client.force_login(reader)
    _follow(post, "reader@example.org")
    _published(post, user=reader, author_email="reader@example.org", body="Mine.")
    sent = sorted((m["To"], m["Subject"].split("”")[-1].strip()) for m in smtp_server.messages)
    assert sent == [("reader@example.org", "is published"), ("writer@example.com", "")]
    assert not Email.objects.filter(reason="follow").exists()


def test_an_unconfirmed_follower_hears_nothing(smtp_server, post, no_digest):
    subscription_add(email="maybe@example.org", topic=post.thread, proven=False)
    _published(post)
    [link] = [m for m in smtp_server.messages if m["To"] == "maybe@example.org"]
    assert "confirm" in link["Subject"]
    assert not Email.objects.filter(reason="follow").exists()


def test_a_held_comment_reaches_followers_once_approved(smtp_server, post, no_digest):
    _follow(post, "fan@example.org")
    held = CommentFactory(post=post, status="pending")
    assert "fan@example.org" not in [m["To"] for m in smtp_server.messages]
    comment_approve(comment=held)
    assert [m["To"] for m in smtp_server.messages].count("fan@example.org") == 1


def _time_passes(minutes: int) -> None:
    """What a digest waits for, shortened: every time kept moves back, and the queued tasks come due."""
    back = timedelta(minutes=minutes)
    CommentEvent.objects.update(at=F("at") - back)
    Subscription.objects.update(confirmed_at=F("confirmed_at") - back)
    Mailed.objects.update(through=F("through") - back)
    DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now()).update(run_after=timezone.now())


def test_a_burst_of_comments_becomes_one_digest_per_follower(settings, smtp_server, mail_worker, post):
    settings.PNYX_EMAIL_DIGEST_MINUTES = 5
    _follow(post, "fan@example.org")
    _follow(post, "friend@example.org")
    comments = [_published(post, author_name=f"Reader {n}", body=f"Point {n}.") for n in range(3)]
    assert [m["To"] for m in smtp_server.messages].count("fan@example.org") == 0  # the digest waits

    _time_passes(6)
    digests = [m for m in smtp_server.messages if m["To"] in ("fan@example.org", "friend@example.org")]
    assert sorted(m["To"] for m in digests) == ["fan@example.org", "friend@example.org"]
    for message in digests:
        assert " ".join(message["Subject"].split()) == "[pnyx] 3 new comments on “Bicycles”"
        text = _text(message)
        assert all(f"#comment-{c.pk}" in text for c in comments)
        assert text.index("Point 0.") < text.index("Point 1.") < text.index("Point 2.")
    assert Email.objects.filter(reason="follow").count() == 2

    mail_worker.run()  # the burst's other tasks find it mailed
    assert Email.objects.filter(reason="follow").count() == 2
    later = _published(post, body="After the burst.")
    mail_worker.run()  # the comment's own task queues the digest, which then waits
    _time_passes(6)
    [next_one] = [m for m in smtp_server.messages if m["To"] == "fan@example.org" and "After the burst." in _text(m)]
    assert f"#comment-{later.pk}" in _text(next_one) and "Point 0." not in _text(next_one)


def test_two_workers_on_one_burst_mail_it_once(settings, post):
    settings.PNYX_EMAIL_DIGEST_MINUTES = 5
    _follow(post, "fan@example.org")
    _published(post)
    _published(post)
    CommentEvent.objects.update(at=F("at") - timedelta(minutes=6))  # the window has passed, no worker ran
    first, second = followers_notify(thread_id=post.thread.pk), followers_notify(thread_id=post.thread.pk)
    assert (first, second) == (1, 0)
    assert Email.objects.filter(to="fan@example.org", reason="follow").count() == 1


def test_a_worker_that_read_the_claim_before_another_worker_moved_it_claims_nothing(post, monkeypatch):
    start = timezone.now() - timedelta(minutes=10)
    assert news_since(about=post.thread, through=start) == (True, None)
    stale = Mailed.objects.get()  # what a slow worker read, before the other one's claim below
    assert news_since(about=post.thread, through=start + timedelta(minutes=5)) == (True, start)
    monkeypatch.setattr(QuerySet, "first", lambda self: stale)
    assert news_since(about=post.thread, through=start + timedelta(minutes=8)) == (False, None)
    monkeypatch.undo()
    assert Mailed.objects.get().through == start + timedelta(minutes=5)


def test_the_follow_boxes_subscribe_a_verified_account_at_once(client, smtp_server, post, no_digest):
    from allauth.account.models import EmailAddress

    reader = UserFactory(username="reader", email="reader@example.org")
    EmailAddress.objects.create(user=reader, email="reader@example.org", verified=True, primary=True)
    client.force_login(reader)
    data = {"comment": "Count me in.", "follow": "on", "follow_blog": "on"}
    client.post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    subscriptions = Subscription.objects.filter(email="reader@example.org")
    assert subscriptions.count() == 2 and all(s.confirmed_at for s in subscriptions)
    assert not Email.objects.filter(reason="subscribe").exists()


def test_a_spam_comment_subscribes_nobody(client, post):
    data = {"comment": "Buy.", "author": "Bot", "email": "victim@example.org", "follow": "on", "fax_number": "555"}
    Browser().post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    assert Comment.objects.get().status == "spam"
    assert not Subscription.objects.exists() and not Email.objects.filter(to="victim@example.org").exists()
