"""Who wrote the comment, and what that is worth: the honeypot, staff, proven regulars, first comments.

What each proof of identity is worth is written in ``pnyx.identity.commenter``; ``proven_regular``
applies it.
"""

from pnyx.identity.commenter import Commenter, same_name
from pnyx.identity.models import revoked_at

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


def proven_regular(sub: Submission) -> Verdict | None:
    """Approved before under a proven identity, and writing under that identity's name."""
    commenter = sub.commenter
    if commenter.user is not None:
        if Comment.objects.public().filter(user=commenter.user).exists():
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
    proofs = (
        Comment.objects.public()
        .under_email(commenter.email)
        .filter(
            pk__in=commenter.written,
            user__isnull=True,
            status_via__in=[Comment.Via.MODERATOR, Comment.Via.RULES],
        )
    )
    if (revoked := revoked_at(commenter.email)) is not None:
        proofs = proofs.filter(created_at__gt=revoked)
    return proofs.order_by("-created_at").only("author_name").first()


HOLD = Verdict(Comment.Status.PENDING, "first comment from this identity (or not proven in this browser)")


def first_comment(sub: Submission) -> Verdict:
    """The last rule: whoever is not proven yet is held, unless the settings say first comments go live."""
    if sub.book is not None and not sub.book.settings.hold_first_comment:
        return Verdict(Comment.Status.APPROVED, "first comments are not held (moderation settings)")
    return HOLD
