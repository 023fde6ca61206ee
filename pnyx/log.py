"""How pnyx's log reads: a client's mistake is one line; a fault of pnyx's own keeps its traceback."""

import logging


class OneLineFormatter(logging.Formatter):
    """Leave out the traceback Django attaches to what it refuses as suspicious.

    A Host header not in ``PNYX_ALLOWED_HOSTS``, an oversized body, too many fields: the message says all
    there is (what was refused, and why), and the traceback of Django's own request parsing would only
    bury it and look like a crash to the operator.
    """

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return ""

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 (logging's name)
        return ""
