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
    def RATE_LIMITS(self) -> str:  # noqa: N802
        """How many comments are taken, as ``amount/period/scope`` (period ``s``, ``m``, ``h``, ``d``, or
        e.g. ``10m``; scope ``ip``, ``identity`` or ``post``), comma-separated. Past any of them a
        comment is refused with 429 and the time to wait; staff and allowlisted readers are never limited.
        ``PNYX_COMMENT_RATE_LIMITS`` replaces the whole string; the default, entry by entry:

        - ``5/m/ip``: five comments a minute from one address: nobody types faster, and a few readers
          behind one office or phone-network address still fit;
        - ``30/h/ip``: a lively discussion from one address, not a bot's stream;
        - ``200/d/ip``: a school's or a company's shared address on a busy day;
        - ``3/m/identity``: one person (an account, an address, or a browser) writes at most three a minute;
        - ``20/h/identity``: and twenty an hour, an afternoon's heated argument;
        - ``30/m/post``: a whole thread takes at most thirty a minute, whoever writes: a flood, not a debate.
        """
        return settings.PNYX_COMMENT_RATE_LIMITS

    @property
    def EDIT_WINDOW(self) -> int:  # noqa: N802
        """Seconds after posting in which the author may edit or delete their comment (0: never)."""
        return settings.PNYX_COMMENT_EDIT_MINUTES * 60

    @property
    def NOTICE_DELAY(self) -> int:  # noqa: N802
        """Seconds the notice task waits before it writes the mails of held and published comments: the
        changes of that time, from every web process, are then told in one run (and a moderator's held
        comments in one mail) instead of a run each."""
        return settings.PNYX_NOTICE_DELAY

    DUPLICATE_WINDOW = 10 * 60
    """Seconds in which the same text from the same identity in one thread is refused as a duplicate."""

    COPY_WINDOW = 24 * 3600
    """Seconds in which the same text from the same identity in another thread is marked spam (a bot's
    round of the blog); texts shorter than ``COPY_MIN_LENGTH`` ("Thanks!", "+1") are left alone."""
    COPY_MIN_LENGTH = 30


conf = _Conf()
