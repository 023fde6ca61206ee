"""The moderation rules a new comment runs through: an ordered list of small checks.

Each rule returns a Verdict (a status and the reason stored with the comment, shown to moderators)
or None to pass the comment on. The first verdict wins; a comment no rule lets through is held.
What each proof of identity is worth is written in ``pnyx.identity.commenter``; ``proven_regular``
applies it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pnyx.identity.commenter import Commenter, same_name
from pnyx.identity.models import revoked_at

from .models import Comment


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str

    @property
    def is_public(self) -> bool:
        return self.status == Comment.PUBLIC


@dataclass(frozen=True)
class Submission:
    """What the rules judge: the comment as written, who wrote it, and the honeypot's content."""

    comment: Comment
    commenter: Commenter
    honeypot: str = ""


def honeypot(sub: Submission) -> Verdict | None:
    """A field hidden from people but filled by bots. Kept as spam, not dropped: a moderator can rescue it."""
    if sub.honeypot.strip():
        return Verdict(Comment.Status.SPAM, "honeypot field was filled in")
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
    proofs = Comment.objects.public().filter(
        pk__in=commenter.written,
        author_email__iexact=commenter.email,
        user__isnull=True,
        status_via__in=[Comment.Via.MODERATOR, Comment.Via.RULES],
    )
    if (revoked := revoked_at(commenter.email)) is not None:
        proofs = proofs.filter(created_at__gt=revoked)
    return proofs.order_by("-created_at").only("author_name").first()


RULES: list[Callable[[Submission], Verdict | None]] = [honeypot, staff, proven_regular]

HOLD = Verdict(Comment.Status.PENDING, "first comment from this identity (or not proven in this browser)")


def judge(sub: Submission) -> Verdict:
    for rule in RULES:
        if (verdict := rule(sub)) is not None:
            return verdict
    return HOLD
