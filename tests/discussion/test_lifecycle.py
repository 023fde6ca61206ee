"""Every way a comment comes in or changes status reaches the same after-commit point."""

import pytest
from django.db import transaction
from django.urls import reverse

from pnyx.discussion.lifecycle import Change, comment_changed
from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from pnyx.identity.confirmation import address_token
from pnyx.porting.detect import import_file
from tests.factories import CommentFactory, PostFactory
from tests.porting.conftest import wxr_comment, wxr_document, wxr_item

# The point is what happens after commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def changes():
    """Every change the after-commit signal carried, in order, once its transaction committed."""
    seen: list[Change] = []

    def receiver(sender, *, changes, **kwargs):
        seen.extend(changes)

    comment_changed.connect(receiver, dispatch_uid="test-lifecycle")
    yield seen
    comment_changed.disconnect(dispatch_uid="test-lifecycle")


def _count(post) -> int:
    post.thread.refresh_from_db()
    return post.thread.comment_count


def test_a_readers_post_is_one_change_from_nothing_to_its_verdict(client, changes):
    post = PostFactory()
    data = {"comment": "First!", "author": "Ana", "email": "ana@example.org", "url": ""}
    client.post(reverse("discussion:post", args=[post.thread.pk]), data, **SAME_ORIGIN)
    comment = Comment.objects.get()
    assert changes == [Change(comment.pk, post.thread.pk, None, "pending", "rules")]
    assert _count(post) == 0


def test_the_confirmation_link_is_one_change_and_recounts(client, changes):
    post = PostFactory()
    held = CommentFactory(post=post, status="pending", author_email="ana@example.org")
    client.post(reverse("discussion:confirm", args=[address_token("ana@example.org", held.pk)]), {"answer": "publish"})
    assert changes == [Change(held.pk, post.thread.pk, "pending", "approved", "link")]
    assert _count(post) == 1


def test_an_admin_action_is_one_change_per_comment_and_recounts(admin_client, changes):
    post = PostFactory()
    held = [CommentFactory(post=post, status="pending") for _ in range(2)]
    admin_client.post(
        "/admin/discussion/comment/", {"action": "approve", "_selected_action": [c.pk for c in held]}, follow=True
    )
    assert sorted(changes, key=lambda c: c.comment_id) == [
        Change(c.pk, post.thread.pk, "pending", "approved", "moderator") for c in held
    ]
    assert _count(post) == 2


def test_the_admin_form_adds_a_comment_as_one_change_and_never_edits_a_status(admin_client, changes):
    post = PostFactory()
    admin_client.post(
        "/admin/discussion/comment/add/",
        {"thread": post.thread.pk, "kind": "comment", "author_name": "Editor", "body": "A note from the editor."},
    )
    added = Comment.objects.get()
    assert changes == [Change(added.pk, post.thread.pk, None, "approved", "moderator")]
    assert _count(post) == 1

    changes.clear()
    data = {"kind": "comment", "author_name": "Editor", "body": "Edited.", "status": "spam"}
    admin_client.post(f"/admin/discussion/comment/{added.pk}/change/", data)
    added.refresh_from_db()
    edit = Change(added.pk, post.thread.pk, "approved", "approved", "moderator", edited=True)
    assert (added.body, added.status, changes) == ("Edited.", "approved", [edit])
    assert [e.old_body for e in added.events.all()] == ["", "A note from the editor."]


def test_an_import_is_one_change_per_comment(tmp_path, changes):
    comments = wxr_comment(11) + wxr_comment(12, parent=11) + wxr_comment(13, approved="0")
    export = tmp_path / "export.xml"
    export.write_text(wxr_document(wxr_item(1, slug="tea", comments=comments)), encoding="utf-8")
    import_file(export)
    thread = Comment.objects.get(pk=11).thread
    assert sorted(changes, key=lambda c: c.comment_id) == [
        Change(11, thread.pk, None, "approved", "import"),
        Change(12, thread.pk, None, "approved", "import"),
        Change(13, thread.pk, None, "pending", "import"),
    ]
    thread.refresh_from_db()
    assert thread.comment_count == 2


def test_nothing_is_sent_for_a_change_that_was_rolled_back(changes):
    held = CommentFactory(status="pending")
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_approve(comment=held)
        raise RuntimeError("the request failed after the change")
    assert changes == []
    held.refresh_from_db()
    assert held.status == "pending"


def test_setting_the_status_a_comment_already_has_changes_nothing(changes):
    comment = CommentFactory(status="approved")
    assert comment_approve(comment=comment) is None
    assert changes == []
