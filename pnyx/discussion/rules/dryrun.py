"""A rule change tried first: the recent comments judged again, by the current settings and by the
changed ones, and what would have come out differently.

Each old comment is judged as of its own time (the rate limits count the comments before it), by
the same ``judge`` loop with ``dry_run=True``: no engine is asked and nothing is written. Two things
are not stored and so are guessed: whether the honeypot was filled (yes if that is why the comment
was marked spam), and which browser wrote it (a guest's earlier comments under the same address are
taken as written in the same browser).
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.utils import timezone

from pnyx.identity.commenter import Commenter

from ..models import Comment
from ..rulebook import ModerationSettings, Rulebook, rulebook
from . import CommentRefused, Submission, judge
from .trust import HONEYPOT_REASON

REFUSED = "refused"


@dataclass(frozen=True)
class Difference:
    comment: Comment
    now: str  # what the current settings make of it: a status, or "refused"
    then: str  # what the tried settings would
    reason: str  # the tried settings' reason


@dataclass
class DryRun:
    judged: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        """How many comments would move from one outcome to another: ``{("approved", "spam"): 3}``."""
        return Counter((d.now, d.then) for d in self.differences)

    def would_become(self, outcome: str) -> list[Difference]:
        return [d for d in self.differences if d.then == outcome]


def _outcome(sub: Submission) -> tuple[str, str]:
    try:
        verdict = judge(sub)
    except CommentRefused as refusal:
        return REFUSED, str(getattr(refusal, "rule", "")) or str(refusal)
    return verdict.status, verdict.reason


def _commenter(comment: Comment) -> Commenter:
    if comment.user_id is not None:
        return Commenter(user=comment.user)
    written = []
    if comment.author_email:
        earlier = Comment.objects.under_email(comment.author_email).filter(created_at__lt=comment.created_at)
        written = list(earlier.order_by("-created_at").values_list("pk", flat=True)[:50])
    return Commenter(name=comment.author_name, email=comment.author_email, url=comment.author_url, written=written)


def dry_run(*, settings: ModerationSettings, weeks: int = 4, limit: int = 5000) -> DryRun:
    """Judge the comments of the last ``weeks`` weeks (the newest ``limit``) by ``settings`` (unsaved
    ones, usually) and by the current settings; return what would come out differently."""
    tried, current = Rulebook.of(settings), rulebook()
    since = timezone.now() - timedelta(weeks=weeks)
    recent = (
        Comment.objects.filter(created_at__gte=since, kind=Comment.Kind.COMMENT)
        .exclude(status_via=Comment.Via.IMPORT)
        .select_related("thread__post", "user")
        .order_by("-created_at")[:limit]
    )
    report = DryRun()
    for comment in recent:
        filled = "filled" if comment.status_reason == HONEYPOT_REASON else ""
        base = Submission(comment=comment, commenter=_commenter(comment), honeypot=filled, dry_run=True)
        now, _reason = _outcome(replace(base, book=current))
        then, reason = _outcome(replace(base, book=tried))
        report.judged += 1
        if now != then:
            report.differences.append(Difference(comment=comment, now=now, then=then, reason=reason))
    return report
