"""One comment's way in: check the post and the parent, judge it, save it, count it.

The form view, the JSON API and the importers all call ``post_comment``; only the importer passes
a ``verdict`` of its own (the status the source already decided).
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pnyx.blog.models import Post
from pnyx.identity.commenter import Commenter

from .conf import conf
from .models import Comment
from .rules import Submission, Verdict, judge


class CommentRefused(Exception):
    """The comment cannot be taken at all (closed post, vanished parent); the message says why."""


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


def check_open(post: Post, parent: Comment | None) -> None:
    """Raise CommentRefused if readers may not comment on ``post`` under ``parent`` now."""
    if not Post.objects.published().filter(pk=post.pk).exists():
        raise CommentRefused(_("This post is not published."))
    if not post.comments_open:
        raise CommentRefused(_("Comments are closed on this post."))
    if parent is not None and (parent.post_id != post.pk or parent.status != Comment.Status.APPROVED):
        raise CommentRefused(_("The comment you replied to is no longer available."))


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
    import_ref: str = "",
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
        import_ref=import_ref,
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
