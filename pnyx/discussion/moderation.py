"""What moderators do to a comment, named after the action; each is one step of the lifecycle."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet

from pnyx.identity.models import revoke

from .lifecycle import Change, comment_set_body, comment_set_status
from .models import Comment, CommentEvent

MODERATE = "discussion.change_comment"


def may_moderate(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Who moderates comments: active staff allowed to change them (an administrator is). The one rule
    for the desk, its link in the reader's JSON, the held-comment mails and their one-click links: an
    author on staff writes posts, and is shown, mailed and allowed none of these."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm(MODERATE))


def moderator_accounts() -> QuerySet:
    """The accounts ``may_moderate`` allows, as a query."""
    users = get_user_model().objects.with_perm(
        MODERATE, is_active=True, include_superusers=True, backend="django.contrib.auth.backends.ModelBackend"
    )
    return users.filter(is_staff=True)


def _by(moderator: AbstractBaseUser | None) -> str:
    return f" by {moderator.get_username()}" if moderator is not None else ""


def comment_approve(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    return comment_set_status(
        comment=comment,
        status=Comment.Status.APPROVED,
        reason=f"approved{_by(moderator)}",
        via=Comment.Via.MODERATOR,
        actor=moderator,
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
            actor=moderator,
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
        comment=comment,
        status=Comment.Status.TRASH,
        reason=f"trashed{_by(moderator)}",
        via=Comment.Via.MODERATOR,
        actor=moderator,
    )


def previous_status(comment: Comment) -> str:
    """The status the comment had before its last change of status; pending if it had none here."""
    last = (
        CommentEvent.objects.filter(comment=comment, new_status=comment.status)
        .exclude(old_status="")
        .exclude(old_status=comment.status)
        .order_by("-pk")
        .values_list("old_status", flat=True)
        .first()
    )
    return last or Comment.Status.PENDING


def comment_restore(*, comment: Comment, moderator: AbstractBaseUser | None = None) -> Change | None:
    """Put the comment back where it was before its last change: out of Spam or Trash, or a moderator's
    click undone. A comment that never had another status here (held on arrival, imported) goes to Pending."""
    with transaction.atomic():
        comment.status = Comment.objects.select_for_update().values_list("status", flat=True).get(pk=comment.pk)
        return comment_set_status(
            comment=comment,
            status=previous_status(comment),
            reason=f"restored{_by(moderator)}",
            via=Comment.Via.MODERATOR,
            actor=moderator,
        )


def comment_edit(*, comment: Comment, body: str, editor: AbstractBaseUser | None = None) -> Change | None:
    """A moderator's edit of the text (already through ``forms.clean_body``); the old text stays in the
    history and the status is kept: a moderator's words are not judged by the rules."""
    return comment_set_body(
        comment=comment, body=body, what=f"edited{_by(editor)}", via=Comment.Via.MODERATOR, actor=editor
    )
