"""Every setting of the identity app, in one place with its default.

Operators set them through the environment, read once in ``pnyx/settings.py``; here they are read from
Django settings on use, so tests can override them with pytest-django's ``settings``.
"""

from django.conf import settings


class _Conf:
    COOKIE_NAME = "pnyx_commenter"
    """Signed cookie holding this browser's proofs: the comments it wrote, the addresses confirmed in it."""

    COOKIE_MAX_AGE = 365 * 24 * 3600
    """A year from the last comment: a regular reader stays recognised."""

    COOKIE_MAX_WRITTEN = 50
    """How many of its own comments a browser remembers (newest kept)."""

    CONFIRMATION_MAX_AGE = 7 * 24 * 3600
    """A confirmation link works for a week."""

    ADDRESS_PROOF_MAX_AGE = 365 * 24 * 3600
    """An address confirmed in a browser stays proven there for a year."""

    @property
    def CONFIRMATION_INTERVAL(self) -> int:  # noqa: N802
        """Seconds between two confirmation mails to one address, however many comments use it."""
        return settings.PNYX_CONFIRMATION_INTERVAL

    MASTODON_TIMEOUT = 10
    """Seconds pnyx waits for a Mastodon server at each request before telling the reader it did not answer."""

    @property
    def MASTODON(self) -> bool:  # noqa: N802
        """Whether the form offers Mastodon: it needs no site-wide credentials, only this switch."""
        return settings.PNYX_LOGIN_MASTODON

    @property
    def MASTODON_LOOPBACK(self) -> bool:  # noqa: N802
        """Tests only: a Mastodon server on this machine, over plain http, is accepted. Never set in production:
        a reader could then make this server send requests to itself."""
        return getattr(settings, "PNYX_LOGIN_MASTODON_LOOPBACK", False)

    @property
    def COOKIE_SECURE(self) -> bool:  # noqa: N802
        """Behind HTTPS every cookie is Secure, whatever the proxy said about this request."""
        return settings.PNYX_HTTPS


conf = _Conf()
