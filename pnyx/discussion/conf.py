"""Every setting of the discussion app, in one place with its default.

The tunable ones are read from Django settings or else the environment (``PNYX_THREAD_DEPTH=3``)
each time they are used, so tests can override them with pytest-django's ``settings``.
"""

import os

from django.conf import settings


def _setting(name: str, default: int | str) -> int | str:
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None:
        return default
    return type(default)(raw)


class _Conf:
    @property
    def THREAD_DEPTH(self) -> int:  # noqa: N802
        """How deep replies nest on the page; a reply to the deepest level joins that level (WordPress: 5)."""
        return max(1, int(_setting("PNYX_THREAD_DEPTH", 5)))

    @property
    def BODY_MAX_LENGTH(self) -> int:  # noqa: N802
        """Longest comment body, in characters."""
        return int(_setting("PNYX_COMMENT_MAX_LENGTH", 10_000))

    NAME_MAX_LENGTH = 100
    """Longest guest name."""

    COOKIE_NAME = "pnyx_commenter"
    """Signed cookie naming the comments this browser wrote: the guest's proof of identity."""

    COOKIE_MAX_AGE = 365 * 24 * 3600
    """A year: a regular reader stays recognised."""

    COOKIE_MAX_COMMENTS = 50
    """How many of its own comments a browser remembers (newest kept)."""


conf = _Conf()
