"""Signing in from the comment form through a real OpenID Connect provider on loopback, with Django's test
client as the browser: the draft, the reader's JSON, the trust an account brings and the trust a provider's
unverified address does not."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


def _form(post, **fields):
    return {
        "comment": "A draft typed before signing in.",
        "comment_parent": "",
        "js": "",
        "login_page": post.get_absolute_url(),
        "login_action": reverse("discussion:post", args=[post.thread.pk]),
        "login": "loopback",
        **fields,
    }


def _sign_in(client, provider, data, *, answer="yes"):
    """Press a login icon, then do what the browser does: the provider's page, its answer, the callback."""
    connecting = client.post(reverse("identity:login"), data, **SAME_ORIGIN)
    assert connecting.status_code == 200
    assert "Connecting to Loopback ID…" in connecting.content.decode()
    target = unescape(re.search(r'content="0;url=([^"]+)"', connecting.content.decode()).group(1))
    assert target.startswith(f"{provider.url}/authorize?")
    fields = dict(parse_qsl(urlsplit(target).query))
    approved = requests.post(
        f"{provider.url}/authorize", {**fields, "answer": answer}, allow_redirects=False, timeout=5
    )
    callback = urlsplit(approved.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_without_javascript_the_draft_and_reply_target_come_back_after_signing_in(client, oidc_provider, oidc_app):
    post = PostFactory()
    parent = CommentFactory(post=post)
    landing = _sign_in(client, oidc_provider, _form(post, comment_parent=str(parent.pk)))
    page = landing.content.decode()
    assert "You are signed in as Ada Lovelace" in page
    assert "A draft typed before signing in." in page
    assert f'name="comment_parent" value="{parent.pk}"' in page
    assert f'action="{reverse("discussion:post", args=[post.thread.pk])}"' in page
    assert client.get(reverse("identity:back")).status_code == 302  # handed over once


def test_with_javascript_the_page_gets_the_draft_once_from_the_readers_json(client, oidc_provider, oidc_app):
    post = PostFactory()
    parent = CommentFactory(post=post)
    landing = _sign_in(client, oidc_provider, _form(post, js="1", comment_parent=str(parent.pk)))
    assert landing.redirect_chain[-1][0] == f"{post.get_absolute_url()}?replytocom={parent.pk}#respond"
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()
    assert mine["draft"] == {"text": "A draft typed before signing in.", "parent": str(parent.pk)}
    assert "draft" not in client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()


def test_the_readers_json_names_the_provider_and_serves_the_picture_from_this_site(client, oidc_provider, oidc_app):
    post = PostFactory()
    _sign_in(client, oidc_provider, _form(post))
    account = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["account"]
    assert account["provider"] == "Loopback ID" and account["name"] == "Ada Lovelace"
    assert account["avatar"].startswith("/you/avatar/") and account["logout"] == reverse("identity:logout")
    picture = client.get(account["avatar"])
    assert picture["Content-Type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    assert oidc_provider.requests.count("/picture.png") == 1
    client.logout()
    _sign_in(client, oidc_provider, _form(post))  # a second sign-in keeps the picture it has
    assert oidc_provider.requests.count("/picture.png") == 1


def test_a_provider_account_is_held_first_then_goes_live_once_one_was_approved(client, oidc_provider, oidc_app):
    post = PostFactory()
    _sign_in(client, oidc_provider, _form(post))
    url = reverse("discussion:post", args=[post.thread.pk])
    client.post(url, {"comment": "My first words here."}, **SAME_ORIGIN)
    first = Comment.objects.get()
    assert first.status == "pending" and first.display_name == "Ada Lovelace"
    comment_approve(comment=first, moderator=UserFactory(is_staff=True))
    client.post(url, {"comment": "And now I am known."}, **SAME_ORIGIN)
    assert Comment.objects.get(body="And now I am known.").status == "approved"


def test_signing_in_keeps_this_browsers_held_guest_comments_in_view(client, oidc_provider, oidc_app):
    post = PostFactory()
    guest = {"comment": "Written as a guest.", "author": "Ada", "email": "ada@example.org", "js": "1"}
    client.post(reverse("discussion:post", args=[post.thread.pk]), guest, **SAME_ORIGIN)
    _sign_in(client, oidc_provider, _form(post))
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()
    assert "account" in mine and [p["id"] for p in mine["pending"]] == [Comment.objects.get().pk]


def test_an_address_the_provider_did_not_verify_counts_for_nothing(client, oidc_provider, oidc_app):
    regular = UserFactory(username="regular", email="ada@example.org", first_name="Regular", last_name="Reader")
    EmailAddress.objects.create(user=regular, email="ada@example.org", verified=True, primary=True)
    oidc_provider.user["email_verified"] = False
    post = PostFactory()
    _sign_in(client, oidc_provider, _form(post))
    user = get_user_model().objects.get(socialaccount__uid="ada")
    assert user != regular and user.email == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    client.post(reverse("discussion:post", args=[post.thread.pk]), {"comment": "Trust me."}, **SAME_ORIGIN)
    assert Comment.objects.get().user == user


@pytest.mark.parametrize("claim", ["true", "false", 1])
def test_only_a_real_true_is_a_verified_address(client, oidc_provider, oidc_app, claim):
    oidc_provider.user["email_verified"] = claim
    _sign_in(client, oidc_provider, _form(PostFactory()))
    assert get_user_model().objects.get(socialaccount__uid="ada").email == ""


def test_an_address_the_provider_verified_signs_in_to_the_account_that_has_it(client, oidc_provider, oidc_app):
    regular = UserFactory(username="regular", email="ada@example.org")
    EmailAddress.objects.create(user=regular, email="ada@example.org", verified=True, primary=True)
    _sign_in(client, oidc_provider, _form(PostFactory()))
    assert get_user_model().objects.get(socialaccount__uid="ada") == regular


def test_a_login_from_another_site_is_refused_and_keeps_nothing(client, oidc_app):
    post = PostFactory()
    refused = client.post(reverse("identity:login"), _form(post), HTTP_SEC_FETCH_SITE="cross-site")
    assert refused.status_code == 403
    assert client.get(reverse("identity:back")).status_code == 302


def test_a_draft_only_goes_back_to_a_page_of_this_site(client, oidc_provider, oidc_app):
    post = PostFactory()
    _sign_in(client, oidc_provider, _form(post, login_page="https://evil.example/", login_action="//evil.example/"))
    assert client.get(reverse("identity:back"))["Location"] == "/"


def test_log_out_is_a_same_origin_post_and_the_guest_fields_come_back(client, oidc_provider, oidc_app):
    post = PostFactory()
    _sign_in(client, oidc_provider, _form(post))
    assert client.post(reverse("identity:logout"), HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.get(reverse("identity:logout")).status_code == 405
    assert "account" in client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()
    assert client.post(reverse("identity:logout"), **SAME_ORIGIN).json() == {"signed_in": False}
    assert "account" not in client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()


def test_the_post_page_is_the_same_for_a_reader_signed_in_through_a_provider(client, oidc_provider, oidc_app):
    post = PostFactory()
    CommentFactory(post=post)
    anonymous = client.get(post.get_absolute_url())
    _sign_in(client, oidc_provider, _form(post))
    signed_in = client.get(post.get_absolute_url())
    assert signed_in.wsgi_request.user.is_authenticated
    assert anonymous.content == signed_in.content
    assert b"Ada" not in signed_in.content and b"csrfmiddlewaretoken" not in signed_in.content
    assert "Cookie" not in signed_in.get("Vary", "") and not signed_in.cookies


def test_the_form_shows_an_icon_for_each_configured_provider_and_the_local_account(client, oidc_app):
    page = client.get(PostFactory().get_absolute_url()).content.decode()
    assert 'name="login" value="loopback"' in page and 'name="login" value="account"' in page
    assert "pnyx/login/openid.svg" in page
    assert 'value="google"' not in page  # no app, no icon
