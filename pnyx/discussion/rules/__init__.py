"""The moderation rules every comment text runs through: one ordered list of small checks.

Each rule looks at a ``Submission`` and returns a ``Verdict`` (a status, and the reason stored with the
comment as ``status_reason``, which moderators see), returns None to pass the comment on, or refuses
it outright (``CommentRefused``: a closed thread, a duplicate, a rate limit; nothing is stored). The
first verdict wins. The same loop with ``dry_run=True`` judges old comments again (``dryrun``).
"""

from collections.abc import Callable
from dataclasses import replace

from ..rulebook import rulebook
from .base import CommentRefused, DuplicateComment, RateLimited, Submission, Verdict
from .content import blocklists, closed, same_text, too_many_links
from .engines import spam_engines
from .limits import rate_limits, slow_mode
from .trust import HOLD, first_comment, honeypot, proven_regular, staff

__all__ = [
    "HOLD",
    "RULES",
    "CommentRefused",
    "DuplicateComment",
    "RateLimited",
    "Submission",
    "Verdict",
    "judge",
]

Rule = Callable[[Submission], Verdict | None]

RULES: list[Rule] = [
    closed,  # refuses: the post closed its comments by itself (close_after_days)
    same_text,  # refuses the same text in the same thread moments ago; spam when copied across threads
    honeypot,  # spam: the hidden field was filled in
    staff,  # approved: staff write what they like
    rate_limits,  # refuses, 429: too many from this address, identity or into this post
    slow_mode,  # refuses, 429: one comment per identity per N seconds in a slow thread
    blocklists,  # spam (or held): blocked word, address, IP range or link domain, unless allowlisted
    too_many_links,  # held: more than max_links links
    spam_engines,  # spam if SpamAssassin or Akismet says so; held if one is down
    proven_regular,  # approved: a proven identity with an approved comment, under its own name
    first_comment,  # held: nobody has vouched for this identity yet
]


def judge(sub: Submission, *, rules: list[Rule] | None = None) -> Verdict:
    """The first verdict of ``rules`` (``RULES``); refusals propagate. The current settings are used
    unless ``sub`` carries others (a dry run of changed settings)."""
    if sub.book is None:
        sub = replace(sub, book=rulebook())
    for rule in RULES if rules is None else rules:
        if (verdict := rule(sub)) is not None:
            return verdict
    return HOLD
