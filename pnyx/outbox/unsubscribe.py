"""One-click unsubscribe: a signed link in every mail, and the addresses that used it.

The token names the address and the reason it was mailed for (or, for news of a topic, the topic:
``topic:<key>``, so the link ends that one subscription); it never expires, because a link in a
mail from last year must still work. Nothing but the link is needed: no account, no password.
"""

from django.core import signing
from django.db import IntegrityError, transaction

from .models import Unsubscribe

_SALT = "pnyx.outbox.unsubscribe"
_MANAGE_SALT = "pnyx.outbox.manage"


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


def manage_token(email: str) -> str:
    """The token of an address's management page (``views.manage``): like an unsubscribe link, it never
    expires and needs no account."""
    return signing.dumps({"e": email.strip().lower()}, salt=_MANAGE_SALT, compress=True)


def read_manage_token(token: str) -> str | None:
    """The address a management link proves; None for a forged or garbled one."""
    try:
        data = signing.loads(token, salt=_MANAGE_SALT)
    except signing.BadSignature:
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


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


def address_resubscribe(*, email: str, reason: str) -> None:
    """Mail for ``reason`` to ``email`` again (the management page's "turn on")."""
    Unsubscribe.objects.filter(email=email.strip().lower(), reason=reason).delete()
