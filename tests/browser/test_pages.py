import pytest
from playwright.sync_api import expect

from tests.factories import PostFactory, bulk_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_link_to_a_comment_on_page_two_opens_page_two_scrolled_to_it(page, live_server, settings):
    settings.PNYX_COMMENTS_PER_PAGE = 3
    post = PostFactory()
    families = bulk_thread(post, top_level=6, replies=2)
    target = families[4][2]  # a reply, far down page 2

    page.set_viewport_size({"width": 800, "height": 400})  # the comment starts well below the fold
    page.goto(f"{live_server.url}{post.get_absolute_url()}#comment-{target.pk}")

    page.wait_for_url(f"**{post.get_absolute_url()}?cpage=2#comment-{target.pk}")
    expect(page.locator(".comment-navigation .current").first).to_have_text("2")
    expect(page.locator(f"#comment-{target.pk}")).to_be_in_viewport()
