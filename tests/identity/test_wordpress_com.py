"""Signing in with WordPress.com, against a server on loopback that speaks its OAuth 2 and /me, through the
real allauth flow with Django's test client as the browser."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


def _target(page) -> str:
    return unescape(re.search(r'content="0;url=([^"]+)"', page.content.decode()).group(1))


def _sign_in(client, server, post, *, answer="yes"):
    data = {"login": "wordpress_com", "popup": "1", "login_page": post.get_absolute_url()}
    connecting = client.post(reverse("identity:login"), data, **SAME_ORIGIN)
    assert "Connecting to WordPress.com…" in connecting.content.decode()
    target = _target(connecting)
    assert target.startswith(f"{server.url}/oauth2/authorize?")
    fields = dict(parse_qsl(urlsplit(target).query))
    assert fields["scope"] == "auth"
    approved = requests.post(
        f"{server.url}/oauth2/authorize", {**fields, "answer": answer}, allow_redirects=False, timeout=5
    )
    callback = urlsplit(approved.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_a_wordpress_com_account_signs_in_with_its_name_picture_and_verified_address(
    client, wordpress_server, wordpress_app
):
    post = PostFactory()
    done = _sign_in(client, wordpress_server, post)
    assert 'data-outcome="signed-in"' in done.content.decode()
    account = SocialAccount.objects.get(provider="wordpress_com")
    assert account.uid == "4242" and account.user.get_full_name() == "Grace Hopper"
    assert EmailAddress.objects.get(user=account.user).verified
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["account"]
    assert mine["provider"] == "WordPress.com" and mine["name"] == "Grace Hopper"
    assert client.get(mine["avatar"]).content.startswith(b"\x89PNG")
    assert "POST /oauth2/token" in wordpress_server.requests and "GET /rest/v1.1/me" in wordpress_server.requests


def test_an_address_wordpress_com_did_not_verify_counts_for_nothing(client, wordpress_server, wordpress_app):
    regular = UserFactory(username="regular", email="grace@example.org")
    EmailAddress.objects.create(user=regular, email="grace@example.org", verified=True, primary=True)
    wordpress_server.user["email_verified"] = False
    _sign_in(client, wordpress_server, PostFactory())
    user = get_user_model().objects.get(socialaccount__uid="4242")
    assert user != regular and user.email == ""
    assert not EmailAddress.objects.filter(user=user).exists()


def test_a_verified_wordpress_com_address_signs_in_to_the_account_that_has_it(client, wordpress_server, wordpress_app):
    regular = UserFactory(username="regular", email="grace@example.org")
    EmailAddress.objects.create(user=regular, email="grace@example.org", verified=True, primary=True)
    _sign_in(client, wordpress_server, PostFactory())
    assert get_user_model().objects.get(socialaccount__uid="4242") == regular


def test_denying_at_wordpress_com_signs_nobody_in(client, wordpress_server, wordpress_app):
    done = _sign_in(client, wordpress_server, PostFactory(), answer="no")
    assert 'data-outcome="cancelled"' in done.content.decode()
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session


def test_the_form_shows_wordpress_com_only_once_it_has_credentials(client, wordpress_server):
    post = PostFactory()
    assert 'value="wordpress_com"' not in client.get(post.get_absolute_url()).content.decode()
