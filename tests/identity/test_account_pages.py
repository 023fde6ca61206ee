"""allauth's own pages in the site's layout: the header, the stylesheet, forms that work without script, and
on a signed-in reader's pages the way to each of them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _looks_like_the_site(page: str) -> None:
    assert 'class="site-header"' in page and "/static/pnyx/site.css" in page
    assert 'class="site-main account-page"' in page
    # Readable and usable without script: at most allauth's own small files (a confirmation before removing)
    # and the site's own, which every page has (staff's pending count).
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert all(src.startswith(("/static/account/", "/static/pnyx/comments.")) for src in scripts)
    assert "<script>" not in page
    assert "Menu:" not in page  # allauth's bare default layout is not used


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_a_visitors_account_pages_are_the_sites_own(client, name):
    page = client.get(reverse(name)).content.decode()
    _looks_like_the_site(page)
    assert re.search(r'<form class="account-form" method="post"', page)
    assert 'class="submit"' in page


def test_the_sign_in_page_lists_each_configured_provider_with_its_icon(client, oidc_app, mastodon_on):
    page = client.get(reverse("account_login")).content.decode()
    assert "/static/pnyx/login/openid.svg" in page and "Loopback ID" in page
    assert "/static/pnyx/login/mastodon.svg" in page


def test_signing_up_leads_to_the_verification_page_in_the_sites_layout(client, mailoutbox):
    answer = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
        },
        follow=True,
    )
    _looks_like_the_site(answer.content.decode())
    assert answer.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "name", ["socialaccount_connections", "account_email", "account_set_password", "account_logout"]
)
def test_a_signed_in_readers_pages_are_the_sites_own_with_a_way_to_each(client, name):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    page = client.get(reverse(name)).content.decode()
    _looks_like_the_site(page)
    nav = re.search(r'<nav class="account-nav".*?</nav>', page, re.S).group(0)
    for other in ("socialaccount_connections", "account_email", "account_set_password", "account_logout"):
        assert f'href="{reverse(other)}"' in nav
