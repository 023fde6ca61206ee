import pytest

from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve, comment_spam, comment_trash
from pnyx.discussion.posting import Client, post_comment
from pnyx.identity.commenter import Commenter
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_approving_counts_the_comment_and_records_who_did_it():
    post = PostFactory()
    comment = CommentFactory(post=post, status="pending")
    comment_approve(comment=comment, moderator=UserFactory(username="mod"))
    post.thread.refresh_from_db()
    comment.refresh_from_db()
    assert post.thread.comment_count == 1
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_reason == "approved by mod"


@pytest.mark.parametrize("service", [comment_spam, comment_trash])
def test_spamming_or_trashing_removes_the_comment_from_the_count(service):
    post = PostFactory()
    comment = CommentFactory(post=post)
    CommentFactory(post=post)
    service(comment=comment)
    post.thread.refresh_from_db()
    assert post.thread.comment_count == 1
    assert comment not in post.thread.comments.public()


def test_admin_actions_approve_spam_and_trash(admin_client):
    post = PostFactory()
    held = CommentFactory(post=post, status="pending")
    spammy = CommentFactory(post=post, status="pending")
    url = "/admin/discussion/comment/"
    response = admin_client.post(url, {"action": "approve", "_selected_action": [held.pk]}, follow=True)
    assert "1 comment approved." in response.content.decode()
    admin_client.post(url, {"action": "mark_spam", "_selected_action": [spammy.pk]})
    admin_client.post(url, {"action": "trash", "_selected_action": [held.pk]})
    held.refresh_from_db()
    spammy.refresh_from_db()
    post.thread.refresh_from_db()
    assert (held.status, spammy.status, post.thread.comment_count) == ("trash", "spam", 0)


def test_admin_lists_comments_with_their_reason_and_client(admin_client):
    CommentFactory(
        status="pending", status_reason="first comment from this identity", ip="203.0.113.9", user_agent="Lynx/2.9"
    )
    page = admin_client.get("/admin/discussion/comment/?status__exact=pending").content.decode()
    assert "first comment from this identity" in page and "203.0.113.9" in page and "Lynx/2.9" in page


def test_admin_cannot_move_a_written_comment_to_another_thread(admin_client):
    comment = CommentFactory()
    other = PostFactory()
    page = admin_client.get(f"/admin/discussion/comment/{comment.pk}/change/").content.decode()
    assert 'name="thread"' not in page and 'name="parent"' not in page
    data = {
        "thread": other.thread.pk,
        "author_name": "x",
        "body": "edited body",
        "status": "approved",
        "kind": "comment",
    }
    admin_client.post(f"/admin/discussion/comment/{comment.pk}/change/", data)
    comment.refresh_from_db()
    assert comment.thread != other.thread and comment.body == "edited body"
    assert comment.body_html == "<p>edited body</p>\n"


def test_spam_that_went_live_on_a_browser_proof_revokes_that_proof():
    post = PostFactory()
    proof = CommentFactory(post=post, author_name="Regular", author_email="regular@example.org")
    regular = Commenter(name="Regular", email="regular@example.org", written=[proof.pk])
    live = post_comment(thread=post.thread, parent=None, commenter=regular, body="Buy pills", client=Client())
    assert live.comment.status == "approved"
    comment_spam(comment=live.comment)
    later = post_comment(thread=post.thread, parent=None, commenter=regular, body="Honest, it's me", client=Client())
    assert later.comment.status == "pending"


def test_a_moderator_can_stop_trusting_an_address_in_the_admin(admin_client):
    proof = CommentFactory(author_name="Regular", author_email="regular@example.org")
    admin_client.post("/admin/discussion/comment/", {"action": "revoke_trust", "_selected_action": [proof.pk]})
    regular = Commenter(name="Regular", email="regular@example.org", written=[proof.pk])
    outcome = post_comment(thread=proof.thread, parent=None, commenter=regular, body="Still me?", client=Client())
    assert outcome.comment.status == "pending"
