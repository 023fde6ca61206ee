"""The moderation settings a site edits in the admin, and the parsed form the rules read.

One row (``ModerationSettings``, pk 1) holds the lists and numbers; ``rulebook()`` gives the rules a
``Rulebook`` built from it: networks parsed, words compiled. Building it costs more than a comment's
other checks together, so each process keeps the last one and asks only whether it is still current:
one read of the row's ``revision`` from the shared cache (Redis), or from the database where the cache
is the process's own memory and so cannot tell one process what another saved.
"""

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from pnyx.precompiled import Precompiled

_CACHE_KEY = "pnyx:moderation-settings:revision"
_CACHE_SECONDS = 300

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _lines(text: str) -> list[str]:
    """One entry per line (commas work too); blank lines and ``# notes`` are skipped."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        entries += [part.strip() for part in line.split(",") if part.strip()]
    return entries


def _network(entry: str) -> Network:
    return ipaddress.ip_network(entry, strict=False)


def _is_network(entry: str) -> bool:
    try:
        _network(entry)
    except ValueError:
        return False
    return True


def _validate_networks(text: str) -> None:
    bad = [entry for entry in _lines(text) if not _is_network(entry)]
    if bad:
        raise ValidationError(_("Not an IP address or range (like 203.0.113.0/24): %(bad)s"), params={"bad": bad[0]})


def _validate_allowed(text: str) -> None:
    bad = [entry for entry in _lines(text) if "@" not in entry and not _is_network(entry)]
    if bad:
        raise ValidationError(_("Neither an email address nor an IP address or range: %(bad)s"), params={"bad": bad[0]})


class ModerationSettings(models.Model):
    """What the moderation rules hold, refuse or mark spam; one row, edited in the admin."""

    class Outcome(models.TextChoices):
        SPAM = "spam", _("mark spam")
        PENDING = "pending", _("hold for a moderator")

    hold_first_comment = models.BooleanField(
        default=True,
        help_text=_("Hold a commenter's comments until a moderator approved one of them (and the browser proves it)."),
    )
    blocked_words = models.TextField(
        blank=True, help_text=_("One word or phrase per line; a comment containing one (as a whole word) is blocked.")
    )
    blocked_emails = models.TextField(
        blank=True, help_text=_("One per line: an address (joe@example.com) or a whole domain (@example.com).")
    )
    blocked_ips = models.TextField(
        blank=True,
        validators=[_validate_networks],
        help_text=_("One per line: an IP address or a range (203.0.113.0/24, 2001:db8::/32)."),
    )
    blocked_link_domains = models.TextField(
        blank=True,
        help_text=_("One domain per line; a link to it or to any of its subdomains (in the text or the website)."),
    )
    blocklist_outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.SPAM, help_text=_("What a blocked comment becomes.")
    )
    allowed = models.TextField(
        blank=True,
        validators=[_validate_allowed],
        verbose_name=_("allowlist"),
        help_text=_("Email addresses and IP addresses or ranges, one per line, that the blocklists never block."),
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text=_("A comment with more links than this is held for a moderator.")
    )
    close_after_days = models.PositiveIntegerField(
        default=0, help_text=_("Close a post's comments this many days after it was published; 0 never closes them.")
    )
    slow_mode_seconds = models.PositiveIntegerField(
        default=120,
        help_text=_("In slow mode, one comment per commenter per this many seconds in the thread."),
    )
    slow_mode_after_per_hour = models.PositiveIntegerField(
        default=60,
        help_text=_("A thread that took this many comments in the last hour goes into slow mode by itself; 0: never."),
    )
    spamd_enabled = models.BooleanField(default=False, verbose_name=_("ask SpamAssassin (spamd)"))
    spamd_host = models.CharField(max_length=200, default="127.0.0.1", verbose_name=_("spamd host"))
    spamd_port = models.PositiveIntegerField(default=783, verbose_name=_("spamd port"))
    akismet_enabled = models.BooleanField(default=False, verbose_name=_("ask Akismet"))
    akismet_endpoint = models.URLField(
        default="https://rest.akismet.com/1.1/",
        help_text=_("An Akismet-compatible service's API address (Akismet's own, or e.g. a self-hosted one)."),
    )
    akismet_key = models.CharField(max_length=100, blank=True, verbose_name=_("Akismet API key"))
    engine_timeout = models.FloatField(
        default=2.0, help_text=_("Seconds to wait for a spam engine; a comment it does not judge in time is held.")
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        limit_choices_to={"is_staff": True, "is_active": True},
        related_name="moderator_of",
        help_text=_(
            "Who is mailed about each held comment (they need an email address). "
            "Nobody chosen: every active staff account with an email address."
        ),
    )
    revision = models.CharField(max_length=16, editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(_("Moderation settings"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        self.revision = secrets.token_hex(8)
        super().save(*args, **kwargs)
        # Each thread keeps its closing time, so that a page shows whether it is open without reading these.
        apps.get_model("discussion", "Thread").objects.close_after(self.close_after_days)
        # Forgotten now and once committed: a reader between the two may have cached the old revision.
        # Deleted rather than set, so a save rolled back leaves no revision the database never had.
        forget()
        transaction.on_commit(forget)

    def clean(self) -> None:
        if self.akismet_enabled and not self.akismet_key:
            raise ValidationError({"akismet_key": _("Akismet needs an API key.")})
        if not 0.1 <= self.engine_timeout <= 30:
            raise ValidationError({"engine_timeout": _("Between 0.1 and 30 seconds.")})

    @classmethod
    def load(cls) -> "ModerationSettings":
        """The row, or the defaults when nobody has saved settings yet (nothing is written by reading)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


@dataclass(frozen=True)
class Rulebook:
    """The settings parsed once for the rules: what ``rulebook()`` returns."""

    settings: ModerationSettings
    words: re.Pattern | None
    emails: frozenset[str]
    email_domains: tuple[str, ...]
    networks: tuple[Network, ...]
    link_domains: tuple[str, ...]
    allowed_emails: frozenset[str]
    allowed_networks: tuple[Network, ...]

    @classmethod
    def of(cls, settings: ModerationSettings) -> "Rulebook":
        words = _lines(settings.blocked_words)
        emails = [e.lower().lstrip("*") for e in _lines(settings.blocked_emails)]
        allowed = _lines(settings.allowed)
        return cls(
            settings=settings,
            words=re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), re.I) if words else None,
            emails=frozenset(e for e in emails if not e.startswith("@")),
            email_domains=tuple(e[1:] for e in emails if e.startswith("@")),
            networks=tuple(_network(e) for e in _lines(settings.blocked_ips) if _is_network(e)),
            link_domains=tuple(d.lower().strip(".") for d in _lines(settings.blocked_link_domains)),
            allowed_emails=frozenset(e.lower() for e in allowed if "@" in e),
            allowed_networks=tuple(_network(e) for e in allowed if "@" not in e and _is_network(e)),
        )

    def email_blocked(self, email: str) -> bool:
        email = email.strip().lower()
        if not email:
            return False
        domain = email.rpartition("@")[2]
        return email in self.emails or any(domain == d or domain.endswith("." + d) for d in self.email_domains)

    def ip_blocked(self, ip: str | None) -> bool:
        return _in(ip, self.networks)

    def domain_blocked(self, host: str) -> bool:
        host = host.lower().strip(".")
        return any(host == d or host.endswith("." + d) for d in self.link_domains)

    def allows(self, *, email: str, ip: str | None) -> bool:
        return email.strip().lower() in self.allowed_emails or _in(ip, self.allowed_networks)

    def closes_at(self, published_at: datetime | None) -> datetime | None:
        """When a post published at ``published_at`` stops taking comments; None: never."""
        days = self.settings.close_after_days
        return published_at + timedelta(days=days) if days and published_at is not None else None


def _in(ip: str | None, networks: tuple[Network, ...]) -> bool:
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address.version == n.version and address in n for n in networks)


def _cache_is_shared() -> bool:
    return not isinstance(caches["default"], LocMemCache | DummyCache)  # ``cache`` is only a proxy


_kept: dict[str, Rulebook] = {}
_revision = Precompiled(lambda: ModerationSettings.objects.filter(pk=1).values_list("revision"))


def forget() -> None:
    """Every process reads the settings again (a save calls this; so do tests, between them)."""
    _kept.clear()
    if _cache_is_shared():
        cache.delete(_CACHE_KEY)


def _current_revision() -> str:
    if _cache_is_shared():
        revision = cache.get(_CACHE_KEY)
        if revision is not None:
            return revision
    row = _revision.first()
    revision = row[0] if row else ""
    if _cache_is_shared():
        cache.set(_CACHE_KEY, revision, _CACHE_SECONDS)
    return revision


def rulebook() -> Rulebook:
    """The current settings, parsed: kept by this process while their revision stays the same."""
    revision = _current_revision()
    if (book := _kept.get("book")) is not None and book.settings.revision == revision:
        return book
    book = Rulebook.of(ModerationSettings.load())
    _kept["book"] = book
    return book
