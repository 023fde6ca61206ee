"""The Mastodon server a reader names: checked, then registered on once.

A reader types a name; this server then talks to whatever answers there. So the name must be a public
host name reached over https: no address, no port, no path, and nothing that resolves to this machine
or a private network, or a reader could make the site probe its own neighbourhood. Every request has a
timeout, follows no redirect, and a server that does not answer as Mastodon does gets a sentence the
reader can act on, never an error page.

The check is made when the name is typed and again before each request of the sign-in (``base_url``);
a name whose address changes in between is caught at the next request.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import requests
from allauth.socialaccount.providers.base import ProviderException
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pnyx.identity.conf import conf
from pnyx.identity.models import MastodonInstance

SCOPES = "read:accounts"
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class InstanceError(ProviderException):
    """What to tell the reader about the server they named. A ProviderException, so that allauth turns
    one raised during the sign-in into its "did not work" page."""


def _loopback_allowed(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return conf.MASTODON_LOOPBACK and name in _LOOPBACK_NAMES


def clean_host(raw: str) -> str:
    """The host name in what the reader typed ("mastodon.social", or its https:// address); InstanceError
    if it is not a public host name."""
    value = raw.strip().lower()
    if value.startswith("https://"):
        value = value.removeprefix("https://").rstrip("/")
    if _loopback_allowed(value):
        return value
    try:
        ascii_name = value.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise InstanceError(
            _("“%(name)s” is not the name of a Mastodon server. Type just its name, like mastodon.social.")
            % {"name": raw.strip()[:100]}
        )
    _check_public(ascii_name)
    return ascii_name


def _check_public(host: str) -> None:
    """Every address the name resolves to is a public one."""
    try:
        found = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise InstanceError(_("No server called %(host)s could be found.") % {"host": host}) from None
    for *_rest, address in found:
        if not ipaddress.ip_address(address[0].split("%")[0]).is_global:
            raise InstanceError(_("%(host)s is not a public server.") % {"host": host})


def base_url(host: str) -> str:
    """Where the server answers; https always, except a loopback server the tests allowed."""
    if _loopback_allowed(host):
        return f"http://{host}"
    _check_public(host)
    return f"https://{host}"


def _not_mastodon(host: str) -> InstanceError:
    return InstanceError(
        _("%(host)s did not answer as a Mastodon server does. Check the name, or try again later.") % {"host": host}
    )


def _register(host: str, *, redirect_uri: str) -> dict:
    try:
        response = requests.post(
            f"{base_url(host)}/api/v1/apps",
            data={
                "client_name": settings.PNYX_SITE_NAME,
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
                "website": settings.PNYX_BASE_URL,
            },
            timeout=conf.MASTODON_TIMEOUT,
            allow_redirects=False,
        )
        data = response.json() if response.status_code == 200 else None
    except requests.Timeout:
        raise InstanceError(_("%(host)s did not answer in time. Try again later.") % {"host": host}) from None
    except (requests.RequestException, ValueError):
        raise _not_mastodon(host) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("client_id"), str)
        or not isinstance(data.get("client_secret"), str)
        or not data["client_id"]
        or len(data["client_id"]) > 191
        or len(data["client_secret"]) > 191
    ):
        raise _not_mastodon(host)
    return data


def instance_for(host: str, *, redirect_uri: str) -> MastodonInstance:
    """This site's app on ``host``, registered now if it has none there yet (or one with an old callback)."""
    known = MastodonInstance.objects.filter(host=host).first()
    if known is not None and known.redirect_uri == redirect_uri:
        return known
    data = _register(host, redirect_uri=redirect_uri)
    fields = {"client_id": data["client_id"], "secret": data["client_secret"], "redirect_uri": redirect_uri}
    try:
        with transaction.atomic():
            instance, _created = MastodonInstance.objects.update_or_create(host=host, defaults=fields)
    except IntegrityError:  # another reader of the same server registered it a moment ago
        instance = MastodonInstance.objects.get(host=host)
    return instance


def fetchable(url: str) -> bool:
    """Whether a picture a Mastodon server named may be fetched: a server can name any address, this
    machine's included, so the same rule as for the server itself."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if _loopback_allowed(parts.netloc):
        return parts.scheme in ("http", "https")
    try:
        _check_public(parts.hostname)
    except InstanceError:
        return False
    return parts.scheme == "https" and parts.port in (None, 443)
