"""Provider credentials from the environment: read once at start, both halves or a one-line refusal."""

from tests.test_settings import _pnyx, _settings


def test_providers_and_any_number_of_openid_connect_servers_come_from_the_environment(tmp_path):
    providers = _settings(
        tmp_path,
        "SOCIALACCOUNT_PROVIDERS",
        PNYX_LOGIN_GOOGLE_CLIENT_ID="google-id",
        PNYX_LOGIN_GOOGLE_SECRET="google-secret",
        PNYX_LOGIN_OIDC="work,uni",
        PNYX_LOGIN_OIDC_WORK_NAME="Example Corp",
        PNYX_LOGIN_OIDC_WORK_SERVER_URL="https://login.example.org/realms/staff",
        PNYX_LOGIN_OIDC_WORK_CLIENT_ID="pnyx",
        PNYX_LOGIN_OIDC_WORK_SECRET="s1",
        PNYX_LOGIN_OIDC_UNI_SERVER_URL="https://sso.uni.example/",
        PNYX_LOGIN_OIDC_UNI_CLIENT_ID="blog",
        PNYX_LOGIN_OIDC_UNI_SECRET="s2",
    )["SOCIALACCOUNT_PROVIDERS"]
    assert providers["google"]["APPS"] == [{"client_id": "google-id", "secret": "google-secret"}]
    assert providers["github"]["APPS"] == [] and providers["facebook"]["APPS"] == []
    work, uni = providers["openid_connect"]["APPS"]
    assert work == {
        "provider_id": "work",
        "name": "Example Corp",
        "client_id": "pnyx",
        "secret": "s1",
        "settings": {"server_url": "https://login.example.org/realms/staff"},
    }
    assert (uni["provider_id"], uni["name"]) == ("uni", "uni")


def test_a_client_id_without_its_secret_stops_pnyx_with_one_line_naming_it(tmp_path):
    result = _pnyx(["check"], tmp_path, PNYX_LOGIN_GITHUB_CLIENT_ID="gh")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "pnyx: PNYX_LOGIN_GITHUB_SECRET must be set too: a GitHub login needs a client id and a secret"
    )


def test_an_openid_connect_server_must_be_https(tmp_path):
    result = _pnyx(
        ["check"],
        tmp_path,
        PNYX_LOGIN_OIDC="work",
        PNYX_LOGIN_OIDC_WORK_SERVER_URL="http://login.example.org/",
        PNYX_LOGIN_OIDC_WORK_CLIENT_ID="pnyx",
        PNYX_LOGIN_OIDC_WORK_SECRET="s1",
    )
    assert result.returncode == 2
    assert "PNYX_LOGIN_OIDC_WORK_SERVER_URL must be the https address" in result.stderr


def test_wordpress_com_comes_from_the_environment_and_mastodon_from_one_switch(tmp_path):
    read = _settings(
        tmp_path,
        "SOCIALACCOUNT_PROVIDERS",
        "PNYX_LOGIN_MASTODON",
        PNYX_LOGIN_WORDPRESS_CLIENT_ID="12345",
        PNYX_LOGIN_WORDPRESS_SECRET="wp-secret",
        PNYX_LOGIN_MASTODON="true",
    )
    assert read["SOCIALACCOUNT_PROVIDERS"]["wordpress_com"]["APPS"] == [{"client_id": "12345", "secret": "wp-secret"}]
    assert read["PNYX_LOGIN_MASTODON"] is True
    assert _settings(tmp_path, "PNYX_LOGIN_MASTODON")["PNYX_LOGIN_MASTODON"] is False
