"""Feeds of comments: the site's and each post's, public comments on published posts only."""

import feedparser
import pytest

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
from pnyx.freshness import thread_pages
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _entries(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def test_the_site_feed_holds_public_comments_on_published_posts_only(client):
    post = PostFactory(title="Tea")
    shown = CommentFactory(post=post, author_name="Ana", body="Green, *always*.")
    CommentFactory(post=post, status=Comment.Status.PENDING, body="held")
    CommentFactory(post=post, status=Comment.Status.SPAM, body="spam")
    CommentFactory(post=PostFactory(status=Post.Status.DRAFT), body="on a draft")
    for url in ("/comments/feed/", "/comments/feed/atom/"):
        entries = _entries(client, url)
        assert [e.title for e in entries] == ["Comment on Tea by Ana"], url
        assert "<em>always</em>" in entries[0].summary
        assert entries[0].link.endswith(f"/comments/{shown.pk}/")
        assert entries[0].id == shown.feed_id


def test_a_posts_feed_sits_under_its_address_and_holds_its_comments(client):
    post, other = PostFactory(), PostFactory()
    mine = CommentFactory(post=post)
    CommentFactory(post=other)
    for url in (f"{post.get_absolute_url()}feed/", f"{post.get_absolute_url()}feed/atom/"):
        assert [e.id for e in _entries(client, url)] == [mine.feed_id]
    assert client.get(f"{PostFactory(status=Post.Status.DRAFT).get_absolute_url()}feed/").status_code == 404


def test_a_change_to_a_thread_purges_its_feeds_and_the_sites(client):
    post = PostFactory()
    purged = thread_pages([post.thread.pk])
    path = post.get_absolute_url()
    assert {path, f"{path}feed/", f"{path}feed/atom/", "/comments/feed/", "/comments/feed/atom/"} <= set(purged)
