"""The spam engines as one rule: asked after the cheap rules, before trust decides."""

from ..models import Comment
from ..spam import EngineDown
from ..spam.engines import engines
from .base import Submission, Verdict


def spam_engines(sub: Submission) -> Verdict | None:
    """Spam if an engine says so. An engine that is down or slow holds the comment, never loses it.
    Old comments judged again (a dry run) are not sent anywhere."""
    if sub.book is None or sub.dry_run or sub.commenter.is_staff:
        return None
    for name, ask in engines(sub.book.settings):
        try:
            answer = ask(sub.comment)
        except EngineDown as down:
            return Verdict(Comment.Status.PENDING, f"{name} did not answer, held: {down}")
        if answer.spam:
            return Verdict(Comment.Status.SPAM, answer.detail)
    return None
