"""Every kind of page a reader or a writer meets, checked as a browser would: axe-core finds nothing
to fix for a reader with assistive technology, in the light scheme and the dark one (their contrast
differs), and the Nu HTML Checker finds no error in the HTML the server sent."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from pnyx.blog.models import Term
from pnyx.blog.roles import ROLES
from tests.factories import CommentFactory, PostFactory, UserFactory, bulk_thread

# Each test process starts its own Nu checker (a JVM, ``nu_checker``) for the tests it is given. Keeping
# these tests on one process would need xdist to schedule by group or by file, and either would break
# pytest-django's order (every test that keeps the database runs before any that flushes it), which the
# tests relying on the migrations' data (the roles' groups) need.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible(page, axe, what: str = "") -> None:
    """axe-core finds nothing on the page as it stands, in the light scheme or the dark one."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = axe(page)
        assert not violations, f"axe-core found in {page.url}{what} ({scheme}):\n" + "\n".join(violations)


def _checked(page, axe, nu_checker, response, *, status: int = 200) -> None:
    """Nothing from the Nu checker in the HTML as sent, nor from axe in the page as it stands."""
    assert response.status == status, page.url
    errors = nu_checker(response.text())
    assert not errors, f"the Nu HTML Checker found errors in {page.url}:\n" + "\n".join(errors)
    _accessible(page, axe)


def _checked_without_scripts(page, axe, url: str) -> None:
    """The page as a reader without JavaScript gets it: the site's scripts refused, axe (evaluated
    by the test, not loaded by the page) still runs."""
    page.route("**/*.js", lambda route: route.abort())
    page.goto(url)
    _accessible(page, axe, " without scripts")
    page.unroute("**/*.js")


def _published_post(**fields):
    return PostFactory(author=UserFactory(username="ana", first_name="Ana", last_name="Lima"), **fields)


def test_the_checkers_report_what_they_are_for(page, live_server, axe, nu_checker):
    post = _published_post()
    page.goto(live_server.url + post.get_absolute_url())
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"data:,\">')")
    assert any(v.startswith("image-alt ") for v in axe(page))
    errors = nu_checker("<!doctype html><html lang=en><title>A page</title><p><div></p>")
    assert any("Unclosed element “div”" in e for e in errors), errors


def test_the_home_page(page, live_server, axe, nu_checker):
    _published_post(is_sticky=True)
    PostFactory.create_batch(10)  # and a link to the next page
    _checked(page, axe, nu_checker, page.goto(live_server.url + "/"))


def test_a_post_with_a_thread_a_held_reply_and_the_reply_form(page, live_server, axe, nu_checker):
    post = _published_post(body="An argument.\n\n> A quotation.\n\n- one\n- two\n\n`code`")
    first = CommentFactory(post=post, author_name="First Voice", author_url="https://example.org/")
    reply = CommentFactory(post=post, parent=first, body="A reply.")
    CommentFactory(post=post, parent=reply, body="A reply to the reply.")
    CommentFactory(post=post)
    post.terms.set([Term.objects.create(taxonomy="category", name="Transport", slug="transport")])
    page.goto(live_server.url + post.get_absolute_url())
    page.click(f"#comment-{first.pk} .comment-reply-link")
    page.fill("#comment", "A reply held for moderation, shown to its writer alone.")
    page.fill("#author", "Guest Reader")
    page.fill("#email", "guest@example.org")
    page.click("#submit")
    expect(page.locator(".comment.awaiting")).to_be_visible()

    response = page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator(".comment.awaiting")).to_be_visible()  # from this browser's own JSON
    _checked(page, axe, nu_checker, response)
    page.click(f"#comment-{reply.pk} .comment-reply-link")  # the form moved into the thread
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()
    _accessible(page, axe, " replying")
    _checked_without_scripts(page, axe, live_server.url + post.get_absolute_url())


def test_a_post_nobody_has_answered_yet(page, live_server, axe, nu_checker):
    post = _published_post()
    _checked(page, axe, nu_checker, page.goto(live_server.url + post.get_absolute_url()))


def test_a_post_whose_closed_discussion_spans_pages(page, live_server, axe, nu_checker, settings):
    settings.PNYX_COMMENTS_PER_PAGE = 2
    post = _published_post(comments_open=False)
    bulk_thread(post, top_level=5, replies=1)
    _checked(page, axe, nu_checker, page.goto(live_server.url + post.get_absolute_url()))
    expect(page.locator(".comment-navigation").first).to_be_visible()


def test_a_password_protected_post(page, live_server, axe, nu_checker):
    post = _published_post(password="open sesame")
    _checked(page, axe, nu_checker, page.goto(live_server.url + post.get_absolute_url()))
    page.fill("input[type=password]", "wrong")
    page.locator("input[type=password]").press("Enter")
    expect(page.locator(".form-errors")).to_be_visible()
    _accessible(page, axe, " after a wrong password")


@pytest.mark.parametrize("archive", ["category", "tag", "author", "year", "month", "day"])
def test_an_archive(page, live_server, axe, nu_checker, archive):
    when = timezone.make_aware(datetime(2026, 3, 14, 9, 30))
    post = _published_post(published_at=when)
    category = Term.objects.create(taxonomy="category", name="Transport", slug="transport", description="Moving.")
    tag = Term.objects.create(taxonomy="tag", name="trams", slug="trams")
    post.terms.set([category, tag])
    PostFactory(published_at=when - timedelta(days=40))
    path = {
        "category": "/category/transport/",
        "tag": "/tag/trams/",
        "author": "/author/ana/",
        "year": "/2026/",
        "month": "/2026/03/",
        "day": "/2026/03/14/",
    }[archive]
    _checked(page, axe, nu_checker, page.goto(live_server.url + path))
    expect(page.locator(".post-summary")).not_to_have_count(0)


def test_search_results_with_highlighted_words(page, live_server, axe, nu_checker):
    _published_post(title="Why trams beat buses", body="Trams are quieter than buses, and they feel permanent.")
    PostFactory(body="Buses go everywhere; trams only where the rails are.")
    response = page.goto(live_server.url + "/?s=trams")
    expect(page.locator(".snippet mark").first).to_be_visible()
    _checked(page, axe, nu_checker, response)


def test_the_not_found_page(page, live_server, axe, nu_checker):
    _checked(page, axe, nu_checker, page.goto(live_server.url + "/posts/nothing-here/"), status=404)


def _writer(page, live_server):
    """An author, signed in in ``page``; the group made here, as a transactional test empties the tables."""
    group, _created = Group.objects.get_or_create(name="Author")
    group.permissions.set(Permission.objects.filter(content_type__app_label="blog", codename__in=ROLES["Author"]))
    user = UserFactory(username="ana", is_staff=True)
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return user


def test_a_post_as_a_signed_in_staff_member_sees_it(page, live_server, axe, nu_checker):
    editor = _writer(page, live_server)
    editor.user_permissions.add(Permission.objects.get(codename="change_comment"))  # and moderates: the desk link
    post = PostFactory()
    CommentFactory(post=post, status="pending")
    page.goto(live_server.url + post.get_absolute_url())
    expect(page.locator("#desk-link")).to_be_visible()  # filled from the reader's JSON
    expect(page.locator("#identity-user")).to_be_visible()
    _accessible(page, axe)


def test_the_writers_list_and_editor_with_its_preview(page, live_server, axe, nu_checker):
    writer = _writer(page, live_server)
    post = PostFactory(
        author=writer, status="draft", body="A **bold** paragraph.\n\n- one\n- [two](https://example.org/)"
    )
    PostFactory(author=writer)
    _checked(page, axe, nu_checker, page.goto(live_server.url + "/write/"))

    # Nothing typed: an autosave on its way when the test ends would meet an emptied database.
    response = page.goto(f"{live_server.url}/write/{post.pk}/")
    expect(page.locator("#writing-preview-body strong")).to_have_text("bold")
    _checked(page, axe, nu_checker, response)
    _checked_without_scripts(page, axe, f"{live_server.url}/write/{post.pk}/")
    _checked(page, axe, nu_checker, page.goto(f"{live_server.url}/write/{post.pk}/preview/"))
    _checked(page, axe, nu_checker, page.goto(f"{live_server.url}/write/new/"))
