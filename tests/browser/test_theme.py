import pytest

from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_page_follows_the_readers_light_or_dark_setting_without_moving(page, live_server):
    post = PostFactory()
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + post.get_absolute_url())
    light = _background(page)
    box = page.locator("#comments").bounding_box()
    page.emulate_media(color_scheme="dark")
    assert light == "rgb(255, 255, 255)" and _background(page) != light
    assert page.locator("#comments").bounding_box() == box
