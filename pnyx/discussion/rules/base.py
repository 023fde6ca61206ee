"""What a rule receives and what it answers: a Submission in, a Verdict (or a refusal) out."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from pnyx.identity.commenter import Commenter

from ..conf import conf
from ..models import Comment, same_email
from ..rulebook import Rulebook

OWN_RECENT = 50
"""How many of an identity's comments of the last ``conf.COPY_WINDOW`` the rules read at once: enough for
any reader, few enough that a bot's stream or a busy staff account is counted in the database instead."""


@dataclass(frozen=True, slots=True)
class Earlier:
    """One of the identity's comments before this one, as the rules compare them."""

    pk: int
    thread_id: int
    created_at: datetime
    body: str


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
    _read: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """What the rules work out once and share (``identity``, ``own_recent``); a copy made by ``replace``
    works it out afresh."""

    @property
    def at(self) -> datetime:
        """The moment the comment is judged at: now for a new one, its time for an old one (a dry run)."""
        return self.comment.created_at

    def earlier(self):
        """Comments written before this one (itself excluded), the queryset every counting rule starts from."""
        earlier = Comment.objects.filter(created_at__lt=self.at)
        return earlier.exclude(pk=self.comment.pk) if self.comment.pk else earlier

    def identity(self) -> Q | None:
        """The comments of the same identity: the account, or a guest's address or this browser's comments.
        Made once (``_identity``): nearly every rule asks."""
        if "identity" not in self._read:
            self._read["identity"] = self._identity()
        return self._read["identity"]

    def _identity(self) -> Q | None:
        commenter = self.commenter
        if commenter.user is not None:
            return Q(user=commenter.user)
        same = Q(pk__in=commenter.written) if commenter.written else Q(pk__in=[])
        if commenter.email:
            same |= Q(user__isnull=True) & same_email(commenter.email)
        return same if (commenter.email or commenter.written) else None

    def own(
        self,
        *,
        since: datetime,
        thread_id: int | None = None,
        elsewhere_than: int | None = None,
        limit: int | None = None,
    ) -> list[Earlier]:
        """The identity's comments from ``since`` up to this one, newest first: in ``thread_id`` alone, or
        outside ``elsewhere_than``, when given; the newest ``limit`` when given."""
        same = self.identity()
        if same is None:
            return []
        rows = self.earlier().filter(same, created_at__gte=since)
        if thread_id is not None:
            rows = rows.filter(thread_id=thread_id)
        if elsewhere_than is not None:
            rows = rows.exclude(thread_id=elsewhere_than)
        rows = rows.order_by("-created_at").values_list("pk", "thread_id", "created_at", "body")
        return [Earlier(*row) for row in (rows[:limit] if limit else rows)]

    def own_recent(self) -> list[Earlier] | None:
        """The identity's comments of the last ``conf.COPY_WINDOW``, newest first (``own``), read once for
        every rule that looks at them: a repeat, a copy, the identity's rate limits, slow mode. None when
        it wrote more than ``OWN_RECENT`` of them: each rule then asks the database what it needs."""
        if "own" not in self._read:
            rows = self.own(since=self.at - timedelta(seconds=conf.COPY_WINDOW), limit=OWN_RECENT + 1)
            self._read["own"] = rows if len(rows) <= OWN_RECENT else None
        return self._read["own"]


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
