"""Every setting of the discussion app, in one place with its default.

Operators set them through the environment, read and checked once in ``pnyx/settings.py``; here they
are read from Django settings on use, so tests can override them with pytest-django's ``settings``.
"""

from django.conf import settings


class _Conf:
    @property
    def THREAD_DEPTH(self) -> int:  # noqa: N802
        """How deep replies nest on the page; a reply to the deepest level joins that level (WordPress: 5)."""
        return settings.PNYX_THREAD_DEPTH

    @property
    def BODY_MAX_LENGTH(self) -> int:  # noqa: N802
        """Longest comment a reader may post, in characters."""
        return settings.PNYX_COMMENT_MAX_LENGTH

    @property
    def COMMENTS_PER_PAGE(self) -> int:  # noqa: N802
        """Top-level comments on one page of a thread; each comes with all its replies (WordPress: 50)."""
        return settings.PNYX_COMMENTS_PER_PAGE

    @property
    def EDIT_WINDOW(self) -> int:  # noqa: N802
        """Seconds after posting in which the author may edit or delete their comment (0: never)."""
        return settings.PNYX_COMMENT_EDIT_MINUTES * 60

    DUPLICATE_WINDOW = 10 * 60
    """Seconds in which the same text from the same identity in one thread is refused as a duplicate."""


conf = _Conf()
