"""The commenter's own controls: edit or delete one's comment for a while after posting.

Who the author is follows the proofs of ``identity.commenter``: a signed-in reader owns the comments
of their account; a guest, the comments this browser wrote (its signed cookie's ``written`` ids). A
typed name or address proves nothing here either. The window is ``conf.EDIT_WINDOW`` from posting.

An edit keeps the old text in the comment's history (``lifecycle.comment_set_body``) and goes through
the rules again (``rules.judge``); it can hold a published comment or mark it spam, never publish one
that was held. A deletion moves the comment to the trash, where moderators still see it and its
history; if it has visible replies, the thread shows "This comment was deleted." in its place
(``threads.thread_page``), so the replies keep their context.
"""

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone

from pnyx.identity.commenter import commenter_for, written_ids

from .conf import conf
from .lifecycle import Change, comment_set_body, comment_set_status
from .models import Comment
from .rules import Submission, judge

CHANGEABLE = [Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.SPAM]
"""What an author may still change: anything but a comment in the trash (spam is shown to its author
as held, never as spam)."""

_STRICTNESS = {Comment.Status.APPROVED: 0, Comment.Status.PENDING: 1, Comment.Status.SPAM: 2}


def edit_until(comment: Comment) -> datetime:
    return comment.created_at + timedelta(seconds=conf.EDIT_WINDOW)


def owns(request: HttpRequest, comment: Comment) -> bool:
    """Whether the reader behind ``request`` wrote ``comment``, by their account or this browser's proof."""
    if comment.user_id is not None:
        return request.user.is_authenticated and comment.user_id == request.user.pk
    return comment.pk in written_ids(request)


def may_change(request: HttpRequest, comment: Comment) -> bool:
    return comment.status in CHANGEABLE and timezone.now() < edit_until(comment) and owns(request, comment)


def changeable_in_thread(request: HttpRequest, thread_id: int) -> list[Comment]:
    """The reader's comments of this thread they may still edit or delete (for the reader's JSON)."""
    since = timezone.now() - timedelta(seconds=conf.EDIT_WINDOW)
    recent = Comment.objects.filter(thread_id=thread_id, created_at__gt=since, status__in=CHANGEABLE)
    if request.user.is_authenticated:
        mine = recent.filter(user=request.user)
    else:
        mine = recent.filter(pk__in=written_ids(request), user__isnull=True)
    return list(mine.order_by("pk")[:50])


def comment_edit_own(*, request: HttpRequest, comment: Comment, body: str) -> Change | None:
    """The author's edit (``body`` already through ``forms.clean_body``), judged again by the rules."""
    edit = comment_set_body(
        comment=comment, body=body, what="edited by its author", via=Comment.Via.AUTHOR, actor=request.user
    )
    if edit is None:
        return None
    commenter = commenter_for(request, name=comment.author_name, email=comment.author_email, url=comment.author_url)
    verdict = judge(Submission(comment=comment, commenter=commenter))
    if _STRICTNESS.get(verdict.status, 2) > _STRICTNESS.get(comment.status, 2):
        comment_set_status(
            comment=comment, status=verdict.status, reason=f"after an edit: {verdict.reason}", via=Comment.Via.RULES
        )
    return edit


def comment_delete_own(*, request: HttpRequest, comment: Comment) -> Change | None:
    return comment_set_status(
        comment=comment,
        status=Comment.Status.TRASH,
        reason="deleted by its author",
        via=Comment.Via.AUTHOR,
        actor=request.user,
    )
