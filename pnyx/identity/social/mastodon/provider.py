"""Mastodon accounts, on whichever server the reader names.

Mastodon has no one site-wide app: each server registers its own, so pnyx registers on a server the
first time a reader names it (``instances``) and keeps its credentials (``MastodonInstance``). To allauth,
each server's app is an app of one provider, ``mastodon`` (``apps``): the account's uid carries the
server, ``<id>@<server>``, as the same id means another person on another server. Signing in starts
without a server (the form's icon); ``redirect`` then asks for one (``views.instance``).

Mastodon tells no email address: the account alone is the proof, and no address comes with it.
"""

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from pnyx.identity.models import MastodonInstance

from . import instances
from .views import MastodonOAuth2Adapter

ID = "mastodon"


def app_for(instance: MastodonInstance | None) -> SocialApp:
    """allauth's view of this site's app on ``instance``; without one, the app of no server yet, which
    only asks the reader for theirs."""
    if instance is None:
        return SocialApp(provider=ID, name="Mastodon", client_id="", settings={})
    return SocialApp(
        provider=ID,
        name="Mastodon",
        client_id=instance.client_id,
        secret=instance.secret,
        settings={"instance": instance.host},
    )


def apps(*, client_id: str | None) -> list[SocialApp]:
    """The Mastodon apps allauth may use: the one asking for a server, or, looked up by its client id
    (a sign-in that allauth put aside and takes up again), a server's own."""
    if not client_id:
        return [app_for(None)]
    instance = MastodonInstance.objects.filter(client_id=client_id).first()
    return [app_for(instance)] if instance is not None else []


class MastodonAccount(ProviderAccount):
    picture_redirects = False
    """The picture's address is checked (``instances.fetchable``); a redirect from it would not be."""

    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("url")

    def get_avatar_url(self) -> str | None:
        picture = self.account.extra_data.get("avatar_static") or self.account.extra_data.get("avatar")
        return picture if isinstance(picture, str) and instances.fetchable(picture) else None

    def to_str(self) -> str:
        data = self.account.extra_data
        return f"@{data.get('username', '')}@{data.get('instance', '')}"


class MastodonProvider(OAuth2Provider):
    id = ID
    name = "Mastodon"
    account_class = MastodonAccount
    oauth2_adapter_class = MastodonOAuth2Adapter

    @property
    def instance(self) -> str:
        """The server this provider signs in on; empty until the reader named one."""
        return self.app.settings.get("instance", "")

    def get_default_scope(self) -> list[str]:
        return [instances.SCOPES]

    def get_oauth2_adapter(self, request: HttpRequest) -> MastodonOAuth2Adapter:
        return MastodonOAuth2Adapter(request, provider=self)

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs) -> HttpResponse:
        if not self.instance:
            query = {"process": process, **({"next": next_url} if next_url else {})}
            return HttpResponseRedirect(f"{reverse('mastodon_login')}?{urlencode(query)}")
        return super().redirect(request, process, next_url=next_url, data=data, **kwargs)

    def extract_uid(self, data: dict) -> str:
        return f"{data['id']}@{data['instance']}"

    def extract_common_fields(self, data: dict) -> dict:
        return {"username": data.get("username"), "name": data.get("display_name") or data.get("username")}


provider_classes = [MastodonProvider]
