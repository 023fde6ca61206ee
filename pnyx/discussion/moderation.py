"""What moderators do to a comment, named after the action; each is one step of the lifecycle."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from pnyx.identity.models import revoke

from .lifecycle import Change, comment_set_status
from .models import Comment


def _by(moderator: AbstractBaseUser | None) -> str:
    return f" by {moderator.get_username()}" if moderator is not None else ""


def comment_approve(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, reason=f"approved{_by(moderator)}", via=Comment.Via.MODERATOR
    )


def comment_spam(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    """Spam that went live on a guest's proof means the proof was stolen or abused: it is revoked too."""
    with transaction.atomic():
        went_live_on_proof = comment.is_public and comment.status_via == Comment.Via.RULES and comment.user_id is None
        change = comment_set_status(
            comment=comment,
            status=Comment.Status.SPAM,
            reason=f"marked spam{_by(moderator)}",
            via=Comment.Via.MODERATOR,
        )
        if change is not None and went_live_on_proof and comment.author_email:
            revoke(comment.author_email)
    return change


def address_revoke(*, comment: Comment) -> None:
    """Stop trusting every proof of this comment's address issued until now, in every browser."""
    if comment.author_email:
        revoke(comment.author_email)


def comment_trash(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment, status=Comment.Status.TRASH, reason=f"trashed{_by(moderator)}", via=Comment.Via.MODERATOR
    )
