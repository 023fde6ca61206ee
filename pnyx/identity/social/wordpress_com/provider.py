"""WordPress.com accounts (OAuth 2 at public-api.wordpress.com).

Its ``/me`` answers ``email_verified``; the address is offered to allauth as verified only when that is a
real ``true`` (the adapter drops any other, ``pnyx.identity.adapter``).
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from .views import WordPressComOAuth2Adapter


class WordPressComAccount(ProviderAccount):
    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("profile_URL")

    def get_avatar_url(self) -> str | None:
        return self.account.extra_data.get("avatar_URL")

    def to_str(self) -> str:
        data = self.account.extra_data
        return data.get("display_name") or data.get("username") or super().to_str()


class WordPressComProvider(OAuth2Provider):
    id = "wordpress_com"
    name = "WordPress.com"
    account_class = WordPressComAccount
    oauth2_adapter_class = WordPressComOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        # "auth" reaches the /me endpoints and nothing of the reader's blogs.
        return ["auth"]

    def extract_uid(self, data: dict) -> str:
        return str(data["ID"])

    def extract_common_fields(self, data: dict) -> dict:
        return {
            "username": data.get("username"),
            "name": data.get("display_name"),
            "email": data.get("email"),
            "email_verified": data.get("email_verified") is True,
        }

    def extract_email_addresses(self, data: dict) -> list[EmailAddress]:
        email = data.get("email")
        if not isinstance(email, str) or not email:
            return []
        return [EmailAddress(email=email, verified=data.get("email_verified") is True, primary=True)]


provider_classes = [WordPressComProvider]
