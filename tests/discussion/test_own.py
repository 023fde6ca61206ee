"""The commenter's own controls: edit or delete one's comment within the window, by account or by the
browser that wrote it, with the history kept and the rules run again."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from pnyx.discussion.confirmation import comment_confirm
from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve, comment_set_status
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
JSON = {**SAME_ORIGIN, "HTTP_ACCEPT": "application/json"}
GUEST = {"comment": "Teh trams are quieter.", "author": "Robin", "email": "robin@example.org", "url": ""}


def _write(client, post, text=GUEST["comment"], parent=None) -> Comment:
    data = {**GUEST, "comment": text, "comment_parent": parent.pk if parent else ""}
    client.post(f"/comments/thread/{post.thread.pk}/", data, **SAME_ORIGIN)
    return Comment.objects.order_by("-pk").first()


def _mine(client, post) -> dict:
    return client.get("/comments/mine/", {"thread": post.thread.pk}).json()


def _edit(client, comment, text, **headers):
    return client.post(f"/comments/{comment.pk}/edit/", {"comment": text}, **(headers or JSON))


def test_a_guest_edits_their_held_comment_from_the_same_browser_and_the_history_keeps_the_old_text(client):
    post = PostFactory()
    comment = _write(client, post)
    own = _mine(client, post)["own"]
    assert [(o["id"], o["body"], o["edit"], o["delete"]) for o in own] == [
        (comment.pk, "Teh trams are quieter.", f"/comments/{comment.pk}/edit/", f"/comments/{comment.pk}/delete/")
    ]
    answer = _edit(client, comment, "The trams are quieter.").json()
    assert answer == {"id": comment.pk, "html": "<p>The trams are quieter.</p>\n", "awaiting": True}
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("The trams are quieter.", "pending")
    edit = comment.events.get(old_body__gt="")
    assert (edit.via, edit.what, edit.old_body) == ("author", "edited by its author", "Teh trams are quieter.")


def test_another_browser_with_the_same_name_and_address_may_not_touch_it(client):
    post = PostFactory()
    comment = _write(client, post)
    stranger = HttpClient()
    stranger.post(f"/comments/thread/{post.thread.pk}/", {**GUEST, "comment": "Mine too?"}, **SAME_ORIGIN)
    assert comment.pk not in [o["id"] for o in _mine(stranger, post).get("own", [])]
    assert _edit(stranger, comment, "Hijacked").status_code == 403
    assert stranger.post(f"/comments/{comment.pk}/delete/", **JSON).status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Teh trams are quieter.", "pending")


def test_after_the_window_the_comment_can_no_longer_be_changed(client, settings):
    settings.PNYX_COMMENT_EDIT_MINUTES = 15
    post = PostFactory()
    comment = _write(client, post)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert "own" not in _mine(client, post)
    answer = _edit(client, comment, "Too late")
    assert answer.status_code == 403 and "time to edit" in answer.json()["error"]
    assert client.post(f"/comments/{comment.pk}/delete/", **JSON).status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Teh trams are quieter.", "pending")


def test_a_window_of_zero_turns_the_controls_off(client, settings):
    settings.PNYX_COMMENT_EDIT_MINUTES = 0
    post = PostFactory()
    comment = _write(client, post)
    assert "own" not in _mine(client, post)
    assert _edit(client, comment, "No").status_code == 403


def test_a_signed_in_reader_edits_by_account_and_a_proven_comment_stays_published(client):
    user = UserFactory()
    post = PostFactory()
    CommentFactory(post=post, user=user)  # approved before: the rules publish this account's comments
    client.force_login(user)
    comment = _write(client, post, "First draft")
    assert comment.status == "approved" and comment.user == user
    assert _edit(client, comment, "Second draft").json()["awaiting"] is False
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Second draft", "approved")
    other = HttpClient()
    other.force_login(UserFactory())
    assert _edit(other, comment, "Not yours").status_code == 403


def test_an_edit_is_judged_again_and_may_hold_a_published_comment(client):
    post = PostFactory()
    comment = _write(client, post)
    comment_confirm(comment=comment)  # published by the emailed link, which proves nothing to this browser
    assert _edit(client, comment, "Now with something else entirely").json()["awaiting"] is True
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.status_reason.startswith("after an edit: ")


def test_an_edit_never_publishes_a_comment_a_moderator_held(client):
    user = UserFactory()
    post = PostFactory()
    CommentFactory(post=post, user=user)
    client.force_login(user)
    comment = _write(client, post, "Borderline")
    comment_set_status(comment=comment, status="pending", reason="held by mod", via="moderator")
    _edit(client, comment, "Still borderline")
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_an_edit_follows_the_same_field_rules(client):
    post = PostFactory()
    comment = _write(client, post)
    answer = _edit(client, comment, "   ")
    assert answer.status_code == 400 and answer.json()["error"] == "Please type a comment."


def test_an_edit_from_another_site_is_refused(client):
    post = PostFactory()
    comment = _write(client, post)
    response = _edit(client, comment, "Forged", HTTP_SEC_FETCH_SITE="cross-site", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Teh trams are quieter."


def test_deleting_a_comment_without_replies_takes_it_off_the_page(client):
    post = PostFactory()
    comment = _write(client, post)
    comment_approve(comment=comment)
    assert client.post(f"/comments/{comment.pk}/delete/", **JSON).json() == {"id": comment.pk, "deleted": True}
    comment.refresh_from_db()
    post.thread.refresh_from_db()
    assert (comment.status, comment.status_via, post.thread.comment_count) == ("trash", "author", 0)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in page and "comment-removed" not in page
    assert comment.events.last().what == "deleted by its author"


def test_a_deleted_comment_with_replies_leaves_a_note_in_its_place(client):
    post = PostFactory()
    comment = _write(client, post)
    comment_approve(comment=comment)
    reply = CommentFactory(post=post, parent=comment, body="A reply that stays.")
    response = client.post(f"/comments/{comment.pk}/delete/", **SAME_ORIGIN)
    assert response.status_code == 302 and response["Location"] == f"{post.get_absolute_url()}#comments"
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<p class="comment-removed">This comment was deleted.</p>' in page and "A reply that stays." in page
    assert f'id="comment-{comment.pk}"' not in page and "Teh trams" not in page
    assert f'id="comment-{reply.pk}"' in page


def test_a_comment_a_moderator_trashed_still_reads_as_no_longer_available(client):
    post = PostFactory()
    parent = CommentFactory(post=post)
    CommentFactory(post=post, parent=parent, body="Still here.")
    comment_set_status(comment=parent, status="trash", reason="trashed", via="moderator")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<p class="comment-removed">This comment is no longer available.</p>' in page


def test_without_javascript_the_held_comment_page_leads_to_an_edit_form(client):
    post = PostFactory()
    comment = _write(client, post)
    assert f'href="/comments/{comment.pk}/edit/"' in client.get(f"/comments/{comment.pk}/").content.decode()
    form = client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "Teh trams are quieter." in form and 'action="/comments/' in form
    response = _edit(client, comment, "The trams are quieter.", **SAME_ORIGIN)
    assert response.status_code == 302 and response["Location"] == f"/comments/{comment.pk}/"
    comment.refresh_from_db()
    assert comment.body == "The trams are quieter."
    blank = _edit(client, comment, "", **SAME_ORIGIN)
    assert blank.status_code == 400 and "Please type a comment." in blank.content.decode()


def test_a_trashed_comment_cannot_be_edited(client):
    post = PostFactory()
    comment = _write(client, post)
    client.post(f"/comments/{comment.pk}/delete/", **JSON)
    assert _edit(client, comment, "Back from the dead").status_code == 403
