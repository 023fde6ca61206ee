"""One rule per field, whatever the way in."""

import pytest

from pnyx.discussion.models import Comment, Thread
from tests.factories import CommentFactory, PostFactory, ThreadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("vbscript:msgbox", ""),
        ("/relative/path", ""),
        ("ftp://files.example.org/", ""),
        ("example.org", "https://example.org/"),
        ("HTTP://Example.ORG/Path?q=1", "http://example.org/Path?q=1"),
        ("  https://example.org/ok  ", "https://example.org/ok"),
    ],
)
def test_a_website_is_stored_as_an_http_url_or_not_at_all(typed, stored):
    assert CommentFactory(author_url=typed).author_url == stored


def test_text_fields_lose_nul_and_fit_their_columns_and_names_fit_on_one_line():
    comment = CommentFactory(
        author_name="Ana\r\nBcc: x@example.org\x00" + "n" * 300,
        author_email="not an address",
        body="nul\x00byte",
        user_agent="ua" * 400,
    )
    assert "\n" not in comment.author_name and "\x00" not in comment.author_name
    assert len(comment.author_name) <= 200 and comment.author_name.startswith("Ana Bcc: x@example.org")
    assert comment.author_email == "" and comment.body == "nulbyte" and len(comment.user_agent) == 500


def test_public_is_decided_once():
    public = CommentFactory(status="approved")
    held = CommentFactory(status="pending")
    assert list(Comment.objects.public()) == [public]
    assert public.is_public and not held.is_public


def test_a_post_has_one_thread_that_follows_its_address_and_title():
    post = PostFactory(slug="trams", title="Trams")
    thread = post.thread
    assert (thread.path, thread.title, thread.is_open) == ("/posts/trams/", "Trams", True)
    post.slug, post.title = "trams-again", "Trams, again"
    post.save()
    thread.refresh_from_db()
    assert (thread.path, thread.title) == ("/posts/trams-again/", "Trams, again")
    assert Thread.objects.count() == 1


def test_a_post_that_appears_at_a_threads_address_takes_over_its_discussion():
    kept = ThreadFactory(path="/posts/from-isso/")
    CommentFactory(thread=kept, post=None, status="approved")
    post = PostFactory(slug="from-isso")
    assert post.thread == kept and post.thread.comment_count == 1


def test_a_thread_is_known_by_the_path_and_query_of_a_url():
    assert Thread.path_of("https://old.example/2015/tea/?p=3#comments") == "/2015/tea/?p=3"
    assert Thread.path_of("essays/tea") == "/essays/tea"


def test_reply_depth_is_one_rule():
    post = PostFactory()
    chain = [CommentFactory(post=post)]
    for _ in range(4):
        chain.append(CommentFactory(post=post, parent=chain[-1]))
    assert Comment.reply_parent(chain[4], max_depth=3) == chain[1]
    assert Comment.reply_parent(chain[0], max_depth=3) == chain[0]
