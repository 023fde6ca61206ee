"""Redis out of reach, as one user of it found it: the site's caches ride out a Redis that restarts or
goes away (``pnyx.pagecache``, ``pnyx.rediscache``), and both follow the same rule, kept here.

After a call fails, Redis is not asked again for ``RETRY_SECONDS``: a Redis that stopped answering would
otherwise cost every request its timeout. One warning when it goes, one when it answers again.
"""

import logging
import time

RETRY_SECONDS = 1.0


class Outage:
    def __init__(self, logger: logging.Logger, meanwhile: str) -> None:
        self.logger = logger
        self.meanwhile = meanwhile
        """What its user does while Redis is gone, for the warning."""
        self.retry_at: float | None = None
        """While Redis is out of reach: when to ask it again."""

    def waiting(self) -> bool:
        """Whether Redis was found out of reach and is not to be asked yet."""
        return self.retry_at is not None and time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        if self.retry_at is None:
            self.logger.warning("Redis is out of reach; %s: %s", self.meanwhile, error)
        self.retry_at = time.monotonic() + RETRY_SECONDS

    def answered(self) -> None:
        """Redis answered: the outage, if there was one, is over."""
        if self.retry_at is not None:
            self.retry_at = None
            self.logger.warning("Redis answers again")
