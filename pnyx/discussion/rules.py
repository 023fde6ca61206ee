"""The moderation rules a new comment runs through: an ordered list of small checks.

Each rule returns a Verdict (a status and the reason stored with the comment, shown to moderators)
or None to pass the comment on. The first verdict wins; a comment no rule lets through is held.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pnyx.identity.commenter import Commenter

from .models import Comment


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str

    @property
    def is_public(self) -> bool:
        return self.status == Comment.Status.APPROVED


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
    """Approved before under a proven identity: the account, or this browser's own approved comment."""
    if sub.commenter.has_approved_comment():
        return Verdict(Comment.Status.APPROVED, "proven commenter with an approved comment")
    return None


RULES: list[Callable[[Submission], Verdict | None]] = [honeypot, staff, proven_regular]

HOLD = Verdict(Comment.Status.PENDING, "first comment from this identity (or not proven in this browser)")


def judge(sub: Submission) -> Verdict:
    for rule in RULES:
        if (verdict := rule(sub)) is not None:
            return verdict
    return HOLD
