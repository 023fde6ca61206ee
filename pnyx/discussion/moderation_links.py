"""One-click moderation from a mail: signed links naming the comment, the action and the moderator.

A link only opens a page; the page's button POSTs, so a mail scanner that follows every link acts on
nothing. A link is good for ``MAX_AGE``; it acts through the same services as the admin (``moderation``).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.urls import reverse

from .lifecycle import Change
from .models import Comment
from .moderation import comment_approve, comment_spam, comment_trash, moderator_accounts

_SALT = "pnyx.discussion.moderate"
MAX_AGE = 14 * 24 * 3600

ACTIONS = {
    "approve": comment_approve,
    "spam": comment_spam,
    "trash": comment_trash,
}
RESULT = {"approve": Comment.Status.APPROVED, "spam": Comment.Status.SPAM, "trash": Comment.Status.TRASH}


def moderation_url(comment: Comment, action: str, moderator: AbstractBaseUser) -> str:
    token = signing.dumps({"c": comment.pk, "a": action, "m": moderator.pk}, salt=_SALT, compress=True)
    return settings.PNYX_BASE_URL + reverse("discussion:moderate", args=[token])


def read_moderation_token(token: str) -> tuple[Comment, str, AbstractBaseUser] | None:
    """The comment, the action and the moderator a link names; None for a forged or expired link, a
    comment since deleted, or a moderator who is no longer staff."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        return None
    comment_id, moderator_id = data.get("c"), data.get("m")
    if not isinstance(comment_id, int) or not isinstance(moderator_id, int):
        return None
    comment = Comment.objects.select_related("thread").filter(pk=comment_id).first()
    moderator = moderator_accounts().filter(pk=moderator_id).first()
    if comment is None or moderator is None:
        return None
    return comment, data["a"], moderator


def comment_moderate(*, comment: Comment, action: str, moderator: AbstractBaseUser) -> Change | None:
    return ACTIONS[action](comment=comment, moderator=moderator)
