"""What this site knows of an email address beyond any one comment.

Proofs live in readers' browsers (a signed cookie), so they cannot be taken back there; what can be
taken back lives here: the moment an address's proofs were revoked (every proof issued before it stops
counting, in every browser), and when the address was last sent a confirmation link (so that one
address never gets a flood of mail, however many comments use it).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pnyx.precompiled import Precompiled


class AddressQuerySet(models.QuerySet):
    def of(self, email: str) -> "AddressQuerySet":
        return self.filter(email=email.strip().lower())


class Address(models.Model):
    email = models.CharField(max_length=254, unique=True, help_text=_("Lower-cased."))
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Proofs of this address issued before this moment no longer count.")
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return self.email


_revoked = Precompiled(lambda email: Address.objects.of(email).values_list("revoked_at"))  # a guest's every comment


def revoked_at(email: str) -> datetime | None:
    """When proofs of ``email`` were last revoked, if ever."""
    found = _revoked.first(email.strip().lower())  # as ``of`` has it, so that the value is found in the statement
    return found[0] if found else None


def revoke(email: str) -> None:
    """Every proof of ``email`` issued until now stops counting, in every browser."""
    Address.objects.update_or_create(email=email.strip().lower(), defaults={"revoked_at": timezone.now()})


def claim_confirmation(email: str, *, interval: int) -> bool:
    """True if a confirmation link may be mailed to ``email`` now; at most one per ``interval`` seconds.

    One conditional UPDATE decides it, so concurrent requests in several processes send one mail.
    """
    now = timezone.now()
    address, _created = Address.objects.get_or_create(email=email.strip().lower())
    due = models.Q(confirmation_sent_at__isnull=True) | models.Q(
        confirmation_sent_at__lte=now - timedelta(seconds=interval)
    )
    return Address.objects.filter(due, pk=address.pk).update(confirmation_sent_at=now) == 1


class Avatar(models.Model):
    """A signed-in reader's picture, fetched once from their provider and served from this site
    (``views.avatar``), so that no reader's browser ever asks the provider for it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatar")
    image = models.BinaryField()
    content_type = models.CharField(max_length=20)
    source = models.URLField(max_length=2000, help_text=_("Where it was fetched from, once."))
    fetched_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"avatar of {self.user}"


class MastodonInstance(models.Model):
    """A Mastodon server this site registered itself on as an app (``POST /api/v1/apps``), once, the first
    time a reader named it: its readers sign in through that app. Registered again only if this site's
    address, and so its callback, changed."""

    host = models.CharField(max_length=253, unique=True, help_text=_("The server's name, as the reader typed it."))
    client_id = models.CharField(max_length=191)
    secret = models.CharField(max_length=191)
    redirect_uri = models.URLField(max_length=500, help_text=_("The callback the app was registered with."))
    registered_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.host
