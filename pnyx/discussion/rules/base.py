"""What a rule receives and what it answers: a Submission in, a Verdict (or a refusal) out."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from pnyx.identity.commenter import Commenter

from ..models import Comment
from ..rulebook import Rulebook


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str

    @property
    def is_public(self) -> bool:
        return self.status == Comment.PUBLIC


@dataclass(frozen=True)
class Submission:
    """What the rules judge: the comment as written, who wrote it, and the honeypot's content.

    ``book`` is the moderation settings the rules apply (the current ones unless a dry run tries others);
    ``dry_run`` says the comment is an old one judged again, so nothing may be sent anywhere.
    """

    comment: Comment
    commenter: Commenter
    honeypot: str = ""
    book: Rulebook | None = None
    dry_run: bool = False

    @property
    def at(self) -> datetime:
        """The moment the comment is judged at: now for a new one, its time for an old one (a dry run)."""
        return self.comment.created_at

    def earlier(self):
        """Comments written before this one (itself excluded), the queryset every counting rule starts from."""
        earlier = Comment.objects.filter(created_at__lt=self.at)
        return earlier.exclude(pk=self.comment.pk) if self.comment.pk else earlier

    def identity(self) -> Q | None:
        """The comments of the same identity: the account, or a guest's address or this browser's comments."""
        commenter = self.commenter
        if commenter.user is not None:
            return Q(user=commenter.user)
        same = Q(pk__in=commenter.written) if commenter.written else Q(pk__in=[])
        if commenter.email:  # lower-cased on both sides, as the (email, time) index has it
            same |= Q(Q(user__isnull=True), Exact(Lower("author_email"), commenter.email.lower()))
        return same if (commenter.email or commenter.written) else None


class CommentRefused(Exception):
    """The comment cannot be taken at all (closed post, vanished parent); the message says why."""


class DuplicateComment(CommentRefused):
    """The same text from the same identity in the same thread, moments ago: ``original`` is the first."""

    def __init__(self, original: Comment) -> None:
        super().__init__(_("You already posted this comment here."))
        self.original = original


class RateLimited(CommentRefused):
    """Too many comments too fast; ``retry_after`` seconds until this one would be taken."""

    def __init__(self, message: str, *, retry_after: int, rule: str) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
        self.rule = rule
