"""What a rule receives and what it answers: a Submission in, a Verdict (or a refusal) out."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from pnyx.identity.commenter import Commenter
from pnyx.precompiled import Param, Precompiled

from ..conf import conf
from ..models import Comment, same_email
from ..rulebook import Rulebook

OWN_RECENT = 50
"""How many of an identity's comments of the last ``conf.COPY_WINDOW`` the rules read at once: enough for
any reader, few enough that a bot's stream or a busy staff account is counted in the database instead."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which comments a rule reads or counts, as a query's shape and the values that fill it in.

    Why not a Q: every comment's rules read the same few shapes of query with other values (this
    address's comments of the last day, this identity's), and Django building and compiling them was
    half of a comment POST's CPU. A scope's queries compile once per shape (``ask``, ``pnyx.precompiled``).
    Each name in ``shape`` takes its values in turn (``q``); scopes combine with ``&``.
    """

    shape: tuple = ()
    values: tuple[Param, ...] = ()

    def __and__(self, other: "Scope") -> "Scope":
        return Scope(self.shape + other.shape, self.values + other.values)

    def q(self) -> Q:
        same, values = Q(), iter(self.values)
        for name in self.shape:
            match name:
                case "before":
                    same &= Q(created_at__lt=next(values))
                case "since":
                    same &= Q(created_at__gte=next(values))
                case "not comment":
                    same &= ~Q(pk=next(values))
                case "thread":
                    same &= Q(thread_id=next(values))
                case "not thread":
                    same &= ~Q(thread_id=next(values))
                case "ip":
                    same &= Q(ip=next(values))
                case "user":
                    same &= Q(user_id=next(values))
                case ("guest", written, email):  # this browser's comments, or the typed address's
                    guest = Q(pk__in=[next(values) for _ in range(written)])
                    if email:
                        guest |= Q(user__isnull=True) & same_email(next(values))
                    same &= guest
                case _:
                    raise ValueError(f"no such part of a scope: {name!r}")
        return same

    def comments(self) -> QuerySet:
        return Comment.objects.filter(self.q())

    def ask(self, query: Precompiled, *more: Param, **shape: Hashable) -> list:
        """``query`` for this scope: its builder receives the scope's values, then ``more``, and the
        scope's shape as ``shape=``, beside the other keywords of the query's own shape."""
        return query(*self.values, *more, shape=self.shape, **shape)


def written_since(moment: datetime) -> Scope:
    return Scope(("since",), (moment,))


def in_thread(thread_id: int) -> Scope:
    return Scope(("thread",), (thread_id,))


def _own_rows(*values: Param, shape: tuple, limit: int | None) -> QuerySet:
    rows = Scope(shape, values).comments().order_by("-created_at").values_list("pk", "thread_id", "created_at", "body")
    return rows[:limit] if limit else rows


_own = Precompiled(_own_rows)


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
    """What the rules read once and share (``own_recent``); a copy made by ``replace`` reads it afresh."""

    @property
    def at(self) -> datetime:
        """The moment the comment is judged at: now for a new one, its time for an old one (a dry run)."""
        return self.comment.created_at

    def earlier(self) -> Scope:
        """Comments written before this one (itself excluded), the scope every counting rule starts from."""
        if self.comment.pk:
            return Scope(("before", "not comment"), (self.at, self.comment.pk))
        return Scope(("before",), (self.at,))

    def identity(self) -> Scope | None:
        """The comments of the same identity: the account, or a guest's address or this browser's comments;
        None for a guest who gave neither."""
        commenter = self.commenter
        if commenter.user is not None:
            return Scope(("user",), (commenter.user.pk,))
        if not (commenter.email or commenter.written):
            return None
        # Lower-cased here, as the address is in the query (``same_email``): the value is then found in
        # the compiled statement, which is kept.
        email = (commenter.email.lower(),) if commenter.email else ()
        return Scope((("guest", len(commenter.written), bool(email)),), (*commenter.written, *email))

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
        scope = self.earlier() & same & written_since(since)
        if thread_id is not None:
            scope &= in_thread(thread_id)
        if elsewhere_than is not None:
            scope &= Scope(("not thread",), (elsewhere_than,))
        return [Earlier(*row) for row in scope.ask(_own, limit=limit)]

    def own_few(self, since: datetime) -> list[Earlier] | None:
        """The identity's comments from ``since`` (``own``), or None when it wrote more than ``OWN_RECENT``
        of them: the caller then asks the database for the few it needs."""
        rows = self.own(since=since, limit=OWN_RECENT + 1)
        return rows if len(rows) <= OWN_RECENT else None

    def own_recent(self) -> list[Earlier] | None:
        """The identity's comments of the last ``conf.COPY_WINDOW`` (``own_few``), read once for every rule
        that looks at them: a repeat, a copy, the identity's rate limits, slow mode."""
        if "own" not in self._read:
            self._read["own"] = self.own_few(self.at - timedelta(seconds=conf.COPY_WINDOW))
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
