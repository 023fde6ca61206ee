"""The moderation desk in a real browser, by keyboard: each action applies without a reload, undo
puts a comment back, and the post page shows what was decided."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server):
    get_user_model().objects.create_superuser("moderator", "mod@example.org", "a-long-test-password")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_the_desk_by_keyboard_applies_without_reload_and_the_post_page_follows(page, live_server):
    post = PostFactory(title="Trams or buses")
    now = timezone.now()
    oldest, middle, newest = (
        CommentFactory(post=post, status="pending", body=text, created_at=now - timedelta(minutes=m))
        for text, m in [
            ("Oldest: trams are quieter.", 30),
            ("Middle: cheap pills here.", 20),
            ("Newest: buses go anywhere.", 10),
        ]
    )
    _sign_in(page, live_server)
    page.goto(live_server.url + "/desk/")
    page.evaluate("window.notReloaded = true")
    rows = page.locator(".desk-item:visible")
    expect(rows).to_have_count(3)
    current = page.locator(".desk-item.current")
    expect(current).to_have_attribute("id", f"desk-{newest.pk}")

    page.keyboard.press("a")  # approve the newest
    expect(page.locator(f"#desk-{newest.pk}")).to_be_hidden()
    expect(page.locator('[data-count="pending"]')).to_have_text("2")
    expect(page.locator('[data-count="approved"]')).to_have_text("1")
    expect(current).to_have_attribute("id", f"desk-{middle.pk}")

    page.keyboard.press("j")
    expect(current).to_have_attribute("id", f"desk-{oldest.pk}")
    page.keyboard.press("k")
    expect(current).to_have_attribute("id", f"desk-{middle.pk}")
    page.keyboard.press("s")  # the middle one is spam
    expect(page.locator(f"#desk-{middle.pk}")).to_be_hidden()
    expect(page.locator('[data-count="spam"]')).to_have_text("1")
    expect(current).to_have_attribute("id", f"desk-{oldest.pk}")

    page.keyboard.press("d")  # trash the oldest, then think better of it
    expect(page.locator(f"#desk-{oldest.pk}")).to_be_hidden()
    expect(page.locator('[data-count="trash"]')).to_have_text("1")
    page.keyboard.press("u")
    expect(page.locator(f"#desk-{oldest.pk}")).to_be_visible()
    expect(page.locator('[data-count="trash"]')).to_have_text("0")
    expect(page.locator("#desk-status")).to_contain_text("1 comment restored.")

    page.keyboard.press("r")  # approve and reply to the oldest
    page.keyboard.type("Thanks, and welcome.")
    page.locator(f"#desk-{oldest.pk} .desk-reply button").click()
    expect(page.locator("#desk-status")).to_contain_text("Reply posted.")
    expect(page.locator(f"#desk-{oldest.pk}")).to_be_hidden()
    expect(page.locator('[data-count="pending"]')).to_have_text("0")

    assert page.evaluate("window.notReloaded") is True
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {
        "Oldest: trams are quieter.": "approved",
        "Middle: cheap pills here.": "spam",
        "Newest: buses go anywhere.": "approved",
        "Thanks, and welcome.": "approved",
    }

    page.goto(live_server.url + post.get_absolute_url())
    comments = page.locator("#comments")
    expect(comments).to_contain_text("Newest: buses go anywhere.")
    expect(comments).to_contain_text("Oldest: trams are quieter.")
    expect(comments).to_contain_text("Thanks, and welcome.")
    expect(comments).not_to_contain_text("cheap pills")
    expect(page.locator("#desk-link")).to_have_text("Moderation desk: 0 pending")


def test_staff_see_the_pending_count_on_every_page_and_readers_never(page, live_server):
    post = PostFactory()
    CommentFactory(post=post, status="pending")
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator(".comment-form")).to_be_visible()
    expect(page.locator("#desk-link")).to_be_hidden()
    _sign_in(page, live_server)
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator("#desk-link")).to_have_text("Moderation desk: 1 pending")
    page.goto(live_server.url + "/")  # the home page asks only once this browser was seen to be staff's
    expect(page.locator("#desk-link")).to_have_text("Moderation desk: 1 pending")
    page.click("#desk-link a")
    expect(page.locator(".desk-item")).to_have_count(1)
