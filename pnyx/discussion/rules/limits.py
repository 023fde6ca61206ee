"""How fast comments are taken: rate limits per address, identity and post, and a thread's slow mode.

Counted from the comments themselves (the ORM, an indexed range of ``created_at``), so the limits hold
the same on SQLite and PostgreSQL, in every process and on every machine, and a dry run can count as
of an old comment's time. Spam counts too: a bot does not get more tries for being caught.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from pnyx.precompiled import Param, Precompiled, one_row

from ..conf import conf
from ..models import Comment
from .base import RateLimited, Scope, Submission, in_thread, written_since

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ENTRY = re.compile(r"(\d+)/(\d*)([smhd])/(ip|identity|post)")


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int
    scope: str

    def __str__(self) -> str:
        return f"{self.amount} per {timedelta(seconds=self.seconds)} per {self.scope}"


@lru_cache(maxsize=8)
def parse_limits(spec: str) -> tuple[Limit, ...]:
    """``"5/m/ip,30/h/ip"`` -> its limits. Bad entries were refused at start (``settings.py``)."""
    limits = []
    for entry in spec.split(","):
        if match := _ENTRY.fullmatch(entry.strip()):
            amount, count, unit, scope = match.groups()
            limits.append(Limit(int(amount), int(count or 1) * _UNITS[unit], scope))
    return tuple(limits)


def _scope(sub: Submission, scope: str) -> Scope | None:
    if scope == "ip":
        return Scope(("ip",), (sub.comment.ip,)) if sub.comment.ip else None
    if scope == "post":
        return in_thread(sub.comment.thread_id)
    return sub.identity()


def _exempt(sub: Submission) -> bool:
    if sub.commenter.is_staff:
        return True
    return sub.book is not None and sub.book.allows(email=sub.comment.author_email, ip=sub.comment.ip)


def _window_counts(*values: Param, shape: tuple, narrower: int) -> QuerySet:
    """How many comments of the scope (``shape``, the values but the last ``narrower``) there are, and
    how many since each of the last ``narrower`` values: one row."""
    starts = values[len(values) - narrower :]
    rows = Scope(shape, values[: len(values) - narrower]).comments()
    inside = {f"since{i}": Count("pk", filter=Q(created_at__gte=start)) for i, start in enumerate(starts)}
    return one_row(rows, widest=Count("pk"), **inside)


_counts = Precompiled(_window_counts)
_public_count = Precompiled(
    lambda *values, shape: one_row(Scope(shape, values).comments().filter(status=Comment.PUBLIC), n=Count("pk"))
)


def _first_past(sub: Submission, same: Scope, limits: list[Limit]) -> tuple[Limit, int] | None:
    """The first limit of one scope that ``sub`` is past, with the seconds until it fits.

    One query counts the scope's comments in each limit's window (an index range each); only a limit
    that is past reads the one time it needs. Reading the times themselves would fetch as many rows as
    the largest amount, and a generous limit (a busy thread's ``post`` scope) made every comment pay
    for every comment before it. The widest window is the range read, so it is counted whole.
    """
    widest, *narrower = sorted({limit.seconds for limit in limits}, reverse=True)
    start = {seconds: sub.at - timedelta(seconds=seconds) for seconds in (widest, *narrower)}
    window = sub.earlier() & same & written_since(start[widest])
    [counts] = window.ask(_counts, *(start[seconds] for seconds in narrower), narrower=len(narrower))
    counted = dict(zip((widest, *narrower), counts, strict=True))
    for limit in limits:
        if counted[limit.seconds] >= limit.amount:  # the oldest of the last ``amount`` leaves the window first
            inside = (window & written_since(start[limit.seconds])).comments()
            oldest = inside.order_by("-created_at").values_list("created_at", flat=True)[limit.amount - 1]
            return limit, _wait(sub, limit, oldest)
    return None


def _first_past_in(sub: Submission, times: list[datetime], limits: list[Limit]) -> tuple[Limit, int] | None:
    """``_first_past`` from times already read: newest first, every one in the widest window."""
    for limit in limits:
        since = sub.at - timedelta(seconds=limit.seconds)
        inside = [time for time in times if time >= since]
        if len(inside) >= limit.amount:
            return limit, _wait(sub, limit, inside[limit.amount - 1])
    return None


def _wait(sub: Submission, limit: Limit, oldest: datetime) -> int:
    """Seconds until ``oldest``, the oldest of the last ``limit.amount`` comments, leaves the window."""
    return int((oldest + timedelta(seconds=limit.seconds) - sub.at).total_seconds()) + 1


def _own_first_past(sub: Submission, limits: list[Limit], *, thread_id: int | None = None) -> tuple[Limit, int] | None:
    """``_first_past`` for the identity's comments (in ``thread_id`` alone, when given), from what the
    rules read once (``Submission.own_recent``) when that covers the limits' windows."""
    own = sub.own_recent() if max(limit.seconds for limit in limits) <= conf.COPY_WINDOW else None
    if own is None:
        same = sub.identity()
        return _first_past(sub, same if thread_id is None else same & in_thread(thread_id), limits)
    times = [earlier.created_at for earlier in own if thread_id is None or earlier.thread_id == thread_id]
    return _first_past_in(sub, times, limits)


def rate_limits(sub: Submission) -> None:
    """Refuse (429) a comment past any of ``conf.RATE_LIMITS``, saying how long to wait."""
    if _exempt(sub):
        return None
    by_scope: dict[str, list[Limit]] = {}
    for limit in parse_limits(conf.RATE_LIMITS):
        by_scope.setdefault(limit.scope, []).append(limit)
    for scope, limits in by_scope.items():
        same = _scope(sub, scope)
        if same is None:
            continue
        if past := _own_first_past(sub, limits) if scope == "identity" else _first_past(sub, same, limits):
            limit, wait = past
            message = (
                _("This discussion is taking too many comments right now.")
                if scope == "post"
                else _("You are commenting faster than this site allows.")
            )
            raise RateLimited(message, retry_after=wait, rule=f"rate limit {limit}")
    return None


def slow_mode_on(sub: Submission) -> str | None:
    """Why the thread is in slow mode (a moderator, or its pace in the last hour), or None."""
    if sub.comment.thread.slow_mode:
        return "switched on by a moderator"
    per_hour = sub.book.settings.slow_mode_after_per_hour if sub.book is not None else 0
    if per_hour:
        hour = sub.earlier() & in_thread(sub.comment.thread_id) & written_since(sub.at - timedelta(hours=1))
        [(count,)] = hour.ask(_public_count)
        if count >= per_hour:
            return f"more than {per_hour} comments in the last hour"
    return None


def slow_mode(sub: Submission) -> None:
    """In slow mode one comment per identity per ``slow_mode_seconds`` in the thread; staff are exempt."""
    if sub.book is None or sub.commenter.is_staff or not (seconds := sub.book.settings.slow_mode_seconds):
        return None
    if sub.identity() is None:
        return None
    # Whether this identity wrote here that recently is asked first: usually it did not (and the rules
    # have read its comments already), and then the thread's pace need not be counted at all.
    past = _own_first_past(sub, [Limit(1, seconds, "identity")], thread_id=sub.comment.thread_id)
    if past is None or (why := slow_mode_on(sub)) is None:
        return None
    _limit, wait = past
    message = _("This discussion is in slow mode: one comment every %(n)d seconds.") % {"n": seconds}
    raise RateLimited(message, retry_after=wait, rule=f"slow mode ({why})")
