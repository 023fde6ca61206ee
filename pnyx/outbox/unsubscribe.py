"""One-click unsubscribe: a signed link in every mail, and the addresses that used it.

The token names the address and the reason it was mailed for; it never expires, because a link in a
mail from last year must still work. Nothing but the link is needed: no account, no password.
"""

from django.core import signing
from django.db import IntegrityError, transaction

from .models import Unsubscribe

_SALT = "pnyx.outbox.unsubscribe"


def unsubscribe_token(email: str, reason: str) -> str:
    return signing.dumps({"e": email.strip().lower(), "r": reason}, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """(address, reason) from a link; None for a forged or garbled one."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    email, reason = (data.get("e"), data.get("r")) if isinstance(data, dict) else (None, None)
    if not isinstance(email, str) or not isinstance(reason, str) or not email or not reason:
        return None
    return email, reason


def unsubscribed(email: str, reason: str) -> bool:
    """Does ``email`` want no mail for ``reason`` (or none at all)?"""
    return Unsubscribe.objects.filter(email=email.strip().lower(), reason__in=(reason, Unsubscribe.ALL)).exists()


def address_unsubscribe(*, email: str, reason: str) -> None:
    """No more mail for ``reason`` to ``email``; saying it twice changes nothing."""
    try:
        with transaction.atomic():
            Unsubscribe.objects.get_or_create(email=email.strip().lower(), reason=reason[:40])
    except IntegrityError:
        pass  # the same click twice at once: the first one counted
