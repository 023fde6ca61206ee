"""A post's followers ("Notify me of new comments on this post") hear of its new comments.

The comment's request only asks whether the thread has followers and queues a task
(``notifications.followers_queue``);
the task mails them. With ``PNYX_EMAIL_DIGEST_MINUTES`` set, the task waits that long, then mails each
follower one digest of every comment published on the post since the last one; two tasks for one burst
find the burst claimed by the first (``outbox.subscriptions.news_since``: one conditional write, so it
holds with several workers on SQLite and PostgreSQL alike). At 0, each comment is mailed on its own.

A follower hears only of what no other mail told them: not of their own comment, nor of a reply to them
or a comment on their own post, which they were mailed about by name (``notifications.direct_recipients``).
Published means what readers can see now: a comment approved later counts from its approval (its
``CommentEvent``), and one hidden again before the task ran is left out.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from pnyx.outbox.models import Reason, Subscription
from pnyx.outbox.services import email_queue, one_line
from pnyx.outbox.subscriptions import news_once, news_since, subscribers

from .models import Comment, CommentEvent, Thread
from .notifications import direct_recipients, mail_context, own_address

SETTLE = 5
"""Seconds a digest leaves out at its end: a comment published in a transaction still committing then
is in the next digest, never lost between the two."""

FIRST_DIGEST_REACH = timedelta(days=1)
"""How far back a thread's first digest looks (later ones start where the last ended): far enough for a
worker that was down for hours, not so far that comments mailed one by one before digests were turned
on come again."""

DIGEST_LIST = 20
"""At most this many comments listed in one digest; the link to the post shows the rest."""


def followers_notify(*, thread_id: int, comment_id: int | None = None) -> int:
    """Mail the followers of a thread: about one comment (``comment_id``), or a digest of everything
    published since the last digest. Returns how many mails were written."""
    thread = Thread.objects.select_related("post").filter(pk=thread_id).first()
    followers = list(subscribers(thread)) if thread is not None else []
    if not followers:
        return 0
    if comment_id is not None:
        comment = _public(thread).filter(pk=comment_id).first()
        if comment is None or not news_once(about=comment):
            return 0
        published = {comment: timezone.now()}
    else:
        cutoff = timezone.now() - timedelta(seconds=SETTLE)
        claimed, since = news_since(about=thread, through=cutoff)
        if not claimed:
            return 0
        if since is None:  # the thread's first digest: the burst that queued it, not every comment ever
            since = max(min(f.confirmed_at for f in followers), cutoff - FIRST_DIGEST_REACH)
        published = _published_between(thread, since, cutoff)
    told = {comment.pk: {own_address(comment), *direct_recipients(comment)} for comment in published}
    # Each comment's lines (its address costs a query) are made once, for every follower who gets it.
    described = {comment.pk: mail_context(comment) for comment in published}
    written = 0
    for follower in followers:
        news = [c for c, at in published.items() if follower.email not in told[c.pk] and at > follower.confirmed_at]
        if news:
            _mail(follower, thread, [(c, described[c.pk]) for c in news])
            written += 1
    return written


def _public(thread: Thread):
    return thread.comments.public().select_related("thread__post__author", "user", "parent__user")


def _published_between(thread: Thread, since: datetime, until: datetime) -> dict[Comment, datetime]:
    """The thread's comments that readers began to see in (since, until] and still see, in that order."""
    events = CommentEvent.objects.filter(
        comment__thread=thread,
        new_status=Comment.PUBLIC,
        old_status__in=("", Comment.Status.PENDING),
        at__gt=since,
        at__lte=until,
    ).values_list("comment_id", "at")
    when = dict(events)
    comments = sorted(_public(thread).filter(pk__in=when), key=lambda c: when[c.pk])
    return {comment: when[comment.pk] for comment in comments if comment.status_via != Comment.Via.IMPORT}


def _mail(follower: Subscription, thread: Thread, news: list[tuple[Comment, dict]]) -> None:
    """One comment's mail, or a digest of several; ``news`` pairs each comment with its ``mail_context``."""
    stops = f"topic:{follower.topic_key}"
    if len(news) == 1:
        [(comment, context)] = news
        email_queue(
            to=follower.email,
            reason=Reason.FOLLOW,
            template="discussion/mail/follow",
            context=context,
            about=comment,
            stops=stops,
        )
        return
    listed = [
        {"name": context["name"], "excerpt": one_line(c.body, limit=200), "url": context["url"]}
        for c, context in news[:DIGEST_LIST]
    ]
    context = {
        "title": one_line(thread.title, limit=100),
        "count": len(news),
        "comments": listed,
        "more": len(news) - len(listed),
        "url": settings.PNYX_BASE_URL + thread.get_absolute_url(),
    }
    email_queue(
        to=follower.email,
        reason=Reason.FOLLOW,
        template="discussion/mail/digest",
        context=context,
        about=thread,
        stops=stops,
    )
