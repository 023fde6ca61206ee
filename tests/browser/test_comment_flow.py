import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_guest(page, text, name="Guest Reader", email="guest@example.org"):
    page.fill("#comment", text)
    page.fill("#author", name)
    page.fill("#email", email)


def test_guest_comment_is_held_then_approved_in_the_admin_and_counted(page, live_server):
    post = PostFactory(title="Why trams beat buses")
    get_user_model().objects.create_superuser("moderator", "mod@example.org", "a-long-test-password")

    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    _fill_guest(page, "Trams are quieter, and they feel permanent.")
    page.click("#submit")
    held = page.locator(".comment.awaiting")
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held).to_contain_text("Trams are quieter")
    assert page.url.endswith(f"#comment-{Comment.objects.get().pk}")
    expect(page.locator(".comments-title")).to_have_count(0)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/discussion/comment/?status__exact=pending")
    page.check("input.action-select")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")

    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator(".comments-title")).to_have_text("One thought on “Why trams beat buses”")
    expect(page.locator("ol.comment-list > li.comment")).to_have_count(1)


def test_reply_moves_the_form_under_the_comment_and_the_held_reply_shows_nested(page, live_server):
    post = PostFactory()
    parent = CommentFactory(post=post, author_name="First Voice", body="An opening argument.")
    page.goto(live_server.url + post.get_absolute_url())

    page.click(f"#comment-{parent.pk} .comment-reply-link")
    expect(page.locator(f"#li-comment-{parent.pk} #respond")).to_have_count(1)
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()
    page.click("#cancel-comment-reply-link")
    expect(page.locator(f"#li-comment-{parent.pk} #respond")).to_have_count(0)
    expect(page.locator("#cancel-comment-reply-link")).to_be_hidden()

    page.click(f"#comment-{parent.pk} .comment-reply-link")
    _fill_guest(page, "A reply, nested where it belongs.")
    page.click("#submit")
    nested = page.locator(f"#li-comment-{parent.pk} > ol.children > li.awaiting")
    expect(nested).to_contain_text("A reply, nested where it belongs.")
    assert Comment.objects.get(parent=parent).status == "pending"


def test_the_draft_survives_a_reload_and_the_guest_is_remembered(page, live_server):
    post = PostFactory()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    page.locator("#comment").press_sequentially("Half a thought")
    page.reload()
    expect(page.locator("#comment")).to_have_value("Half a thought")
    _fill_guest(page, "A whole thought now.", name="Remembered Name")
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_be_visible()
    page.goto(url)
    expect(page.locator("#author")).to_have_value("Remembered Name")
    expect(page.locator("#comment")).to_have_value("")


def test_a_returning_guests_details_fill_the_empty_fields_but_not_the_one_being_typed_in(page, live_server):
    post = PostFactory()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    _fill_guest(page, "Remember me.", name="Returning Reader", email="returning@example.org")
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_be_visible()

    held = []  # the reader's JSON, answered only once the reader is in the email field
    page.route("**/comments/mine/**", lambda route: held.append(route))
    with page.expect_request("**/comments/mine/**"):
        page.goto(url)
    page.focus("#email")
    held[0].continue_()
    expect(page.locator("#author")).to_have_value("Returning Reader")
    page.keyboard.type("new@example.org")
    expect(page.locator("#email")).to_have_value("new@example.org")


def test_without_javascript_the_form_posts_and_shows_the_held_comment_privately(browser, live_server):
    post = PostFactory()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    _fill_guest(page, "Written with scripts off.")
    page.click("#submit")
    expect(page.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")
    expect(page.locator("body")).to_contain_text("Written with scripts off.")
    page.click("text=Back to the post")
    assert page.url.startswith(live_server.url + post.get_absolute_url())
    context.close()


def test_bad_input_keeps_the_typed_text_in_the_real_page(page, live_server):
    post = PostFactory()
    page.goto(live_server.url + post.get_absolute_url())
    page.fill("#comment", "Please keep this paragraph.")
    page.fill("#author", "Sam")
    page.fill("#email", "sam@example.org")
    page.fill("#url", "ftp://files.example.org/")  # the browser allows it; the server refuses it
    page.click("#submit")
    expect(page.locator(".comment-form-url .field-error")).to_contain_text("http:// or https://")
    expect(page.locator("#comment")).to_have_value("Please keep this paragraph.")
    assert not Comment.objects.exists()


def test_a_signed_in_editor_comments_under_their_account_and_goes_live(page, live_server):
    post = PostFactory()
    editor = get_user_model().objects.create_user(
        "editor", "editor@example.org", "a-long-test-password", first_name="Edie", is_staff=True
    )
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator("#identity-user")).to_have_text("You are commenting as Edie.")
    expect(page.locator("#identity-guest")).to_be_hidden()
    page.fill("#comment", "A note from the editor.")
    page.click("#submit")
    expect(page.locator(".comments-title")).to_contain_text("One thought on")
    assert Comment.objects.get().user == editor
