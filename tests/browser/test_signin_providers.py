"""Signing in from the comment form in a real browser, beyond the happy path of test_signin.py: Mastodon on
the server the reader names, a popup closed before the end, a provider answering with an error or a
refusal, and Change."""

import pytest
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = "Half a thought, typed before signing in."


def _until_closed(popup, button):
    """Click in the popup and wait for it to close: waiting is set up first, as the provider, the callback
    and the last page may all be done before a wait started after the click."""
    with popup.expect_event("close", timeout=30_000):
        popup.click(button)


def _open_with_draft(page, live_server):
    post = PostFactory()
    page.goto(live_server.url + post.get_absolute_url())
    page.fill("#comment", DRAFT)
    return post


def test_a_reader_names_their_mastodon_server_in_the_popup_and_comments_with_that_account(
    page, live_server, mastodon_on, mastodon_server
):
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=mastodon]")
    expect(page.locator("#login-status")).to_have_text("Connecting to Mastodon…")
    popup = opened.value
    popup.fill("#instance", mastodon_server.host)
    popup.click("main button[type=submit]")
    _until_closed(popup, "#approve")

    expect(page.locator("#identity-using")).to_have_text("You are commenting using your Mastodon account.")
    expect(page.locator("#comment")).to_have_value(DRAFT)
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_contain_text("Ada on Mastodon")
    assert Comment.objects.get().user.socialaccount_set.get().uid == f"109@{mastodon_server.host}"


def test_a_server_that_is_not_mastodon_is_named_in_the_popup_and_the_reader_may_try_another(
    page, live_server, mastodon_on, mastodon_server
):
    mastodon_server.not_mastodon = True
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=mastodon]")
    popup = opened.value
    popup.fill("#instance", mastodon_server.host)
    popup.click("main button[type=submit]")
    expect(popup.locator(".form-errors")).to_contain_text("did not answer as a Mastodon server does")
    expect(popup.locator("#instance")).to_have_value(mastodon_server.host)
    popup.close()
    expect(page.locator("#login-status")).to_have_text(
        "The sign-in window was closed before you signed in. What you typed is still here."
    )
    expect(page.locator("#comment")).to_have_value(DRAFT)


def test_closing_the_popup_before_signing_in_says_so_and_keeps_the_draft(page, live_server, oidc_provider, oidc_app):
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=loopback]")
    popup = opened.value
    popup.wait_for_selector("#approve")
    popup.close()
    expect(page.locator("#login-status")).to_have_text(
        "The sign-in window was closed before you signed in. What you typed is still here."
    )
    expect(page.locator("#comment")).to_have_value(DRAFT)
    expect(page.locator("#identity-guest")).to_be_visible()


def test_a_provider_answering_with_an_error_says_so_and_keeps_the_draft(
    page, live_server, wordpress_server, wordpress_app
):
    wordpress_server.error = "server_error"
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=wordpress_com]")
    assert opened.value  # it closes by itself, once the error page has told this one
    expect(page.locator("#login-status")).to_have_text(
        "Signing in with WordPress.com did not work. What you typed is still here.", timeout=30_000
    )
    expect(page.locator("#comment")).to_have_value(DRAFT)
    expect(page.locator("#identity-guest")).to_be_visible()


def test_refusing_at_the_provider_says_the_reader_cancelled_and_keeps_the_draft(
    page, live_server, oidc_provider, oidc_app
):
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=loopback]")
    popup = opened.value
    _until_closed(popup, "#deny")
    expect(page.locator("#login-status")).to_have_text(
        "You cancelled signing in with Loopback ID. What you typed is still here."
    )
    expect(page.locator("#comment")).to_have_value(DRAFT)


def test_change_offers_the_other_providers_and_switches_to_one(
    page, live_server, oidc_provider, oidc_app, wordpress_server, wordpress_app
):
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=loopback]")
    popup = opened.value
    _until_closed(popup, "#approve")
    expect(page.locator("#identity-using")).to_have_text("You are commenting using your Loopback ID account.")

    page.click("#identity-change")
    offered = page.locator("#identity-account .login-icon:visible")
    expect(offered).to_have_count(2)
    expect(page.locator("#identity-account .login-icon[value=loopback]")).to_be_hidden()
    expect(page.locator("#identity-account .login-icon[value=wordpress_com]")).to_be_visible()
    expect(page.locator("#identity-account .login-icon[value=account]")).to_be_visible()

    with page.expect_popup() as opened:
        page.click("#identity-account .login-icon[value=wordpress_com]")
    popup = opened.value
    _until_closed(popup, "#approve")
    expect(page.locator("#identity-using")).to_have_text("You are commenting using your WordPress.com account.")
    expect(page.locator("#comment")).to_have_value(DRAFT)


def test_a_signed_in_reader_links_another_provider_on_the_connections_page_and_removes_one(
    page, live_server, oidc_provider, oidc_app, wordpress_server, wordpress_app
):
    _open_with_draft(page, live_server)
    with page.expect_popup() as opened:
        page.click(".login-icon[value=loopback]")
    _until_closed(opened.value, "#approve")
    expect(page.locator("#identity-using")).to_have_text("You are commenting using your Loopback ID account.")

    page.goto(f"{live_server.url}/accounts/3rdparty/")
    expect(page.locator(".site-header")).to_be_visible()
    page.click("a[title='WordPress.com']")
    page.click("main button[type=submit]")  # allauth's "Continue": a POST whose answer leads to the provider
    page.wait_for_url(f"{wordpress_server.url}/oauth2/authorize*")
    page.click("#approve")
    page.wait_for_url(f"{live_server.url}/accounts/3rdparty/")
    expect(page.locator("main")).to_contain_text("Grace Hopper")

    page.locator("main label", has_text="Loopback ID").click()
    page.click("button:has-text('Remove')")
    expect(page.locator("main form label")).to_have_count(1)
    expect(page.locator("main form")).to_contain_text("WordPress.com")
