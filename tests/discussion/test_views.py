import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.moderation import comment_approve
from pnyx.discussion.rulebook import ModerationSettings
from pnyx.identity.models import Address
from tests.conftest import DEFAULT_RATE_LIMITS
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
GUEST = {"comment": "I disagree, and here is why.", "author": "Robin", "email": "robin@example.org", "url": ""}


def _send(client, post, data=None, **headers):
    return client.post(
        reverse("discussion:post", args=[post.thread.pk]), {**GUEST, **(data or {})}, **(headers or SAME_ORIGIN)
    )


def test_a_held_comment_without_javascript_lands_on_its_own_private_page(client):
    post = PostFactory()
    response = _send(client, post)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discussion:own", args=[comment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation." in page and "I disagree, and here is why." in page


def test_a_held_comment_with_javascript_returns_to_its_anchor_and_shows_in_mine(client):
    post = PostFactory()
    response = _send(client, post, {"js": "1"})
    comment = Comment.objects.get()
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk})
    data = mine.json()
    assert [p["id"] for p in data["pending"]] == [comment.pk]
    assert "Your comment is awaiting moderation." in data["pending"][0]["html"]
    assert data["identity"] == {"kind": "guest", "name": "Robin", "email": "robin@example.org", "url": ""}
    assert "no-store" in mine["Cache-Control"] and "private" in mine["Cache-Control"]
    assert "Cookie" in mine["Vary"]


def test_a_held_comment_is_shown_to_nobody_else(client):
    post = PostFactory()
    _send(client, post)
    comment = Comment.objects.get()
    client.cookies.clear()
    assert client.get(reverse("discussion:own", args=[comment.pk])).status_code == 404
    assert client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json() == {
        "identity": None,
        "pending": [],
    }
    assert "I disagree" not in client.get(post.get_absolute_url()).content.decode()


def test_a_forged_cookie_proves_nothing(client):
    post = PostFactory()
    _send(client, post)
    client.cookies["pnyx_commenter"] = "eyJjIjpbMV19:forged:signature"
    assert client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["pending"] == []


def test_after_approval_the_same_browser_and_email_go_live_and_the_heading_counts(client):
    post = PostFactory(title="Cats")
    _send(client, post)
    comment_approve(comment=Comment.objects.get())
    page = client.get(post.get_absolute_url()).content.decode()
    assert "One thought on “Cats”" in page
    response = _send(client, post, {"comment": "And another thing."})
    second = Comment.objects.latest("id")
    assert second.status == Comment.Status.APPROVED
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{second.pk}"
    assert "2 thoughts on “Cats”" in client.get(post.get_absolute_url()).content.decode()


def test_no_heading_when_a_post_has_no_approved_comments(client):
    post = PostFactory()
    CommentFactory(post=post, status="pending")
    assert "thought" not in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://sub.testserver"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_USER_AGENT": "no origin at all"},
    ],
)
def test_a_cross_site_comment_post_is_refused_and_nothing_is_saved(client, headers):
    post = PostFactory()
    response = _send(client, post, **headers)
    assert response.status_code == 403
    assert "refused" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_origin_header_alone_from_this_site_is_accepted(client):
    response = _send(client, PostFactory(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"comment": "   "}, "comment", "Please type a comment."),
        ({"author": ""}, "author", "Please enter your name."),
        ({"email": ""}, "email", "Please enter your email address"),
        ({"email": "not-an-email"}, "email", "Please enter a valid email address"),
        ({"url": "javascript:alert(1)"}, "url", "starting with http:// or https://"),
        ({"url": "ftp://example.org/"}, "url", "starting with http:// or https://"),
        ({"author": "n" * 201}, "author", "at most 200 characters"),
        ({"comment": "x" * 10_001}, "comment", "under 10,000 characters"),
        ({"comment": "nul\x00byte"}, "comment", "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_message_next_to_the_field_and_keeps_what_was_typed(client, data, field, message):
    post = PostFactory()
    typed = {"comment": "My carefully typed words", "author": "Kim", "email": "kim@example.org", **data}
    response = _send(client, post, typed)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert not Comment.objects.exists()
    if field != "comment":
        assert "My carefully typed words" in page
    if field != "author":
        assert 'value="Kim"' in page


@pytest.mark.parametrize("parent", ["999999", "abc", "-1", "1.5", "9" * 30, "\uff11"])
def test_a_reply_to_a_vanished_or_tampered_parent_keeps_the_text_and_says_why(client, parent):
    post = PostFactory()
    response = _send(client, post, {"comment_parent": parent, "comment": "Keep me"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "no longer available" in page and "Keep me" in page


def test_posting_to_a_closed_post_shows_the_text_back(client):
    post = PostFactory(comments_open=False)
    response = _send(client, post, {"comment": "Words that must not be lost"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "closed" in page and "Words that must not be lost" in page


def test_a_hostile_user_agent_is_stored_cleanly(client):
    _send(client, PostFactory(), HTTP_USER_AGENT="bot\x00" + "x" * 900, **SAME_ORIGIN)
    assert Comment.objects.get().user_agent == "bot" + "x" * 497


def test_a_reply_posts_under_its_parent(client):
    post = PostFactory()
    parent = CommentFactory(post=post)
    _send(client, post, {"comment_parent": str(parent.pk)})
    assert Comment.objects.get(parent=parent).depth == 1


def test_reply_link_without_javascript_opens_the_form_as_a_reply(client):
    post = PostFactory()
    parent = CommentFactory(post=post, author_name="Alex")
    page = client.get(post.get_absolute_url(), {"replytocom": parent.pk}).content.decode()
    assert "Replying to Alex" in page
    assert f'name="comment_parent" value="{parent.pk}"' in page


def test_the_page_has_the_seed_structure_headings_and_labels(client):
    post = PostFactory(title="Bridges")
    CommentFactory(post=post, author_name="Site Owner", author_url="https://owner.example")
    page = client.get(post.get_absolute_url()).content.decode()
    for text in [
        "One thought on “Bridges”",
        '<ol class="comment-list">',
        "Leave a Reply",
        "Fill in your details below or click an icon to log in:",
        "Comment",
        "Name",
        "Email",
        "never published",
        "Website",
        "Post Comment",
        ">Reply</a>",
    ]:
        assert text in page, text
    assert '<a href="https://owner.example/" rel="nofollow ugc" class="url">Site Owner</a>' in page


def test_the_post_page_is_the_same_html_for_every_visitor(client):
    post = PostFactory()
    CommentFactory(post=post)
    anonymous = client.get(post.get_absolute_url()).content
    _send(client, post)  # now this browser has a held comment and a remembered identity
    with_cookie = client.get(post.get_absolute_url()).content
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    staff = client.get(post.get_absolute_url())
    assert anonymous == with_cookie == staff.content
    assert b"csrfmiddlewaretoken" not in staff.content
    # Nothing that would split a shared cache by visitor: no Vary on cookies, no cookie set.
    assert "Cookie" not in staff.get("Vary", "")
    assert not staff.cookies


def test_signed_in_users_see_their_identity_in_mine(client):
    user = UserFactory(first_name="Jo", last_name="Staff", is_staff=True)
    client.force_login(user)
    post = PostFactory()
    response = client.post(reverse("discussion:post", args=[post.thread.pk]), {"comment": "Staff note"}, **SAME_ORIGIN)
    assert response.status_code == 302
    assert Comment.objects.get().user == user
    assert client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["identity"] == {
        "kind": "user",
        "name": "Jo Staff",
    }


def _lines(folder, name):
    return [
        line for line in (folder / name).read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]


def test_naughty_strings_in_every_field_never_cause_a_server_error(client, shared_data):
    post = PostFactory()
    strings = json.loads((shared_data / "blns.json").read_text(encoding="utf-8"))
    for text in strings[::3]:
        for field in ("comment", "author", "email", "url"):
            response = _send(client, post, {field: text})
            assert response.status_code in (302, 400), (field, text)


class _TagAudit(HTMLParser):
    """Every real tag and attribute in a piece of HTML, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def test_xss_payloads_come_out_escaped_in_names_bodies_and_links(client, shared_data):
    post = PostFactory()
    xss = shared_data / "xss"
    payloads = (
        _lines(xss, "BRUTELOGIC-XSS-STRINGS.txt") + _lines(xss, "XSS_Polyglots.txt") + _lines(xss, "RSNAKE_XSS.txt")
    )
    for payload in payloads:
        CommentFactory(post=post, author_name=payload[:100], body=payload, author_url="https://ok.example/")
    page = client.get(post.get_absolute_url()).content.decode()
    audit = _TagAudit()
    audit.feed(page[page.index('<ol class="comment-list">') : page.index('id="respond"')])
    assert audit.tags <= {
        "ol",
        "li",
        "article",
        "footer",
        "span",
        "b",
        "a",
        "time",
        "div",
        "p",
        "br",
        "em",
        "strong",
        "code",
        "nav",  # the pages of a long thread
    }
    for name, value in audit.attributes:
        assert not name.startswith("on"), (name, value)
        if name == "href":
            assert value.startswith(("https://", "http://", "#", "?replytocom=", "?cpage=", post.get_absolute_url())), (
                value
            )


def test_a_comment_marked_spam_is_shown_to_its_author_alone(client):
    post = PostFactory()
    _send(client, post, {"js": "1", "fax_number": "555-0100", "comment": "Buy now"})  # a bot-like post
    spam = Comment.objects.get()
    assert spam.status == "spam"
    # Its author sees it as held, never told it was caught; nobody else sees it at all.
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()
    assert [p["id"] for p in mine["pending"]] == [spam.pk]
    assert client.get(reverse("discussion:own", args=[spam.pk])).status_code == 200
    client.cookies.clear()
    assert client.get(reverse("discussion:own", args=[spam.pk])).status_code == 404
    assert client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["pending"] == []
    assert "Buy now" not in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "stored"),
    [(0, "203.0.113.5", "198.51.100.1", "203.0.113.5"), (1, "10.0.0.2", "198.51.100.66, 192.0.2.7", "192.0.2.7")],
)
def test_the_client_is_stored_with_the_address_it_came_from(client, settings, proxies, remote, forwarded, stored):
    settings.PNYX_PROXY_COUNT = proxies
    _send(
        client,
        PostFactory(),
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_USER_AGENT="Firefox",
        **SAME_ORIGIN,
    )
    comment = Comment.objects.get()
    assert (comment.ip, comment.user_agent) == (stored, "Firefox")


def test_a_website_that_is_not_http_is_refused_with_one_message(client):
    response = _send(client, PostFactory(), {"url": "javascript:alert(1)"})
    assert response.content.decode().count("starting with http:// or https://") == 1


def test_a_typed_website_is_stored_normalised(client):
    _send(client, PostFactory(), {"url": "Example.ORG/me"})
    assert Comment.objects.get().author_url == "https://example.org/me"


def test_a_comment_on_an_unpublished_post_is_not_found_by_its_permalink(client):
    post = PostFactory()
    comment = CommentFactory(post=post)
    assert client.get(reverse("discussion:own", args=[comment.pk])).status_code == 302
    post.status = post.Status.DRAFT
    post.save()
    response = client.get(reverse("discussion:own", args=[comment.pk]))
    assert response.status_code == 404 and post.slug not in response.get("Location", "")


def test_a_double_click_stores_one_comment_and_lands_on_it(client):
    post = PostFactory()
    first = _send(client, post, {"js": "1"})
    second = _send(client, post, {"js": "1", "comment": "  I disagree,   and here is why. "})
    comment = Comment.objects.get()
    assert first["Location"] == second["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"


def test_the_same_text_from_the_same_address_in_another_browser_is_refused_with_a_message(client):
    post = PostFactory()
    _send(client, post)
    client.cookies.clear()
    response = _send(client, post)
    assert response.status_code == 400
    assert "You already posted this comment here." in response.content.decode()
    assert Comment.objects.count() == 1


def test_staff_cannot_post_the_same_text_twice_either(client):
    post = PostFactory()
    client.force_login(UserFactory(is_staff=True))
    _send(client, post, {"comment": "Pinned: please stay on topic."})
    client.cookies.pop("pnyx_commenter", None)  # another device of the same account
    response = _send(client, post, {"comment": "Pinned: please stay on topic."})
    assert response.status_code == 400 and Comment.objects.count() == 1


def test_the_same_text_later_or_elsewhere_is_a_new_comment(client, settings):
    first, second = PostFactory(), PostFactory()
    _send(client, first)
    _send(client, second)  # another thread
    assert Comment.objects.count() == 2


def test_a_busy_database_gives_a_try_again_page_with_the_text_kept(client, monkeypatch):
    from django.db import OperationalError

    from pnyx.discussion import views

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "post_comment", busy)
    response = _send(client, PostFactory(), {"comment": "Words I typed for ten minutes"})
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Please send it again in a moment." in page and "Words I typed for ten minutes" in page


def test_comment_times_carry_no_microseconds(client):
    post = PostFactory()
    CommentFactory(post=post)
    page = client.get(post.get_absolute_url()).content.decode()
    stamps = re.findall(r'<time[^>]* datetime="([^"]+)"', page)
    assert len(stamps) == 2 and all("." not in stamp for stamp in stamps)


def test_a_comment_post_compiles_its_thread_queries_once_per_process(client, select_compiles):
    """The view's thread, the thread's row under the lock (PostgreSQL) and where the comment lands are
    the same query for every comment (``pnyx.precompiled``)."""
    post = PostFactory()
    _send(client, post, {"email": "first@example.org", "comment": "Warming up.", "js": "1"})
    client.cookies.clear()
    select_compiles.clear()
    assert _send(client, post, {"js": "1"}).status_code == 302
    assert Thread not in select_compiles


def test_a_comment_post_compiles_the_rules_reads_once_per_process(settings, select_compiles):
    """The rules ask the same few queries for every comment, with other values: the settings' revision,
    the identity's comments, the counts for each rate limit's scope, the same text asked again under the
    lock (``rules.base.Scope``), and what proves a returning reader. Each kind of reader has its own:
    a new guest, a guest writing again from the same browser, an account."""
    settings.PNYX_COMMENT_RATE_LIMITS = DEFAULT_RATE_LIMITS
    post = PostFactory()
    first, second = Client(), Client()
    readers = [
        (first, {"email": "first@example.org"}, False),
        (second, {}, True),
        (first, {"email": "first@example.org"}, False),  # the browser's first comment proves nothing yet
        (second, {}, True),
        (Client(), UserFactory(), False),
        (Client(), UserFactory(), True),
    ]
    for number, (browser, reader, measuring) in enumerate(readers):
        if isinstance(reader, dict):
            data = {**reader, "comment": f"A guest's comment, number {number}.", "js": "1"}
        else:
            browser.force_login(reader)
            data = {"comment": f"A comment by {reader.username}.", "js": "1"}
        select_compiles.clear()
        with CaptureQueriesContext(connection) as ran:
            response = _send(browser, post, data, REMOTE_ADDR=f"10.0.0.{number}", **SAME_ORIGIN)
        assert response.status_code == 302
        if measuring:
            assert not [model for model in select_compiles if model in (Comment, ModerationSettings, Address)]
            # And the rules still read what they read: the identity's comments (for the rules, then again
            # under the lock) and one count for each rate limit's scope but the identity's (address, thread).
            asked = [query["sql"] for query in ran.captured_queries]
            assert sum('AS "body"' in sql for sql in asked) == 2 and sum('AS "widest"' in sql for sql in asked) == 2


def test_a_new_readers_comment_costs_a_fixed_handful_of_queries(client, settings):
    """The thread; the settings' revision (counted apart: none where Redis, the cache, holds it, but a
    test running beside this one on the same Redis may drop it at any moment); the identity's
    comments of the last day, read once for every rule; the address's and the thread's counts; then,
    in the transaction: the thread's row (locked on PostgreSQL, and where the comment lands), the same
    text asked again, the comment and its history line. (The task is queued once the transaction
    commits, which a test's never does.) A guard: each rule added a query or two before."""
    settings.PNYX_COMMENT_RATE_LIMITS = DEFAULT_RATE_LIMITS
    post = PostFactory()
    _send(client, post, {"email": "first@example.org", "comment": "Warming up.", "js": "1"})
    client.cookies.clear()  # a new reader, in another browser
    transaction = 2  # a test's transaction is a savepoint, and its release
    with CaptureQueriesContext(connection) as queries:
        response = _send(client, post, {"js": "1"})
    asked = [q["sql"] for q in queries.captured_queries]
    revision = [sql for sql in asked if '"discussion_moderationsettings"."revision"' in sql]
    assert len(revision) <= 1 and len(asked) - len(revision) == 8 + transaction, "\n".join(asked)
    comment = Comment.objects.get(author_email="robin@example.org", status=Comment.Status.PENDING)
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
