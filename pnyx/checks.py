"""Settings that are each valid but cannot work together, or would surprise an operator.

A single bad value never gets this far: settings.py refuses it at start. These look at combinations,
and run with every command (``pnyx check --deploy`` adds the ones that matter only in production).
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.http.request import validate_host

# HSTS preload list rules (hstspreload.org): a year at least, and every subdomain too.
_PRELOAD_MIN_SECONDS = 365 * 24 * 3600


def _is_local(host: str) -> bool:
    """A host only this machine can reach: what DEBUG's pages may safely be shown to."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@register("pnyx")
def check_base_url_scheme(app_configs, **kwargs) -> list[CheckMessage]:
    if settings.PNYX_HTTPS and settings.PNYX_BASE_URL.startswith("http://"):
        return [
            Warning(
                f"PNYX_HTTPS is on but PNYX_BASE_URL is {settings.PNYX_BASE_URL}: links in mail and exports "
                "would use plain http.",
                hint="Set PNYX_BASE_URL to the https address readers use, e.g. https://blog.example.org.",
                id="pnyx.W001",
            )
        ]
    return []


@register("pnyx")
def check_base_url_is_served(app_configs, **kwargs) -> list[CheckMessage]:
    base = settings.PNYX_BASE_URL
    host = urlsplit(base).hostname or ""
    if validate_host(host, settings.ALLOWED_HOSTS) or base in settings.CSRF_TRUSTED_ORIGINS:
        return []
    return [
        Warning(
            f"PNYX_BASE_URL's host {host} is not in PNYX_ALLOWED_HOSTS: links in mail and exports would "
            "be answered with 400 Bad Request.",
            hint=f"Add {host} to PNYX_ALLOWED_HOSTS, or, if a proxy rewrites the host, add {base} to "
            "PNYX_TRUSTED_ORIGINS.",
            id="pnyx.W002",
        )
    ]


@register("pnyx", deploy=True)
def check_mail_is_sent(app_configs, **kwargs) -> list[CheckMessage]:
    if settings.EMAIL_HOST or settings.DEBUG:
        return []
    return [
        Warning(
            "No PNYX_EMAIL_HOST: mail is printed to the console, not sent, so commenters never receive "
            "their confirmation links.",
            hint="Set PNYX_EMAIL_HOST (and PNYX_EMAIL_PORT, PNYX_EMAIL_USER, PNYX_EMAIL_PASSWORD, "
            "PNYX_EMAIL_TLS) to your SMTP server.",
            id="pnyx.W003",
        )
    ]


@register("pnyx")
def check_debug_is_local(app_configs, **kwargs) -> list[CheckMessage]:
    public = [host for host in settings.ALLOWED_HOSTS if not _is_local(host)]
    if not settings.DEBUG or not public:
        return []
    return [
        Warning(
            f"PNYX_DEBUG is on while the site answers to {', '.join(public)}: an error page would show "
            "settings and code to anyone who can reach it.",
            hint="Turn PNYX_DEBUG off, or keep PNYX_ALLOWED_HOSTS to this machine while debugging.",
            id="pnyx.W004",
        )
    ]


@register("pnyx")
def check_hsts_preload_qualifies(app_configs, **kwargs) -> list[CheckMessage]:
    if not settings.SECURE_HSTS_PRELOAD:
        return []
    if settings.SECURE_HSTS_SECONDS >= _PRELOAD_MIN_SECONDS and settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        return []
    return [
        Warning(
            "PNYX_HSTS_PRELOAD is on, but browsers' preload list refuses a site whose HSTS lasts under a "
            "year or leaves out subdomains.",
            hint=f"Set PNYX_HSTS_SECONDS to {_PRELOAD_MIN_SECONDS} or more and PNYX_HSTS_SUBDOMAINS=true, or "
            "turn PNYX_HSTS_PRELOAD off.",
            id="pnyx.W005",
        )
    ]


@register("pnyx")
def check_proxy_count_behind_tls(app_configs, **kwargs) -> list[CheckMessage]:
    if not settings.PNYX_HTTPS or settings.PNYX_PROXY_COUNT:
        return []
    return [
        Warning(
            "PNYX_HTTPS says a TLS proxy is in front of pnyx, but PNYX_PROXY_COUNT is 0: every comment would "
            "record the proxy's address instead of its reader's.",
            hint="Set PNYX_PROXY_COUNT to the number of proxies that add to X-Forwarded-For (usually 1).",
            id="pnyx.W006",
        )
    ]
