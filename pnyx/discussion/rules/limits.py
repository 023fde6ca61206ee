"""How fast comments are taken: rate limits per address, identity and post, and a thread's slow mode.

Counted from the comments themselves (the ORM, an indexed range of ``created_at``), so the limits hold
the same on SQLite and PostgreSQL, in every process and on every machine, and a dry run can count as
of an old comment's time. Spam counts too: a bot does not get more tries for being caught.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.db.models import Q
from django.utils.translation import gettext as _

from ..conf import conf
from ..models import Comment
from .base import RateLimited, Submission

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


def _scope(sub: Submission, scope: str) -> Q | None:
    if scope == "ip":
        return Q(ip=sub.comment.ip) if sub.comment.ip else None
    if scope == "post":
        return Q(thread_id=sub.comment.thread_id)
    return sub.identity()


def _exempt(sub: Submission) -> bool:
    if sub.commenter.is_staff:
        return True
    return sub.book is not None and sub.book.allows(email=sub.comment.author_email, ip=sub.comment.ip)


def _first_past(sub: Submission, same: Q, limits: list[Limit]) -> tuple[Limit, int] | None:
    """The first limit of one scope that ``sub`` is past, with the seconds until it fits, from one query:
    the newest comments of the widest window, as many as the largest amount (enough for every limit)."""
    widest, most = max(limit.seconds for limit in limits), max(limit.amount for limit in limits)
    window = sub.earlier().filter(same, created_at__gte=sub.at - timedelta(seconds=widest))
    times = list(window.order_by("-created_at").values_list("created_at", flat=True)[:most])
    for limit in limits:
        inside = [t for t in times if t >= sub.at - timedelta(seconds=limit.seconds)]
        if len(inside) >= limit.amount:  # the oldest of the last ``amount`` leaves the window first
            frees_at = inside[limit.amount - 1] + timedelta(seconds=limit.seconds)
            return limit, int((frees_at - sub.at).total_seconds()) + 1
    return None


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
        if past := _first_past(sub, same, limits):
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
        hour = sub.earlier().filter(thread_id=sub.comment.thread_id, created_at__gte=sub.at - timedelta(hours=1))
        if hour.filter(status=Comment.PUBLIC).count() >= per_hour:
            return f"more than {per_hour} comments in the last hour"
    return None


def slow_mode(sub: Submission) -> None:
    """In slow mode one comment per identity per ``slow_mode_seconds`` in the thread; staff are exempt."""
    if sub.book is None or sub.commenter.is_staff or not (seconds := sub.book.settings.slow_mode_seconds):
        return None
    if (why := slow_mode_on(sub)) is None:
        return None
    same = sub.identity()
    if same is None:
        return None
    if past := _first_past(sub, same & Q(thread_id=sub.comment.thread_id), [Limit(1, seconds, "identity")]):
        _limit, wait = past
        message = _("This discussion is in slow mode: one comment every %(n)d seconds.") % {"n": seconds}
        raise RateLimited(message, retry_after=wait, rule=f"slow mode ({why})")
    return None
