"""The moderation desk through the Django client: what it lists, each action, bulk, filters, who may
use it, and the history every action leaves (``CommentEvent``)."""

import json

import pytest
from django.test import Client as HttpClient

from pnyx import pagecache
from pnyx.discussion.desk.views import PER_PAGE
from pnyx.discussion.models import Comment, CommentEvent
from pnyx.discussion.moderation import comment_spam, comment_trash
from pnyx.discussion.posting import CommentBatch
from tests.factories import CommentFactory, ModeratorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

DESK, ACT = "/desk/", "/desk/act/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def moderator():
    return ModeratorFactory(username="mod")


@pytest.fixture
def desk(client, moderator):
    client.force_login(moderator)
    return client


def _status(comment) -> str:
    comment.refresh_from_db()
    return comment.status


def test_the_pending_tab_shows_each_comment_with_what_a_moderator_needs(desk):
    post = PostFactory(title="Trams or buses")
    parent = CommentFactory(post=post, author_name="First Voice", body="Trams are quieter.")
    CommentFactory(
        post=post,
        parent=parent,
        status="pending",
        author_name="Bot Guy",
        author_email="bot@example.net",
        author_url="https://spam.example/",
        ip="203.0.113.7",
        body="Buy cheap tram tickets",
        status_reason="first comment from this identity",
    )
    CommentFactory(status="spam")
    page = desk.get(DESK).content.decode()
    for shown in [
        "Trams or buses",
        "Bot Guy",
        "bot@example.net",
        "https://spam.example/",
        "203.0.113.7",
        "Buy cheap tram tickets",
        "first comment from this identity",
        "In reply to First Voice:",
        "Trams are quieter.",
    ]:
        assert shown in page, shown
    assert 'data-count="pending">1<' in page and 'data-count="approved">1<' in page and 'data-count="spam">1<' in page


def test_the_desk_is_refused_to_readers_and_sends_strangers_to_sign_in(client):
    held = CommentFactory(status="pending")
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=/desk/")
    client.force_login(UserFactory())
    assert client.get(DESK).status_code == 403
    assert client.post(ACT, {"act": f"approve:{held.pk}"}).status_code == 403
    client.force_login(UserFactory(username="staff-without-rights", is_staff=True))
    assert client.get(DESK).status_code == 403
    assert client.post(ACT, {"act": f"spam:{held.pk}"}).status_code == 403
    assert _status(held) == "pending"


def test_an_action_without_the_csrf_token_is_refused(moderator):
    held = CommentFactory(status="pending")
    client = HttpClient(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(ACT, {"act": f"approve:{held.pk}"}).status_code == 403
    assert _status(held) == "pending"


def test_the_desk_is_never_kept_by_the_page_cache(desk):
    response = desk.get(DESK)
    assert pagecache.MARK not in response
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_approving_without_javascript_redirects_back_with_undo_and_records_who(desk, moderator):
    post = PostFactory()
    held = CommentFactory(post=post, status="pending")
    response = desk.post(ACT, {"act": f"approve:{held.pk}", "next": "/desk/?status=pending&author=x"})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/?status=pending&author=x&undo={held.pk}"
    assert _status(held) == "approved"
    post.thread.refresh_from_db()
    assert post.thread.comment_count == 1
    event = held.events.get()
    assert (event.actor, event.via, event.old_status, event.new_status, event.what) == (
        moderator,
        "moderator",
        "pending",
        "approved",
        "approved by mod",
    )
    page = desk.get(response["Location"]).content.decode()
    assert "1 comment approved." in page and 'name="act" value="restore"' in page


def test_a_next_address_outside_the_desk_is_not_followed(desk):
    held = CommentFactory(status="pending")
    response = desk.post(ACT, {"act": f"trash:{held.pk}", "next": "https://evil.example/desk/"})
    assert response["Location"].startswith("/desk/?")


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("spam", "spam"), ("trash", "trash")])
def test_bulk_actions_move_every_ticked_comment(desk, action, status):
    ticked = [CommentFactory(status="pending") for _n in range(3)]
    left = CommentFactory(status="pending")
    desk.post(ACT, {"act": action, "ids": [c.pk for c in ticked]})
    assert [_status(c) for c in ticked] == [status] * 3
    assert _status(left) == "pending"
    assert CommentEvent.objects.filter(new_status=status).count() == 3


def test_a_bulk_action_with_nothing_ticked_says_so(desk):
    response = desk.post(ACT, {"act": "spam"}, **JSON)
    assert response.status_code == 400 and "at least one comment" in response.json()["error"]


def test_restore_puts_a_comment_back_where_it_was_before_trash_or_spam(desk, moderator):
    public = CommentFactory(status="approved")
    held = CommentFactory(status="pending")
    comment_trash(comment=public, moderator=moderator)
    comment_spam(comment=held, moderator=moderator)
    desk.post(ACT, {"act": "restore", "ids": [public.pk, held.pk]})
    assert (_status(public), _status(held)) == ("approved", "pending")


def test_undo_over_json_returns_the_comments_to_their_previous_status(desk):
    comments = [CommentFactory(status="pending"), CommentFactory(status="approved")]
    answer = desk.post(ACT, {"act": "spam", "ids": [c.pk for c in comments]}, **JSON).json()
    assert answer["moved"] == [
        {"id": comments[0].pk, "status": "spam", "previous": "pending"},
        {"id": comments[1].pk, "status": "spam", "previous": "approved"},
    ]
    assert answer["counts"] == {"pending": 0, "approved": 0, "spam": 2, "trash": 0}
    answer = desk.post(ACT, {"act": "restore", "ids": [m["id"] for m in answer["moved"]]}, **JSON).json()
    assert [m["status"] for m in answer["moved"]] == ["pending", "approved"]
    assert answer["counts"]["spam"] == 0


def test_a_comment_that_came_in_as_spam_is_restored_to_pending(desk):
    spam = CommentFactory(status="spam")
    desk.post(ACT, {"act": f"restore:{spam.pk}"})
    assert _status(spam) == "pending"


def test_editing_in_place_keeps_the_old_text_in_the_history(desk, moderator):
    comment = CommentFactory(body="Teh trams are quiet.")
    answer = desk.post(ACT, {"act": f"edit:{comment.pk}", f"body-{comment.pk}": "  The *trams* are quiet.  "}, **JSON)
    assert answer.json()["edited"]["html"].strip() == "<p>The <em>trams</em> are quiet.</p>"
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("The *trams* are quiet.", "approved")
    event = comment.events.get()
    assert (event.old_body, event.is_edit, event.actor) == ("Teh trams are quiet.", True, moderator)
    history = desk.get(DESK + "?status=approved").content.decode()
    assert "text edited" in history and "Teh trams are quiet." in history


@pytest.mark.parametrize("text, error", [("   ", "Please type a comment."), ("x" * 20_001, "under 20,000")])
def test_an_edit_goes_through_the_same_rules_as_a_new_comment(desk, settings, text, error):
    settings.PNYX_COMMENT_MAX_LENGTH = 20_000
    comment = CommentFactory(body="Kept as it was.")
    answer = desk.post(ACT, {"act": f"edit:{comment.pk}", f"body-{comment.pk}": text}, **JSON)
    assert answer.status_code == 400 and error in answer.json()["error"]
    comment.refresh_from_db()
    assert comment.body == "Kept as it was." and not comment.events.exists()


def test_replying_to_a_held_comment_approves_it_and_posts_the_reply_as_the_moderator(desk, moderator):
    post = PostFactory()
    held = CommentFactory(post=post, status="pending", body="Is the 7 tram running?")
    response = desk.post(ACT, {"act": f"reply:{held.pk}", f"reply-{held.pk}": "Yes, every ten minutes."})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=held)
    assert (reply.user, reply.body, reply.status, _status(held)) == (
        moderator,
        "Yes, every ten minutes.",
        "approved",
        "approved",
    )
    assert reply.events.get().via == "rules"


def test_a_reply_on_a_closed_post_is_refused_with_the_reason(desk):
    held = CommentFactory(post=PostFactory(comments_open=False), status="approved")
    answer = desk.post(ACT, {"act": f"reply:{held.pk}", f"reply-{held.pk}": "Late."}, **JSON)
    assert answer.status_code == 400 and "closed" in answer.json()["error"]
    assert not Comment.objects.filter(parent=held).exists()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("post=Trams", ["tram-one", "tram-two"]),
        ("author=ana", ["tram-one"]),
        ("email=bob@", ["tram-two", "bus"]),
        ("ip=198.51.100.", ["bus"]),
        ("q=ferries", ["tram-two"]),
    ],
)
def test_filters_narrow_the_list(desk, query, expected):
    trams, buses = PostFactory(title="Trams"), PostFactory(title="Buses")
    CommentFactory(post=trams, status="pending", author_name="Ana", body="tram-one", ip="203.0.113.1")
    CommentFactory(post=trams, status="pending", author_email="bob@example.org", body="tram-two ferries")
    CommentFactory(post=buses, status="pending", author_email="bob@example.org", body="bus", ip="198.51.100.4")
    page = desk.get(f"{DESK}?status=pending&{query}").content.decode()
    assert [b for b in ["tram-one", "tram-two", "bus"] if f"<p>{b}" in page] == expected


def test_filtering_by_post_id_lists_that_post_only(desk):
    first = CommentFactory(status="pending", body="in the first")
    CommentFactory(status="pending", body="in the second")
    page = desk.get(f"{DESK}?post={first.thread_id}").content.decode()
    assert "in the first" in page and "in the second" not in page


def test_the_list_is_paginated_newest_first(desk):
    for n in range(PER_PAGE + 2):
        CommentFactory(status="pending", body=f"number {n:02d}")
    first, second = desk.get(DESK).content.decode(), desk.get(DESK + "?status=pending&page=2").content.decode()
    assert f"number {PER_PAGE + 1:02d}" in first and "number 00" not in first
    assert "number 00" in second and "number 01" in second and "Page 2 of 2" in second


def test_every_way_in_leaves_a_line_in_the_history(client, moderator):
    post = PostFactory()
    data = {"comment": "A first thought", "author": "Ana", "email": "ana@example.org", "url": ""}
    client.post(f"/comments/thread/{post.thread.pk}/", data, HTTP_SEC_FETCH_SITE="same-origin")
    comment = Comment.objects.get()
    created = comment.events.get()
    assert (created.old_status, created.new_status, created.via, created.actor) == ("", "pending", "rules", None)
    assert created.what == comment.status_reason


def test_staff_see_the_pending_count_in_their_json_and_readers_do_not(client, moderator):
    CommentFactory(status="pending")
    CommentFactory(status="pending")
    CommentFactory(status="approved")
    assert "desk" not in client.get("/comments/mine/").json()
    client.force_login(UserFactory())
    assert "desk" not in client.get("/comments/mine/").json()
    client.force_login(UserFactory(username="writer-on-staff", is_staff=True))  # an Author: no desk, no link to it
    assert "desk" not in client.get("/comments/mine/").json()
    client.force_login(moderator)
    assert client.get("/comments/mine/").json()["desk"] == {"url": "/desk/", "pending": 2}


def test_the_cached_pages_carry_no_count(client, moderator):
    post = PostFactory()
    CommentFactory(post=post, status="pending")
    client.force_login(moderator)
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'id="desk-link" hidden' in page and "1 pending" not in page
    assert json.loads(client.get("/comments/mine/").content)["desk"]["pending"] == 1


def test_an_import_writes_no_history_lines_and_the_desk_says_imported(desk):
    post = PostFactory()
    batch = CommentBatch()
    batch.add(Comment(thread=post.thread, author_name="Old Hand", body="From the old blog", status="pending"))
    batch.finish()
    assert not CommentEvent.objects.exists()
    page = desk.get(DESK).content.decode()
    assert "From the old blog" in page and ": imported" in page


def test_the_admin_shows_a_comments_history(admin_client, moderator):
    comment = CommentFactory(status="pending")
    comment_trash(comment=comment, moderator=moderator)
    page = admin_client.get(f"/admin/discussion/comment/{comment.pk}/change/").content.decode()
    assert "trashed by mod" in page
