import pytest
from playwright.sync_api import expect

from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _write(page, text):
    page.fill("#comment", text)
    page.fill("#author", "Guest Reader")
    page.fill("#email", "guest@example.org")


def _form_url(page, live_server):
    return live_server.url + page.get_attribute("#commentform", "action")


def _answer_the_form_with(page, live_server, status):
    """The form's POST gets this status from the browser itself, as from a refusing or failing server."""
    page.route(
        _form_url(page, live_server),
        lambda route: route.fulfill(status=status, content_type="text/html", body=f"<h1>{status}</h1>"),
    )


@pytest.mark.parametrize("status", [403, 404, 429, 500])
def test_a_refused_or_failed_send_keeps_the_draft_for_the_next_visit(page, live_server, status):
    post = PostFactory()
    earlier = CommentFactory(post=post)
    page.goto(live_server.url + post.get_absolute_url())
    _write(page, "An argument worth keeping.")
    _answer_the_form_with(page, live_server, status)
    page.click("#submit")
    expect(page.locator("h1")).to_have_text(str(status))

    # Back by a comment's link, whose anchor looks like the one a successful send lands on.
    page.goto(live_server.url + earlier.get_absolute_url())
    expect(page.locator("#comment")).to_have_value("An argument worth keeping.")
    assert list(Comment.objects.all()) == [earlier]


def test_the_draft_is_dropped_once_the_server_has_taken_the_comment(page, live_server):
    post = PostFactory()
    url = live_server.url + post.get_absolute_url()
    page.goto(url)
    _write(page, "Taken, so no longer a draft.")
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_contain_text("Taken, so no longer a draft.")
    assert page.evaluate("localStorage.length") == 0
    page.goto(url)
    expect(page.locator("#comment")).to_have_value("")


def test_a_second_click_while_the_comment_is_on_its_way_sends_nothing_more(page, live_server):
    post = PostFactory()
    page.goto(live_server.url + post.get_absolute_url())
    _write(page, "Said once.")
    form_url = _form_url(page, live_server)
    in_flight = []
    page.route(form_url, lambda route: in_flight.append(route))  # held: the server has not answered yet
    page.locator("#submit").scroll_into_view_if_needed()
    button = page.locator("#submit").bounding_box()
    x, y = button["x"] + button["width"] / 2, button["y"] + button["height"] / 2

    # A browser folds two clicks into one send when both come before it starts the first; the
    # impatient reader clicks again once it has.
    with page.expect_request(form_url):
        page.mouse.click(x, y)
    page.mouse.click(x, y)
    page.wait_for_timeout(500)  # time for a second POST to leave, were it to
    assert len(in_flight) == 1
    in_flight[0].continue_()
    expect(page.locator(".comment.awaiting")).to_contain_text("Said once.")
    assert Comment.objects.count() == 1


def test_back_from_a_failed_send_brings_the_page_with_its_button_awake(page_with_back_cache, live_server):
    page = page_with_back_cache
    post = PostFactory()
    page.goto(live_server.url + post.get_absolute_url())
    page.evaluate("window.leftHere = true")
    _write(page, "Second time lucky.")
    _answer_the_form_with(page, live_server, 500)
    page.click("#submit")
    expect(page.locator("h1")).to_have_text("500")

    page.go_back(wait_until="commit")
    assert page.evaluate("window.leftHere"), "Back did not restore the page from the back-forward cache"
    expect(page.locator("#submit")).to_be_enabled()
    page.unroute(_form_url(page, live_server))
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_contain_text("Second time lucky.")
    assert page.evaluate("localStorage.length") == 0
