"""Who wrote the comment, and what that is worth: the honeypot, staff, proven regulars, first comments.

What each proof of identity is worth is written in ``pnyx.identity.commenter``; ``proven_regular``
applies it.
"""

from datetime import datetime

from django.db.models import QuerySet

from pnyx.identity.commenter import Commenter, same_name
from pnyx.identity.models import revoked_at
from pnyx.precompiled import Precompiled

from ..models import Comment
from .base import Submission, Verdict

HONEYPOT_REASON = "honeypot field was filled in"


def honeypot(sub: Submission) -> Verdict | None:
    """A field hidden from people but filled by bots. Kept as spam, not dropped: a moderator can rescue it."""
    if sub.honeypot.strip():
        return Verdict(Comment.Status.SPAM, HONEYPOT_REASON)
    return None


def staff(sub: Submission) -> Verdict | None:
    if sub.commenter.is_staff:
        return Verdict(Comment.Status.APPROVED, "written by staff")
    return None


# Asked for every comment by an account, and by a guest this browser has written as before: compiled once
# per process (``pnyx.precompiled``), the browser's comments a statement for each number of them.
_approved_of_account = Precompiled(
    lambda user_id: Comment.objects.public().filter(user_id=user_id).values_list("pk")[:1]
)


def _proofs(email: str, *written_and_revoked: int | datetime, revoked: bool) -> QuerySet:
    written = written_and_revoked[:-1] if revoked else written_and_revoked
    proofs = (
        Comment.objects.public()
        .under_email(email)
        .filter(pk__in=written, user__isnull=True, status_via__in=[Comment.Via.MODERATOR, Comment.Via.RULES])
    )
    if revoked:
        proofs = proofs.filter(created_at__gt=written_and_revoked[-1])
    return proofs.order_by("-created_at").only("author_name")[:1]


_newest_proof = Precompiled(_proofs)


def proven_regular(sub: Submission) -> Verdict | None:
    """Approved before under a proven identity, and writing under that identity's name."""
    commenter = sub.commenter
    if commenter.user is not None:
        if _approved_of_account(commenter.user.pk):
            return Verdict(Comment.Status.APPROVED, "signed-in commenter with an approved comment")
        return None
    if not commenter.email:
        return None
    if commenter.confirmed_address():
        return Verdict(Comment.Status.APPROVED, "address confirmed in this browser")
    proof = _browser_proof(commenter)
    if proof is None:
        return None
    if not same_name(proof.author_name, commenter.name):
        return Verdict(Comment.Status.PENDING, "proven browser, but writing under another name")
    return Verdict(Comment.Status.APPROVED, "proven commenter with an approved comment")


def _browser_proof(commenter: Commenter) -> Comment | None:
    """The newest comment this browser wrote under the typed address that proves it (see identity.commenter):
    public, approved by a moderator or by the rules (never by an emailed link), and not revoked since."""
    if not commenter.written:
        return None
    revoked = revoked_at(commenter.email)
    after = () if revoked is None else (revoked,)
    return _newest_proof.first(commenter.email.lower(), *commenter.written, *after, revoked=bool(after))


HOLD = Verdict(Comment.Status.PENDING, "first comment from this identity (or not proven in this browser)")


def first_comment(sub: Submission) -> Verdict:
    """The last rule: whoever is not proven yet is held, unless the settings say first comments go live."""
    if sub.book is not None and not sub.book.settings.hold_first_comment:
        return Verdict(Comment.Status.APPROVED, "first comments are not held (moderation settings)")
    return HOLD
