"""What moderators do to a comment. Every change of visibility recounts the post in the same transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .models import Comment


def comment_set_status(*, comment: Comment, status: str, moderator: AbstractBaseUser | None, reason: str) -> None:
    with transaction.atomic():
        comment.status = status
        comment.status_reason = reason
        comment.save(update_fields=["status", "status_reason"])
        comment.post.refresh_comment_count()


def _by(moderator: AbstractBaseUser | None) -> str:
    return f" by {moderator.get_username()}" if moderator is not None else ""


def comment_approve(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> None:
    comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, moderator=moderator, reason=f"approved{_by(moderator)}"
    )


def comment_spam(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> None:
    comment_set_status(
        comment=comment, status=Comment.Status.SPAM, moderator=moderator, reason=f"marked spam{_by(moderator)}"
    )


def comment_trash(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> None:
    comment_set_status(
        comment=comment, status=Comment.Status.TRASH, moderator=moderator, reason=f"trashed{_by(moderator)}"
    )
