"""The files every site is asked for at fixed addresses: ``/robots.txt`` and ``/manifest.webmanifest``.

Both are the same for everyone and kept by the front like a page.
"""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse

from pnyx.pagecache import for_everyone

# Pages that are nobody's search result: a reader's own JSON, sign-in, staff pages.
PRIVATE = ["/admin/", "/accounts/", "/you/", "/comments/mine/", "/comments/confirm/"]


@for_everyone
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE), ""]
    lines.append(f"Sitemap: {settings.PNYX_BASE_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@for_everyone
def manifest(request: HttpRequest) -> HttpResponse:
    """Enough for a browser to add the site to a home screen under its name and icon."""
    data = {
        "name": settings.PNYX_SITE_NAME,
        "short_name": settings.PNYX_SITE_NAME[:12],
        "description": settings.PNYX_SITE_TAGLINE,
        "start_url": reverse("blog:home"),
        "display": "browser",
        "icons": [{"src": static("pnyx/favicon.svg"), "type": "image/svg+xml", "sizes": "any"}],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
