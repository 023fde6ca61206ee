"""A comment's avatar, name and date are rendered once, stored, and kept right."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.urls import reverse

from pnyx.discussion.fragments import comment_html, meta_key, meta_rerendered
from pnyx.discussion.models import Comment
from pnyx.discussion.moderation import comment_approve
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
WHEN = datetime(2026, 3, 4, 17, 5, 9, 123456, tzinfo=UTC)


def test_a_comment_in_the_thread_has_the_markup_readers_had(client):
    post = PostFactory()
    parent = CommentFactory(post=post, author_name="Maren <b>Okafor</b>", author_url="https://maren.example/")
    CommentFactory(post=post, parent=parent, author_name="Dev", created_at=WHEN)
    Comment.objects.filter(pk=parent.pk).update(legacy_anchor="comment-12")
    reply = Comment.objects.get(parent=parent)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<li id="li-comment-{parent.pk}" class="comment depth-0">' in page
    assert f'<article id="comment-{parent.pk}" class="comment-body"><span id="comment-12"></span>' in page
    assert (
        '<b class="fn"><a href="https://maren.example/" rel="nofollow ugc" class="url">'
        "Maren &lt;b&gt;Okafor&lt;/b&gt;</a></b>"
    ) in page
    assert '<span class="avatar hue-' in page and 'aria-hidden="true">M</span>' in page
    assert f'<li id="li-comment-{reply.pk}" class="comment depth-1">' in page
    assert (
        f'<a class="comment-permalink" href="#comment-{reply.pk}"><time datetime="2026-03-04T17:05:09+00:00">'
        "March 4, 2026 at 5:05 p.m.</time></a>"
    ) in page
    assert (
        f'<a rel="nofollow" class="comment-reply-link" href="?replytocom={reply.pk}#respond" '
        f'data-reply-to="{reply.pk}" data-below="{reply.pk}" aria-label="Reply to Dev">Reply</a>'
    ) in page
    assert 'aria-label="Reply to Maren &lt;b&gt;Okafor&lt;/b&gt;"' in page
    assert page.count('<ol class="children">') == 1


def test_a_closed_thread_has_no_reply_links(client):
    post = PostFactory(comments_open=False)
    CommentFactory(post=post)
    assert "comment-reply-link" not in client.get(post.get_absolute_url()).content.decode()


def test_a_held_comment_has_the_threads_markup_in_mine_and_on_its_own_page(client):
    post = PostFactory()
    client.post(
        reverse("discussion:post", args=[post.thread.pk]),
        {"comment": "Held back.", "author": "Robin", "email": "robin@example.org"},
        **SAME_ORIGIN,
    )
    comment = Comment.objects.get()
    expected = comment_html(comment, awaiting=True)
    assert 'class="comment depth-0 awaiting"' in expected
    assert '<p class="comment-awaiting-moderation">Your comment is awaiting moderation.</p>' in expected
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()
    assert mine["pending"][0]["html"] == expected + "</li>"
    assert expected in client.get(reverse("discussion:own", args=[comment.pk])).content.decode()


def test_a_signed_in_commenters_new_name_is_rendered_into_their_comments(client):
    user = UserFactory(first_name="Pat", last_name="Old")
    post = PostFactory()
    mine = CommentFactory(post=post, user=user, author_name="")
    other = CommentFactory(post=post, author_name="Someone Else")
    untouched = Comment.objects.get(pk=other.pk).meta_html
    sent = []
    meta_rerendered.connect(lambda sender, thread_ids, **kw: sent.append(thread_ids), weak=False, dispatch_uid="t")
    user.last_name = "New"
    try:
        user.save()
    finally:
        meta_rerendered.disconnect(dispatch_uid="t")
    assert sent == [[post.thread.pk]]  # what shows these threads' pages (a page cache) hears of it
    mine.refresh_from_db()
    assert "Pat New" in mine.meta_html and "Old" not in mine.meta_html
    assert Comment.objects.get(pk=other.pk).meta_html == untouched
    assert "Pat New" in client.get(post.get_absolute_url()).content.decode()


def test_a_login_renders_nothing_again(django_assert_num_queries):
    user = UserFactory()
    CommentFactory(user=user, author_name="")
    with django_assert_num_queries(1):  # the update of last_login alone
        user.save(update_fields=["last_login"])


def test_an_edited_name_or_website_is_rendered_again_and_a_status_change_leaves_it(settings):
    comment = CommentFactory(author_name="Before", status="pending")
    comment.author_name, comment.author_url = "After", "https://after.example/"
    comment.save()
    comment.refresh_from_db()
    assert "After" in comment.meta_html and 'href="https://after.example/"' in comment.meta_html
    Comment.objects.filter(pk=comment.pk).update(meta_html="kept", meta_key=meta_key())
    comment_approve(comment=Comment.objects.get(pk=comment.pk), moderator=UserFactory(is_staff=True))
    assert Comment.objects.get(pk=comment.pk).meta_html == "kept"


def test_fragments_rendered_under_other_settings_are_rendered_again_on_view_and_stored(client, settings):
    comment = CommentFactory(created_at=WHEN)
    old_key = comment.meta_key
    settings.LANGUAGE_CODE, settings.TIME_ZONE = "de", "Europe/Berlin"
    page = client.get(comment.thread.get_absolute_url()).content.decode()
    assert "März 4, 2026" in page and "6:05" in page
    comment.refresh_from_db()
    assert comment.meta_key == meta_key() != old_key
    assert "März" in comment.meta_html


def test_the_migration_renders_the_fragments_of_existing_comments():
    comment = CommentFactory(author_name="Ines Carvalho", created_at=WHEN)
    rendered = comment.meta_html
    Comment.objects.update(meta_html="", meta_key="")
    migration = importlib.import_module("pnyx.discussion.migrations.0005_comment_fragments_and_pages")
    migration.render_fragments(apps, None)
    comment.refresh_from_db()
    assert (comment.meta_html, comment.meta_key) == (rendered, meta_key())
