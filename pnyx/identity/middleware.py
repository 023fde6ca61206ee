"""Two things every page of signing in (pnyx's ``/you/`` and allauth's ``/accounts/``) needs from browsers.

**Keep the sign-in popup linked to the post page that opened it.**

The popup goes from this site to the provider and back. Browsers cut a popup from its opener when, on
the way, a page of another origin is followed by one that sets a stricter ``Cross-Origin-Opener-Policy``
(Django's default); redirects count. So every page of signing in (pnyx's ``/you/`` and allauth's
``/accounts/``) declares none, and the popup's last page can still tell the post page it is done.
Other pages keep the site's policy.

**Reach the provider from a form.** The site's ``form-action`` policy is this site alone, and browsers
hold a form's redirects to it: allauth's own forms (its "Continue", the connections page) answer a POST
with a redirect to the provider, which the browser would stop. Such an answer becomes a page that goes
there itself, as pnyx's own login view does.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.socialaccount.providers import registry
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class SignInOpenerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = (
            reverse("identity:back").rsplit("back/", 1)[0],
            reverse("account_login").rsplit("login/", 1)[0],
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.prefixes):
            return response
        if request.method == "POST" and response.status_code in (302, 303) and _elsewhere(request, response):
            target = response["Location"]
            response = render(
                request, "identity/connecting.html", {"target": target, "provider": _name(request, target)}
            )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "unsafe-none")
        return response


def _elsewhere(request: HttpRequest, response: HttpResponse) -> bool:
    return not url_has_allowed_host_and_scheme(response["Location"], allowed_hosts={request.get_host()})


def _name(request: HttpRequest, target: str) -> str:
    """The provider's name, from the allauth view that answered (``<provider>_login``); else where it goes."""
    url_name = request.resolver_match.url_name if request.resolver_match else ""
    provider = registry.get_class(url_name.removesuffix("_login")) if url_name.endswith("_login") else None
    return provider.name if provider is not None else urlsplit(target).netloc
