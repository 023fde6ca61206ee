"""The writer's desk in Chromium: the preview follows the typing, and text typed but never saved is
offered back after a reload, and restored."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from playwright.sync_api import expect

from pnyx.blog.models import Draft
from pnyx.blog.roles import ROLES
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _author(username: str):
    """An author; the group made here, as a transactional test empties the tables the migration filled."""
    group, _created = Group.objects.get_or_create(name="Author")
    group.permissions.set(Permission.objects.filter(content_type__app_label="blog", codename__in=ROLES["Author"]))
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(group)
    return user


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_typing_updates_the_preview_and_a_reload_offers_the_autosaved_text(page, live_server):
    ana = _author("ana")
    post = PostFactory(author=ana, body="The saved text.")
    _signed_in(page, live_server, ana)
    page.goto(f"{live_server.url}/write/{post.pk}/")
    expect(page.locator("#writing-restore")).to_be_hidden()

    body = page.locator("#id_body")
    body.fill("")
    body.press_sequentially("A **bold** new paragraph", delay=10)
    expect(page.locator("#writing-preview-body strong")).to_have_text("bold")
    expect(page.locator("#writing-autosave-status")).to_contain_text("saved", timeout=15_000)
    assert Draft.objects.get(post=post).fields["body"] == "A **bold** new paragraph"
    post.refresh_from_db()
    assert post.body == "The saved text."  # autosave never touches the live post

    page.reload()
    expect(page.locator("#writing-restore")).to_be_visible()
    expect(body).to_have_value("The saved text.")
    page.get_by_role("button", name="Restore").click()
    expect(body).to_have_value("A **bold** new paragraph")
    expect(page.locator("#writing-preview-body strong")).to_have_text("bold")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved")
    post.refresh_from_db()
    assert post.body == "A **bold** new paragraph" and not Draft.objects.exists()
    expect(page.locator("#writing-restore")).to_be_hidden()


def test_text_the_server_never_got_is_kept_in_the_browser_and_offered_back(page, live_server):
    ana = _author("ana")
    _signed_in(page, live_server, ana)
    page.route("**/write/autosave/", lambda route: route.abort())  # the server out of reach
    page.goto(f"{live_server.url}/write/new/")
    page.locator("#id_title").fill("Written on a train")
    page.locator("#id_body").press_sequentially("No signal here.", delay=10)
    expect(page.locator("#writing-autosave-status")).to_contain_text("kept in this browser", timeout=15_000)
    assert not Draft.objects.exists()

    page.reload()
    expect(page.locator("#writing-restore")).to_be_visible()
    page.get_by_role("button", name="Restore").click()
    expect(page.locator("#id_title")).to_have_value("Written on a train")
    expect(page.locator("#id_body")).to_have_value("No signal here.")
