"""Which ways of signing in the comment form offers: a local account, and every provider that has an app.

An app comes from the environment (``PNYX_LOGIN_*``, read in settings) or from the admin (Social
applications); a provider without one is not shown. Each has an icon drawn here (static SVG), so the
page asks no provider for anything until the reader clicks.

Each process keeps the list for a few minutes, so a post page costs no query for it; saving or deleting
an app in the admin drops it at once in the process that saved it (``apps.IdentityConfig.ready``).
"""

import time
from dataclasses import dataclass

from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.http import HttpRequest

LOCAL = "account"
"""The choice id of a local account (email and password)."""

_ICONS = {
    "facebook": "facebook",
    "github": "github",
    "google": "google",
    "twitter_oauth2": "x",
    "openid_connect": "openid",
    "wordpress_com": "wordpress",
    "mastodon": "mastodon",
}


@dataclass(frozen=True)
class Choice:
    id: str
    """What the login button sends: ``account``, or the provider id (an OpenID Connect app's own id)."""
    name: str
    icon: str
    """A static path."""


KEEP_SECONDS = 300
_known: tuple[float, list[Choice]] | None = None


def choices(request: HttpRequest | None) -> list[Choice]:
    """Every way of signing in, the local account last; providers in the order allauth lists them."""
    global _known
    if _known is None or time.monotonic() - _known[0] > KEEP_SECONDS:
        found = [
            Choice(id=provider.sub_id, name=provider.name, icon=icon_of(provider.id))
            for provider in get_adapter().list_providers(request)
        ]
        _known = (time.monotonic(), found)
    return [*_known[1], Choice(id=LOCAL, name=settings.PNYX_SITE_NAME, icon="pnyx/login/account.svg")]


def icon_of(provider_id: str) -> str:
    """The static path of a provider's icon (allauth's provider id: ``google``, ``openid_connect`` …)."""
    return f"pnyx/login/{_ICONS.get(provider_id, 'openid')}.svg"


def forget_choices(**kwargs: object) -> None:
    """A provider's app changed: the next page asks allauth again."""
    global _known
    _known = None


def name_of(provider_id: str, request: HttpRequest | None = None) -> str:
    """The name readers know a provider by ("Google", an OpenID Connect app's name); the site's own name
    for a local account."""
    return next((choice.name for choice in choices(request) if choice.id == provider_id), settings.PNYX_SITE_NAME)
