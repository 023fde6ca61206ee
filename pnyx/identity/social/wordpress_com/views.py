from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView
from django.http import HttpRequest

API = "https://public-api.wordpress.com"


class WordPressComOAuth2Adapter(OAuth2Adapter):
    provider_id = "wordpress_com"

    @property
    def api(self) -> str:
        """WordPress.com, or the app's ``api_url`` setting: the tests' server on loopback speaks for it."""
        return self.get_provider().app.settings.get("api_url", API).rstrip("/")

    @property
    def authorize_url(self) -> str:
        return f"{self.api}/oauth2/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{self.api}/oauth2/token"

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        with get_adapter().get_requests_session() as session:
            response = session.get(f"{self.api}/rest/v1.1/me", headers={"Authorization": f"Bearer {token.token}"})
            response.raise_for_status()
            data = response.json()
        if not isinstance(data, dict) or not data.get("ID"):
            raise ProviderException("WordPress.com's /me did not name an account")
        return self.get_provider().sociallogin_from_response(request, data)


oauth2_login = OAuth2LoginView.adapter_view(WordPressComOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(WordPressComOAuth2Adapter)
