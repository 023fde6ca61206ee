"""Signing in with Mastodon: the reader names their server, pnyx registers there once, then OAuth 2 with
that server as with any provider."""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import ratelimit
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView
from allauth.utils import build_absolute_uri
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pnyx.identity.conf import conf
from pnyx.identity.models import MastodonInstance

from . import instances


class MastodonOAuth2Adapter(OAuth2Adapter):
    provider_id = "mastodon"

    def __init__(self, request: HttpRequest, provider=None) -> None:
        super().__init__(request)
        self.provider = provider

    def get_provider(self):
        return self.provider if self.provider is not None else super().get_provider()

    @property
    def base(self) -> str:
        return instances.base_url(self.get_provider().instance)

    @property
    def authorize_url(self) -> str:
        return f"{self.base}/oauth/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{self.base}/oauth/token"

    def get_callback_url(self, request: HttpRequest, app) -> str:
        return callback_url(request, app.settings["instance"])

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        host = app.settings["instance"]
        with get_adapter().get_requests_session() as session:
            response = session.get(
                f"{instances.base_url(host)}/api/v1/accounts/verify_credentials",
                headers={"Authorization": f"Bearer {token.token}"},
                allow_redirects=False,
            )
            response.raise_for_status()
            data = response.json()
        if not isinstance(data, dict) or not data.get("id"):
            raise ProviderException(f"{host} named no account")
        return self.get_provider().sociallogin_from_response(request, {**data, "instance": host})


def callback_url(request: HttpRequest, host: str) -> str:
    """The address a server sends the reader back to: one per server, so the way back says which it is."""
    return build_absolute_uri(request, reverse("mastodon_callback", args=[host]))


def _provider_on(request: HttpRequest, instance: MastodonInstance):
    from .provider import MastodonProvider, app_for

    return MastodonProvider(request, app=app_for(instance))


@require_http_methods(["GET", "POST"])
def instance(request: HttpRequest) -> HttpResponse:
    """Which Mastodon server? Asked once the reader chose Mastodon; the answer starts the sign-in there.

    The provider is reached through a page, not a redirect, as from the comment form (identity.views.login).
    """
    if not conf.MASTODON:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    process = data.get("process") if data.get("process") in ("login", "connect") else "login"
    next_url = data.get("next", "")
    if next_url and not get_account_adapter(request).is_safe_url(next_url):
        next_url = ""
    context = {"process": process, "next": next_url, "value": data.get("instance", ""), "error": ""}
    if request.method == "GET":
        return render(request, "identity/mastodon_instance.html", context)
    # Each name typed makes this server look it up and, the first time, write to it: so many a minute only.
    if not ratelimit.consume(request, action="mastodon_instance"):
        error = _("Too many attempts. Wait a minute, then try again.")
        return render(request, "identity/mastodon_instance.html", {**context, "error": error}, status=429)
    try:
        host = instances.clean_host(context["value"])
        server = instances.instance_for(host, redirect_uri=callback_url(request, host))
    except instances.InstanceError as error:
        return render(request, "identity/mastodon_instance.html", {**context, "error": str(error)}, status=400)
    answer = _provider_on(request, server).redirect(request, process, next_url=next_url or None)
    if answer.status_code != 302:
        return answer
    return render(request, "identity/connecting.html", {"target": answer["Location"], "provider": host})


def callback(request: HttpRequest, host: str) -> HttpResponse:
    """Where a server sends the reader back: the server is in the address, its app in the database."""
    server = MastodonInstance.objects.filter(host=host).first()
    if server is None:
        raise Http404
    adapter = MastodonOAuth2Adapter(request, provider=_provider_on(request, server))
    return OAuth2CallbackView.adapter_view(adapter)(request)
