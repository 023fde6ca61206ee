"""Subscriptions: who asked for news of what, and the signed links that confirm and manage them.

A topic is any object (a discussion) or None (the whole blog); the app that owns the object decides
what its news is and mails it (``discussion.following``, ``blog.announce``) with ``subscribers`` and a
claim on ``Mailed``, so the news reaches each subscriber once however many workers run.

An address nobody has proven gets a subscription that waits, and one mail with a link; pressing the
button on the linked page confirms every subscription waiting for that address (double opt-in: nobody
can subscribe someone else). A second request within the hour sends no second mail: the first link
confirms it too. The management link needs no account: it proves the address and never expires, like
an unsubscribe link.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from .conf import conf
from .models import Email, Mailed, Reason, Subscription
from .services import email_queue

_CONFIRM_SALT = "pnyx.outbox.subscribe"


def confirm_token(email: str) -> str:
    return signing.dumps({"e": email.strip().lower()}, salt=_CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> str | None:
    """The address a confirmation link proves; None for a forged or expired one."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=conf.SUBSCRIBE_MAX_AGE)
    except signing.BadSignature:
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


def account_address(user) -> tuple[str, bool]:
    """A signed-in reader's address, and whether their account verified it (allauth's record)."""
    from allauth.account.models import EmailAddress

    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return "", False
    return email, EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def subscribers(topic: models.Model | None) -> models.QuerySet:
    """The confirmed subscriptions to ``topic`` (None: the blog), oldest first."""
    return Subscription.objects.of_topic(topic).confirmed().order_by("pk")


def subscription_add(*, email: str, topic: models.Model | None, proven: bool) -> Subscription:
    """Subscribe ``email`` to ``topic``: at once if the caller proved the address (a verified account, a
    browser that confirmed it), else waiting for the emailed link. Asking twice changes nothing."""
    email = email.strip().lower()
    topic_type = ContentType.objects.get_for_model(topic) if topic is not None else None
    key = {"email": email, "topic_type": topic_type, "topic_id": topic.pk if topic is not None else 0}
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.get_or_create(**key)
    except IntegrityError:  # the same request twice at once: the first one wrote it
        subscription = Subscription.objects.get(**key)
    if subscription.confirmed_at is not None:
        return subscription
    if proven:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    elif not _confirmation_sent_lately(email):
        email_queue(
            to=email,
            reason=Reason.SUBSCRIBE,
            template="outbox/mail/subscribe",
            context={"url": settings.PNYX_BASE_URL + reverse("outbox:confirm", args=[confirm_token(email)])},
        )
    return subscription


def _confirmation_sent_lately(email: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    return Email.objects.counted().filter(to=email, reason=Reason.SUBSCRIBE, created_at__gte=since).exists()


def subscription_confirm(*, email: str) -> int:
    """The address's owner pressed the button: every subscription waiting for it counts from now."""
    waiting = Subscription.objects.filter(email=email.strip().lower(), confirmed_at__isnull=True)
    return waiting.update(confirmed_at=timezone.now())


def subscription_end(*, email: str, key: str) -> int:
    """No more news of the topic ``key`` (``Subscription.topic_key``) for ``email``; 0 if there was none."""
    mine = Subscription.objects.filter(email=email.strip().lower())
    return mine.filter(pk__in=[s.pk for s in mine if s.topic_key == key]).delete()[0]


def manage_link_send(*, email: str) -> bool:
    """Mail ``email`` the link to its management page, if this site ever mailed it or it subscribed (any
    other address is nobody's business here), and not if one went out in the last ten minutes."""
    email = email.strip().lower()
    known = Subscription.objects.filter(email=email).exists() or Email.objects.filter(to=email).exists()
    since = timezone.now() - timedelta(minutes=10)
    if not known or Email.objects.filter(to=email, reason=Reason.MANAGE, created_at__gte=since).exists():
        return False
    email_queue(to=email, reason=Reason.MANAGE, template="outbox/mail/manage", context={}, unsubscribe=False)
    return True


def news_once(*, about: models.Model) -> bool:
    """Claim the one mailing about ``about`` (a post's announcement): True for the first caller ever."""
    try:
        with transaction.atomic():
            Mailed.objects.create(about_type=ContentType.objects.get_for_model(about), about_id=about.pk)
    except IntegrityError:
        return False
    return True


def news_since(*, about: models.Model, through: datetime) -> tuple[bool, datetime | None]:
    """Claim the news of ``about`` up to ``through``: (True, where the last claim ended, None the first
    time) for the one caller that gets it; (False, None) for any other, and when nothing is new."""
    about_type = ContentType.objects.get_for_model(about)
    row = Mailed.objects.filter(about_type=about_type, about_id=about.pk).first()
    if row is None:
        try:
            with transaction.atomic():
                Mailed.objects.create(about_type=about_type, about_id=about.pk, through=through)
        except IntegrityError:
            return False, None
        return True, None
    if row.through is not None and row.through >= through:
        return False, None
    claimed = Mailed.objects.filter(pk=row.pk, through=row.through).update(through=through)
    return (True, row.through) if claimed else (False, None)
