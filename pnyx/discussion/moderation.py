"""What moderators do to a comment, named after the action; each is one step of the lifecycle."""

from django.contrib.auth.models import AbstractBaseUser

from .lifecycle import Change, comment_set_status
from .models import Comment


def _by(moderator: AbstractBaseUser | None) -> str:
    return f" by {moderator.get_username()}" if moderator is not None else ""


def comment_approve(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, reason=f"approved{_by(moderator)}", via=Comment.Via.MODERATOR
    )


def comment_spam(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment, status=Comment.Status.SPAM, reason=f"marked spam{_by(moderator)}", via=Comment.Via.MODERATOR
    )


def comment_trash(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment, status=Comment.Status.TRASH, reason=f"trashed{_by(moderator)}", via=Comment.Via.MODERATOR
    )
