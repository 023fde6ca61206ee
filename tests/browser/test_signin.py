"""Issue 15 in a real browser against a real OpenID Connect provider on loopback: signing in from the
comment form without losing a word, in a popup, in the whole page, and with an address the provider did
not verify."""

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USING = "You are commenting using your Loopback ID account."


def _sign_in_in_popup(page):
    with page.expect_popup() as opened:
        page.click(".login-icon[value=loopback]")
    expect(page.locator("#login-status")).to_have_text("Connecting to Loopback ID…")
    popup = opened.value
    # Waiting is set up before the click: the provider, the callback and the avatar fetch may all be done
    # before a wait started after it. 30 s for a busy CI box.
    with popup.expect_event("close", timeout=30_000):
        popup.click("#approve")


def test_signing_in_in_a_popup_keeps_the_page_and_the_draft_then_trust_grows_as_for_a_guest(
    page, live_server, oidc_provider, oidc_app
):
    post = PostFactory(title="Trams")
    third_party = []
    page.on("request", lambda r: third_party.append(r.url) if r.url.startswith(oidc_provider.url) else None)
    page.goto(live_server.url + post.get_absolute_url())
    page.fill("#comment", "Typed before signing in, and not a word lost.")

    _sign_in_in_popup(page)
    expect(page.locator("#identity-using")).to_have_text(USING)
    expect(page.locator("#identity-guest")).to_be_hidden()
    expect(page.locator("#login-status")).to_be_hidden()
    avatar = page.locator("#identity-avatar")
    expect(avatar).to_be_visible()
    assert avatar.get_attribute("src").startswith("/you/avatar/")
    expect(page.locator("#comment")).to_have_value("Typed before signing in, and not a word lost.")

    page.click("#submit")
    held = page.locator(".comment.awaiting")
    expect(held).to_contain_text("Typed before signing in")
    expect(held).to_contain_text("Ada Lovelace")
    first = Comment.objects.get()
    assert first.status == "pending" and first.user.get_full_name() == "Ada Lovelace"

    comment_approve(comment=first, moderator=UserFactory(is_staff=True))
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator("#identity-using")).to_have_text(USING)
    page.fill("#comment", "Known now, so this one goes live.")
    page.click("#submit")
    expect(page.locator(".comments-title")).to_contain_text("2 thoughts on")
    assert Comment.objects.get(body__startswith="Known now").status == "approved"

    page.click("#identity-logout")
    expect(page.locator("#identity-guest")).to_be_visible()
    expect(page.locator("#identity-account")).to_be_hidden()
    expect(page.locator("#author")).to_be_visible()
    assert third_party == []  # the page itself never asked the provider for anything, the picture included


def test_where_popups_are_blocked_the_whole_page_signs_in_and_the_draft_and_reply_target_come_back(
    page, live_server, oidc_provider, oidc_app
):
    post = PostFactory()
    parent = CommentFactory(post=post, author_name="First Voice", body="An opening argument.")
    page.add_init_script("window.open = function () { return null; };")
    page.goto(live_server.url + post.get_absolute_url())
    page.click(f"#comment-{parent.pk} .comment-reply-link")
    page.fill("#comment", "A reply that survives a trip to the provider.")
    page.evaluate("localStorage.clear()")  # the server's copy, not this browser's, must bring it back

    page.click(".login-icon[value=loopback]")
    page.wait_for_url(f"{oidc_provider.url}/authorize*")
    page.click("#approve")
    page.wait_for_url(f"{live_server.url}{post.get_absolute_url()}*")
    expect(page.locator("#identity-using")).to_have_text(USING)
    expect(page.locator("#comment")).to_have_value("A reply that survives a trip to the provider.")
    expect(page.locator(f"#li-comment-{parent.pk} #respond")).to_have_count(1)
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_contain_text("survives a trip")
    assert Comment.objects.get(body__startswith="A reply").parent == parent


def test_without_javascript_the_draft_waits_on_the_server_and_comes_back_with_its_reply_target(
    browser, live_server, oidc_provider, oidc_app
):
    post = PostFactory()
    parent = CommentFactory(post=post, body="An opening argument.")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{post.get_absolute_url()}?replytocom={parent.pk}")
        page.fill("#comment", "Written with scripts off.")
        page.click(".login-icon[value=loopback]")
        page.wait_for_url(f"{oidc_provider.url}/authorize*")
        page.click("#approve")
        page.wait_for_url(f"{live_server.url}/you/back/")
        expect(page.locator("#comment")).to_have_value("Written with scripts off.")
        page.click("#submit")
        page.wait_for_load_state()
        reply = Comment.objects.get(body="Written with scripts off.")
        assert reply.parent == parent and reply.user.get_full_name() == "Ada Lovelace"
        assert urlsplit(page.url).path == f"/comments/{reply.pk}/"
    finally:
        context.close()


def test_an_address_the_provider_did_not_verify_brings_no_trust(page, live_server, oidc_provider, oidc_app):
    regular = UserFactory(username="regular", email="ada@example.org", first_name="Ada", last_name="Regular")
    EmailAddress.objects.create(user=regular, email="ada@example.org", verified=True, primary=True)
    post = PostFactory()
    CommentFactory(post=post, user=regular, status="approved")
    oidc_provider.user["email_verified"] = False

    page.goto(live_server.url + post.get_absolute_url())
    page.fill("#comment", "I claim to be the regular.")
    _sign_in_in_popup(page)
    expect(page.locator("#identity-using")).to_have_text(USING)
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_contain_text("I claim to be the regular.")
    claim = Comment.objects.get(body="I claim to be the regular.")
    assert claim.status == "pending" and claim.user != regular and claim.user.email == ""
