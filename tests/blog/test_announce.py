"""The blog's subscribers hear of each new post once, when readers can first see it, through a real SMTP
server and the task worker; never of an edit, an imported post, a page or a post behind a password."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pnyx.blog.models import Post
from pnyx.outbox.models import Email
from pnyx.outbox.subscriptions import subscription_add
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscribers():
    subscription_add(email="one@example.org", topic=None, proven=True)
    subscription_add(email="two@example.org", topic=None, proven=True)
    subscription_add(email="unconfirmed@example.org", topic=None, proven=False)
    Email.objects.all().delete()


def _announced(smtp_server) -> list[tuple[str, str]]:
    return sorted((m["To"], " ".join(m["Subject"].split())) for m in smtp_server.messages if "New post" in m["Subject"])


def test_publishing_from_the_desk_mails_each_confirmed_subscriber_once(client, smtp_server, subscribers):
    writer = UserFactory(username="ana", first_name="Ana", last_name="Lima", is_staff=True, is_superuser=True)
    client.force_login(writer)
    data = {"title": "Tea", "slug": "", "standfirst": "On leaves.", "body": "Hot.", "tags": "", "password": ""}
    client.post("/write/new/", {**data, "status": "published"})
    post = Post.objects.get()
    assert _announced(smtp_server) == [
        ("one@example.org", "[pnyx] New post: “Tea”"),
        ("two@example.org", "[pnyx] New post: “Tea”"),
    ]
    message = smtp_server.messages[0]
    text = message.get_body(("plain",)).get_content()
    assert f"/posts/{post.slug}/" in text and "Ana Lima" in text and "On leaves." in text
    assert "/mail/manage/" in text and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client.post(f"/write/{post.pk}/", {**data, "title": "Tea, edited", "status": "published"})
    post.status = Post.Status.DRAFT
    post.save()
    post.status = Post.Status.PUBLISHED
    post.save()  # unpublished and published again: still announced once
    assert len(_announced(smtp_server)) == 2


def test_a_scheduled_post_is_announced_when_its_time_comes(smtp_server, mail_worker, subscribers):
    post = PostFactory(title="Later", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=2))
    assert _announced(smtp_server) == []
    [task] = DBTaskResult.objects.filter(task_path="pnyx.blog.tasks.announce")
    assert task.run_after > timezone.now() + timedelta(hours=1)

    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))  # time passes
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    assert [to for to, _subject in _announced(smtp_server)] == ["one@example.org", "two@example.org"]


def test_a_post_rescheduled_later_is_not_announced_at_its_first_time(smtp_server, subscribers):
    post = PostFactory(status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=2))
    post.published_at = timezone.now() + timedelta(days=2)
    post.save()
    DBTaskResult.objects.update(run_after=timezone.now())  # the first time comes; the post is still waiting
    assert _announced(smtp_server) == []


@pytest.mark.parametrize(
    "kind",
    [
        {"import_ref": "wxr:example.org:12"},
        {"password": "secret"},
        {"kind": Post.Kind.PAGE},
        {"status": Post.Status.PRIVATE},
        {"status": Post.Status.DRAFT},
    ],
    ids=["imported", "protected", "page", "private", "draft"],
)
def test_posts_not_for_every_reader_or_not_new_are_never_announced(smtp_server, subscribers, kind):
    PostFactory(**kind)
    assert _announced(smtp_server) == []


def test_an_edit_of_a_post_readers_already_saw_announces_nothing(smtp_server):
    post = PostFactory()
    DBTaskResult.objects.all().delete()  # a post from before subscriptions existed: never announced
    subscription_add(email="one@example.org", topic=None, proven=True)
    post.title = "Corrected"
    post.save()
    assert _announced(smtp_server) == []
