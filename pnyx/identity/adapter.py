"""pnyx's customisation of django-allauth: the one place where sign-in behaves differently from allauth's default.

What an account is worth once signed in is written in ``commenter`` (proof 1); here is only how a reader
gets one. Two rules matter for trust:

- A return address (``next``) is followed only when it stays on this site: allauth's own check, here
  stricter, since a comment form's return address never needs another host.
- A provider's email address counts only when the provider itself says, with a real ``true``, that it
  verified it. An address it did not verify is dropped before allauth looks at it, so it can neither
  sign in to the local account that owns that address nor be stored as the new account's address.
  A configured list of "verified" domains is ignored for the same reason: the provider must say it.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import ProviderAccount
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from . import avatars, signin
from .conf import conf
from .social.mastodon import provider as mastodon


def _picture(account: ProviderAccount) -> str | None:
    """The picture allauth knows for the provider, or the standard OpenID Connect claim, which allauth's
    generic provider does not read."""
    picture = account.get_avatar_url() or (account.get_user_data() or {}).get("picture")
    return picture if isinstance(picture, str) else None


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str) -> bool:
        """Only a path on this site: every place pnyx sends a reader back to is one of its own pages."""
        request = self.request
        host = request.get_host() if request is not None else None
        return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={host} if host else set())

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        """No "signed in" notices: the comment form says who is commenting, and a message queued here
        would wait in a cookie for a page that never shows it."""

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, *, signal_kwargs: dict[str, Any] | None, **kwargs: Any
    ) -> HttpResponse:
        """Remember how this session signed in (the form says "your Google account"), and keep the
        provider's picture here, so that readers' browsers never ask the provider for it."""
        sociallogin: SocialLogin | None = (signal_kwargs or {}).get("sociallogin")
        account = sociallogin.account if sociallogin is not None else None
        signin.record(request, provider=account.provider if account is not None else "")
        if account is not None:
            provider_account = account.get_provider_account()
            redirects = getattr(provider_account, "picture_redirects", True)
            avatars.keep(user=user, url=_picture(provider_account), redirects=redirects)
        return super().post_login(request, user, signal_kwargs=signal_kwargs, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> AbstractBaseUser:
        """Keep only the addresses the provider verified, before allauth matches or stores any."""
        sociallogin.email_addresses = [address for address in sociallogin.email_addresses if address.verified is True]
        verified = {address.email.lower() for address in sociallogin.email_addresses}
        email = data.get("email") or ""
        if email.lower() not in verified:
            data = {**data, "email": None}
        return super().populate_user(request, sociallogin, data)

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """allauth's apps, and Mastodon's when it is switched on: they live in ``MastodonInstance``, one per
        server, not in allauth's table."""
        found = super().list_apps(request, provider=provider, client_id=client_id)
        if conf.MASTODON and provider in (None, mastodon.ID):
            found += mastodon.apps(client_id=client_id)
        return found

    def is_email_verified(self, provider: Any, email: str) -> bool:
        """Never assume an address is verified because of a setting: only the provider's word counts."""
        return False
