"""Keep the sign-in popup linked to the post page that opened it.

The popup goes from this site to the provider and back. Browsers cut a popup from its opener when, on
the way, a page of another origin is followed by one that sets a stricter ``Cross-Origin-Opener-Policy``
(Django's default); redirects count. So every page of signing in (pnyx's ``/you/`` and allauth's
``/accounts/``) declares none, and the popup's last page can still tell the post page it is done.
Other pages keep the site's policy.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class SignInOpenerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = (
            reverse("identity:back").rsplit("back/", 1)[0],
            reverse("account_login").rsplit("login/", 1)[0],
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            response.headers.setdefault("Cross-Origin-Opener-Policy", "unsafe-none")
        return response
