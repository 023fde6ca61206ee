import pytest

from pnyx.blog.models import Term
from pnyx.discussion.threads import build_thread, thread_page
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _shape(items):
    return [
        (item.comment.body if item.comment else None, item.depth, item.opens_replies, item.closes) for item in items
    ]


def test_replies_follow_their_parent_and_siblings_keep_their_order():
    post = PostFactory()
    first = CommentFactory(post=post, body="first")
    second = CommentFactory(post=post, body="second")
    reply = CommentFactory(post=post, parent=first, body="reply to first")
    CommentFactory(post=post, parent=reply, body="reply to reply")
    CommentFactory(post=post, parent=first, body="later reply to first")
    assert second.created_at < reply.created_at
    assert _shape(thread_page(post.thread, 1).items) == [
        ("first", 0, True, 0),
        ("reply to first", 1, True, 0),
        ("reply to reply", 2, False, 1),
        ("later reply to first", 1, False, 1),
        ("second", 0, False, 0),
    ]


def test_replies_past_the_depth_limit_line_up_at_the_deepest_level():
    post = PostFactory()
    parent = None
    for level in range(5):
        parent = CommentFactory(post=post, parent=parent, body=f"level {level}")
    items = build_thread(list(post.thread.comments.public().in_thread_order()), max_depth=3)
    assert [item.depth for item in items] == [0, 1, 2, 2, 2]
    # Reply links at the deepest level answer the same parent, so the thread never grows deeper.
    assert items[2].reply_to == items[1].comment.pk
    assert items[1].reply_to == items[1].comment.pk
    assert items[-1].closes == 2


def test_a_visible_reply_to_a_hidden_comment_keeps_its_place_under_a_placeholder():
    post = PostFactory()
    hidden = CommentFactory(post=post, body="later trashed", status="trash")
    CommentFactory(post=post, parent=hidden, body="still visible reply")
    CommentFactory(post=post, body="another top-level")
    assert _shape(thread_page(post.thread, 1).items) == [
        (None, 0, True, 0),
        ("still visible reply", 1, False, 1),
        ("another top-level", 0, False, 0),
    ]


def test_pending_spam_and_trashed_comments_never_appear_in_the_thread():
    post = PostFactory()
    CommentFactory(post=post, body="public")
    for status in ("pending", "spam", "trash"):
        CommentFactory(post=post, body=status, status=status)
    assert [item.comment.body for item in thread_page(post.thread, 1).items] == ["public"]
    post.thread.refresh_from_db()
    assert post.thread.comment_count == 1


def test_a_post_with_a_thousand_comments_renders_in_a_constant_number_of_queries(
    client, settings, django_assert_max_num_queries
):
    settings.PNYX_COMMENTS_PER_PAGE = 1000
    post = PostFactory()
    members = [UserFactory(first_name=f"Member{n}") for n in range(5)]
    parents = []
    for n in range(1000):
        parent = parents[n % len(parents)] if parents and n % 3 else None
        user = members[n % 5] if n % 4 == 0 else None  # signed-in commenters too: their names are on the page
        comment = CommentFactory.build(post=post, parent=parent, user=user, body=f"thought {n}", status="approved")
        comment.save()
        if len(parents) < 200:
            parents.append(comment)
    post.thread.recount()
    client.get(post.get_absolute_url())  # works out where the pages start, once after a change
    with django_assert_max_num_queries(3):  # the post with its thread, its terms, its comments and their users
        response = client.get(post.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "1000 thoughts on" in page.replace(",", "")
    assert page.count('class="comment-body"') == 1000
    assert "Member3 Writer" in page


def test_a_post_page_rendered_again_compiles_no_query(client, select_compiles):
    """A page miss (the first reader after a change) runs the queries compiled for the page before."""
    posts = [PostFactory(), PostFactory()]
    for post in posts:
        CommentFactory.create_batch(3, post=post)
        post.terms.set([Term.objects.create(taxonomy="tag", name=f"Tag of {post.slug}", slug=f"tag-{post.slug}")])
        client.get(post.get_absolute_url())  # where the pages start is worked out once after a change
    select_compiles.clear()
    for post in posts:
        page = client.get(post.get_absolute_url()).content.decode()
        assert "3 thoughts on" in page and f"#Tag of {post.slug}" in page
    assert select_compiles == []
