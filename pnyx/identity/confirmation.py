"""Links that prove an email address: signed, time-limited tokens naming the address and what they confirm.

What a confirmed address then allows is written in ``commenter``; what the link confirms (a comment)
is the business of whoever asked for it. Sending is limited per address (``models.claim_confirmation``).
"""

from django.core import signing

from .conf import conf
from .models import claim_confirmation

_SALT = "pnyx.identity.confirmation"


def address_token(email: str, subject: int) -> str:
    """A token for a link proving ``email``, about ``subject`` (e.g. the id of a held comment)."""
    return signing.dumps({"s": subject, "e": email.strip().lower()}, salt=_SALT, compress=True)


def read_address_token(token: str) -> tuple[str, int] | None:
    """The (address, subject) a token proves; None for a forged or expired one."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=conf.CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    email, subject = data.get("e"), data.get("s")
    if not isinstance(email, str) or not isinstance(subject, int):
        return None
    return email, subject


def may_send_confirmation(email: str) -> bool:
    """At most one confirmation mail per address per ``PNYX_CONFIRMATION_INTERVAL``, whatever asks for it."""
    return claim_confirmation(email, interval=conf.CONFIRMATION_INTERVAL)
