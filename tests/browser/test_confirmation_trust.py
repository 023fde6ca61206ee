"""Issue 13.1 in real browsers: a confirmation link proves an address only to the browser it was opened in."""

import re

import pytest
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _comment(page, url, text):
    # A returning guest's name and address are filled in by the page's script once its JSON arrives; typed
    # before then, Playwright's fill (select, then insert) could end up after what the script put there.
    page.goto(url, wait_until="networkidle")
    page.fill("#comment", text)
    page.fill("#author", "Regular")
    page.fill("#email", "regular@example.org")
    page.click("#submit")
    page.wait_for_load_state()


def test_the_regular_confirms_in_their_browser_and_the_strangers_browser_stays_unproven(
    browser, live_server, smtp_server, settings
):
    settings.PNYX_BASE_URL = live_server.url
    post = PostFactory(title="Bridges")
    CommentFactory(post=post, author_name="Regular", author_email="regular@example.org")
    url = live_server.url + post.get_absolute_url()
    stranger, regular = browser.new_context(), browser.new_context()
    try:
        stranger_page, regular_page = stranger.new_page(), regular.new_page()
        _comment(stranger_page, url, "An innocent remark, typed by a stranger.")
        expect(stranger_page.locator(".comment.awaiting")).to_contain_text("awaiting moderation")

        [message] = smtp_server.messages
        link = re.search(r"https?://\S+/comments/confirm/\S+/", message.get_body(("plain",)).get_content()).group(0)
        regular_page.goto(link)
        regular_page.click("button[value=publish]")
        expect(
            regular_page.locator(f"#comment-{Comment.objects.get(body__startswith='An innocent').pk}")
        ).to_be_visible()

        _comment(stranger_page, url, "Cheap pills at https://spam.example/ now.")
        expect(stranger_page.locator(".comment.awaiting")).to_contain_text("Cheap pills")
        assert Comment.objects.get(body__startswith="Cheap pills").status == "pending"

        _comment(regular_page, url, "Back again, from the browser I confirmed in.")
        assert Comment.objects.get(body__startswith="Back again").status == "approved"
        expect(regular_page.locator(".comments-title")).to_contain_text("3 thoughts on")
    finally:
        stranger.close()
        regular.close()
