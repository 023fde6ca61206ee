"""The author's Edit and Delete in a real browser: shown to the browser that wrote the comment alone,
applied in place, and the thread keeps its replies under "This comment was deleted."."""

import pytest
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _write(page, text):
    page.fill("#comment", text)
    page.fill("#author", "Guest Reader")
    page.fill("#email", "guest@example.org")
    page.click("#submit")


def test_the_author_edits_in_place_and_others_see_no_controls(page, browser, live_server):
    post = PostFactory()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    _write(page, "Teh first version.")
    mine = page.locator(".comment.awaiting")
    expect(mine).to_contain_text("Teh first version.")
    mine.locator("button.own-edit").click()
    page.locator(".own-editor textarea").fill("The *second* version.")
    page.locator(".own-editor button.own-save").click()
    expect(mine.locator(".comment-content em")).to_have_text("second")
    expect(page.locator(".own-editor")).to_have_count(0)
    comment = Comment.objects.get()
    assert comment.body == "The *second* version." and comment.events.filter(old_body="Teh first version.").exists()

    comment_approve(comment=comment)
    other = browser.new_context().new_page()
    other.goto(url)
    expect(other.locator(f"#comment-{comment.pk}")).to_contain_text("second")
    expect(other.locator("button.own-edit")).to_have_count(0)
    other.context.close()


def test_deleting_a_comment_with_a_reply_leaves_the_note_and_the_reply(page, live_server):
    post = PostFactory()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    _write(page, "Something I regret.")
    expect(page.locator(".comment.awaiting button.own-delete")).to_be_visible()  # the page's requests are done
    comment = Comment.objects.get()
    comment_approve(comment=comment)
    CommentFactory(post=post, parent=comment, body="A fair answer.")
    page.goto(url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"#comment-{comment.pk} button.own-delete").click()
    expect(page.locator(f"#li-comment-{comment.pk} .comment-removed")).to_have_text("This comment was deleted.")
    expect(page.locator("#comments")).to_contain_text("A fair answer.")
    page.reload()
    expect(page.locator(".comment-removed")).to_have_text("This comment was deleted.")
    expect(page.locator("#comments")).not_to_contain_text("Something I regret.")
    expect(page.locator("#comments")).to_contain_text("A fair answer.")
