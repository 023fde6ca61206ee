"""Cross-site request refusal for POSTs from cached pages (the comment form, "forget me").

A post page is the same HTML for every visitor so that it can be cached; a CSRF token in it would make
it personal. Browsers say where a POST comes from (``Sec-Fetch-Site``, and ``Origin``), and our
cookies are SameSite=Lax, so a request that says it comes from another site is refused, and one
that says nothing about where it comes from is refused too.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def is_same_origin(request: HttpRequest) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    candidate = f"{parts.scheme}://{parts.netloc}"
    return candidate == f"{request.scheme}://{request.get_host()}" or candidate in settings.CSRF_TRUSTED_ORIGINS
