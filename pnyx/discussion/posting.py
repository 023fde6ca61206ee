"""A comment's way in: check the post and the parent, judge it, save it, count it.

Every comment enters through this module. A reader's comment (the form view, any API) goes through
``post_comment``, one at a time and judged by the rules; an importer's comments, whose status their
source already decided, go through ``CommentBatch``. Both prepare each comment the same way
(``Comment.prepare_insert``); the batch only groups the inserts and the recount, as a 100,000-comment
import needs.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pnyx.blog.models import Post
from pnyx.identity.commenter import Commenter

from .conf import conf
from .models import Comment
from .rules import Submission, Verdict, judge


class CommentRefused(Exception):
    """The comment cannot be taken at all (closed post, vanished parent); the message says why."""


PARENT_GONE = gettext_lazy("The comment you replied to is no longer available.")


@dataclass(frozen=True)
class Client:
    """The request details moderators see next to a comment."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Client":
        user_agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:500]  # PostgreSQL refuses NUL
        return cls(ip=client_ip(request), user_agent=user_agent)


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address. Behind ``PNYX_PROXY_COUNT`` trusted proxies it is the address the outermost
    of them saw, counted from the right of X-Forwarded-For: entries further left are the client's own
    claims and could be forged.
    """
    proxies = settings.PNYX_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR") or None
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Outcome:
    comment: Comment
    verdict: Verdict

    @property
    def is_public(self) -> bool:
        return self.verdict.is_public


def reply_target(parent: Comment | None, *, max_depth: int) -> Comment | None:
    """A reply to the deepest level joins that level, answering the same parent (as WordPress does)."""
    while parent is not None and parent.depth >= max_depth - 1:
        parent = parent.parent
    return parent


def parent_comment(parent_id: int | None) -> Comment | None:
    """The comment a reply answers, by the id the form sent; CommentRefused if it no longer exists."""
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id).first()
    if parent is None:
        raise CommentRefused(PARENT_GONE)
    return parent


def check_open(post: Post, parent: Comment | None) -> None:
    """Raise CommentRefused if readers may not comment on ``post`` under ``parent`` now."""
    if not Post.objects.published().filter(pk=post.pk).exists():
        raise CommentRefused(_("This post is not published."))
    if not post.comments_open:
        raise CommentRefused(_("Comments are closed on this post."))
    if parent is not None and (parent.post_id != post.pk or parent.status != Comment.Status.APPROVED):
        raise CommentRefused(PARENT_GONE)


def post_comment(
    *,
    post: Post,
    parent: Comment | None,
    commenter: Commenter,
    body: str,
    client: Client,
    honeypot: str = "",
    verdict: Verdict | None = None,
    created_at: datetime | None = None,
) -> Outcome:
    """Take one comment: returns what became of it, or raises CommentRefused."""
    if verdict is None:
        check_open(post, parent)
        parent = reply_target(parent, max_depth=conf.THREAD_DEPTH)
    comment = Comment(
        post=post,
        parent=parent,
        user=commenter.user,
        author_name="" if commenter.user else commenter.name,
        author_email=getattr(commenter.user, "email", "") if commenter.user else commenter.email,
        author_url="" if commenter.user else commenter.url,
        body=body,
        ip=client.ip,
        user_agent=client.user_agent,
    )
    if created_at is not None:
        comment.created_at = created_at
    verdict = verdict or judge(Submission(comment=comment, commenter=commenter, honeypot=honeypot))
    comment.status = verdict.status
    comment.status_reason = verdict.reason
    with transaction.atomic():
        comment.save()
        if verdict.is_public:
            post.refresh_comment_count()
    return Outcome(comment=comment, verdict=verdict)


class CommentBatch:
    """Comments whose status was decided elsewhere (an import), prepared one by one, inserted in batches.

    Parents must be added before their replies. A source's own comment id is kept when it is free here,
    so that old ``#comment-N`` links land on the same comment; otherwise the old anchor is kept beside
    the new id.
    """

    def __init__(self, *, size: int = 2000) -> None:
        self.size = size
        self.waiting: list[Comment] = []
        self.posts: set[int] = set()
        self.explicit_ids = False

    def taken_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` already belong to a comment here (saved, or waiting in this batch)."""
        wanted = set(ids)
        waiting = {c.pk for c in self.waiting if c.pk in wanted}
        return waiting | set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))

    def add(self, comment: Comment, *, source_id: int | None = None, id_free: bool = False) -> None:
        if comment.parent is not None and comment.parent.pk is None:
            self.flush()
        comment.prepare_insert()
        if source_id is not None:
            if id_free:
                comment.pk = source_id
                self.explicit_ids = True
            else:
                comment.legacy_anchor = f"comment-{source_id}"
        self.waiting.append(comment)
        if len(self.waiting) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            Comment.objects.bulk_create(self.waiting)
            self.posts.update(c.post_id for c in self.waiting)
            self.waiting = []

    def finish(self) -> None:
        """Insert what waits, recount the posts that got comments, move the id sequence past the ids used."""
        self.flush()
        touched = sorted(self.posts)
        for start in range(0, len(touched), 500):
            Post.objects.filter(pk__in=touched[start : start + 500]).recount_comments()
        if self.explicit_ids:
            # PostgreSQL's sequence does not see ids inserted explicitly: without this, the next comment
            # a reader posts would be given an id an imported comment already has.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                    cursor.execute(sql)
