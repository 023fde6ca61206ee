"""One account, several providers: a reader links WordPress.com and Mastodon to the account they made
through an OpenID Connect provider, signs in with any of them, and removes one, through allauth's
connections page, with Django's test client as the browser and real servers on loopback."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


def _provider_url(answer) -> str:
    """Where a step sends the browser on to the provider: a redirect, or a page that goes there at once."""
    if answer.status_code == 302:
        return answer["Location"]
    return unescape(re.search(r'content="0;url=([^"]+)"', answer.content.decode()).group(1))


def _through(client, server_url, authorize_path, answer, *, fields_extra=None):
    target = _provider_url(answer)
    assert target.startswith(f"{server_url}{authorize_path}?"), target
    fields = {**dict(parse_qsl(urlsplit(target).query)), "answer": "yes", **(fields_extra or {})}
    approved = requests.post(f"{server_url}{authorize_path}", fields, allow_redirects=False, timeout=5)
    callback = urlsplit(approved.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def _sign_in_with_oidc(client, oidc_provider):
    answer = client.post(reverse("identity:login"), {"login": "loopback", "popup": "1"}, **SAME_ORIGIN)
    _through(client, oidc_provider.url, "/authorize", answer)


def _connect(client, provider_id):
    return client.post(reverse(f"{provider_id}_login"), {"process": "connect"})


def test_a_reader_links_more_providers_signs_in_with_each_and_removes_one(
    client, oidc_provider, oidc_app, wordpress_server, wordpress_app, mastodon_on, mastodon_server
):
    _sign_in_with_oidc(client, oidc_provider)
    user = SocialAccount.objects.get().user
    page = client.get(reverse("socialaccount_connections"))
    assert page.status_code == 200 and "Loopback ID" in page.content.decode()

    linked = _through(client, wordpress_server.url, "/oauth2/authorize", _connect(client, "wordpress_com"))
    assert linked.redirect_chain[-1][0] == reverse("socialaccount_connections")
    asked = client.post(
        reverse("mastodon_login"),
        {"process": "connect", "instance": mastodon_server.host, "next": "/accounts/3rdparty/"},
    )
    _through(client, mastodon_server.url, "/oauth/authorize", asked)
    assert sorted(SocialAccount.objects.filter(user=user).values_list("provider", flat=True)) == [
        "loopback",
        "mastodon",
        "wordpress_com",
    ]
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "WordPress.com" in page and f"@ada@{mastodon_server.host}" in page

    client.post(reverse("identity:logout"), **SAME_ORIGIN)
    answer = client.post(reverse("identity:login"), {"login": "wordpress_com", "popup": "1"}, **SAME_ORIGIN)
    _through(client, wordpress_server.url, "/oauth2/authorize", answer)
    assert client.session["_auth_user_id"] == str(user.pk)

    oidc_account = SocialAccount.objects.get(provider="loopback")
    removed = client.post(reverse("socialaccount_connections"), {"account": oidc_account.pk})
    assert removed.status_code == 302
    assert not SocialAccount.objects.filter(pk=oidc_account.pk).exists()
    assert SocialAccount.objects.filter(user=user).count() == 2

    # The link is gone: without the verified address that would lead back to the account by itself, the
    # removed provider now makes an account of its own.
    oidc_provider.user["email_verified"] = False
    client.post(reverse("identity:logout"), **SAME_ORIGIN)
    _sign_in_with_oidc(client, oidc_provider)
    assert client.session["_auth_user_id"] != str(user.pk)


def test_a_provider_account_linked_to_another_reader_is_not_taken_over(
    client, oidc_provider, oidc_app, wordpress_server, wordpress_app
):
    answer = client.post(reverse("identity:login"), {"login": "wordpress_com", "popup": "1"}, **SAME_ORIGIN)
    _through(client, wordpress_server.url, "/oauth2/authorize", answer)
    owner = SocialAccount.objects.get(provider="wordpress_com").user
    client.post(reverse("identity:logout"), **SAME_ORIGIN)

    _sign_in_with_oidc(client, oidc_provider)
    _through(client, wordpress_server.url, "/oauth2/authorize", _connect(client, "wordpress_com"))
    assert SocialAccount.objects.get(provider="wordpress_com").user == owner


def test_the_connections_page_is_the_sites_own_and_works_without_script(client, oidc_provider, oidc_app):
    _sign_in_with_oidc(client, oidc_provider)
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert 'class="site-header"' in page and "/static/pnyx/site.css" in page
    # No script but the site's own, which every page loads (and which this page does not need).
    assert all(src.startswith("/static/pnyx/comments.") for src in re.findall(r'<script src="([^"]+)"', page))
    assert "<script>" not in page
    assert re.search(r'<form[^>]+method="post"', page) and 'name="account"' in page


def test_a_form_of_allauths_that_leads_to_the_provider_answers_with_a_page_that_goes_there(
    client, oidc_provider, oidc_app, wordpress_server, wordpress_app
):
    """Browsers hold a form's redirects to the form-action policy (this site alone): a page, not a redirect."""
    _sign_in_with_oidc(client, oidc_provider)
    answer = _connect(client, "wordpress_com")
    assert answer.status_code == 200 and "Connecting to WordPress.com…" in answer.content.decode()
    assert _provider_url(answer).startswith(f"{wordpress_server.url}/oauth2/authorize?")
    assert answer["Cross-Origin-Opener-Policy"] == "unsafe-none"
