"""Readers who asked for new posts by email hear of each post once, when readers can first see it.

A save that makes a post visible (published now) or sets its time (scheduled) queues a task for that
time; the task looks again when it runs (still published, its time come, no password) and claims the
post's one announcement (``outbox.subscriptions.news_once``), so a post published, unpublished and
published again, or rescheduled, is announced once. Imported posts and pages are never announced, and
neither is an edit of a post that readers could already see: the mail is news, not a change log.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pnyx.outbox.models import Reason
from pnyx.outbox.services import email_queue, one_line
from pnyx.outbox.subscriptions import news_once, subscribers

from .models import Post

logger = logging.getLogger(__name__)


def announceable(post: Post) -> bool:
    """A post, not a page, written here (not imported), for every reader (no password), going out."""
    return (
        post.kind == Post.Kind.POST
        and not post.import_ref
        and not post.is_protected
        and post.status in Post.READER_STATUSES
    )


def before_save(sender, instance: Post, raw: bool = False, **kwargs) -> None:
    """Remember whether readers could see the post before this save (one read of its status)."""
    if raw or not announceable(instance):  # an import, a page, a draft: nothing to remember, no query
        instance._was_visible = True
        return
    if instance.pk is None:
        instance._was_visible = False
        return
    instance._was_visible = Post.objects.published().filter(pk=instance.pk).exists()


def after_save(sender, instance: Post, raw: bool = False, **kwargs) -> None:
    if raw or getattr(instance, "_was_visible", True):
        return
    post_id, when = instance.pk, max(instance.published_at, timezone.now())
    transaction.on_commit(lambda: _queue(post_id, when))


def _queue(post_id: int, when) -> None:
    from .tasks import announce

    try:
        if when > timezone.now() + timedelta(seconds=1):
            announce.using(run_after=when).enqueue(post_id)
        else:
            announce.enqueue(post_id)
    except Exception:
        logger.exception("could not queue the announcement of post %s", post_id)


def post_announce(*, post_id: int) -> int:
    """Mail the blog's subscribers about a post now visible; returns how many mails were written."""
    post = Post.objects.published().select_related("author").filter(pk=post_id).first()
    if post is None or not announceable(post) or not news_once(about=post):
        return 0
    context = {
        "title": one_line(post.title, limit=100),
        "standfirst": one_line(post.standfirst, limit=300),
        "author": one_line(post.author_name, limit=60),
        "url": settings.PNYX_BASE_URL + post.get_absolute_url(),
    }
    written = 0
    for subscription in subscribers(None).iterator():
        email_queue(
            to=subscription.email,
            reason=Reason.NEW_POST,
            template="blog/mail/new_post",
            context=context,
            about=post,
            stops=f"topic:{subscription.topic_key}",
        )
        written += 1
    return written
