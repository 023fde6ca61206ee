"""Every setting of the outbox, in one place with its default.

Operators set them through the environment, read and checked once in ``pnyx/settings.py``; here they
are read from Django settings on use, so tests can override them with pytest-django's ``settings``.
"""

from django.conf import settings


class _Conf:
    @property
    def HOURLY_LIMIT(self) -> int:  # noqa: N802
        """Mails to one address in any hour, whatever the reasons: a flood of comments never floods an inbox."""
        return settings.PNYX_EMAIL_HOURLY_LIMIT

    @property
    def RETRY_DELAYS(self) -> tuple[int, ...]:  # noqa: N802
        """Seconds to wait before each new attempt after a failed one; when they run out the mail is failed
        (kept in the delivery log, where staff can send it again). About a day in all."""
        return getattr(settings, "PNYX_EMAIL_RETRY_DELAYS", (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600))

    @property
    def DIGEST_MINUTES(self) -> int:  # noqa: N802
        """Comments on one post within this many minutes reach a follower as one mail listing them; 0 sends
        one mail per comment, at once."""
        return settings.PNYX_EMAIL_DIGEST_MINUTES

    SUBSCRIBE_MAX_AGE = 7 * 24 * 3600
    """Seconds a link confirming a subscription works: long enough for a holiday, short enough that an
    old mail found by someone else confirms nothing."""

    STALE_AFTER = 15 * 60
    """Seconds after which a mail still waiting (its task lost with a crashed worker or an unreachable
    Redis) is handed to the queue again when a worker starts."""


conf = _Conf()
