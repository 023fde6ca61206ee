"""Password-protected posts: locked for everyone alike, opened in one browser by the password."""

import feedparser
import pytest

from pnyx.blog.protection import COOKIE
from pnyx.discussion.models import Comment
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def protected():
    post = PostFactory(title="Family news", standfirst="Only for us.", body="The *secret* text.", password="tea")
    CommentFactory(post=post, body="A comment behind the password.")
    return post


def _unlock(client, post, typed="tea"):
    return client.post(f"/unlock/{post.pk}/", {"password": typed}, **SAME_ORIGIN)


def test_the_locked_page_shows_the_title_and_the_password_form_only_and_is_kept_for_everyone(client, protected):
    response = client.get(protected.get_absolute_url())
    page = response.content.decode()
    assert "Protected: Family news" in page and 'name="password"' in page
    for hidden in ("secret", "Only for us.", "A comment behind the password.", 'id="commentform"'):
        assert hidden not in page, hidden
    assert response["X-Pnyx-Page"] == "page" and "private" not in response.get("Cache-Control", "")


def test_the_password_opens_the_post_and_its_comments_in_this_browser_alone(client, protected):
    response = _unlock(client, protected)
    assert response.status_code == 302 and response["Location"] == protected.get_absolute_url()
    opened = client.get(protected.get_absolute_url())
    page = opened.content.decode()
    assert "<em>secret</em>" in page and "A comment behind the password." in page
    assert "private" in opened["Cache-Control"] and "no-store" in opened["Cache-Control"]


def test_a_wrong_password_is_told_and_opens_nothing(client, protected):
    response = _unlock(client, protected, typed="coffee")
    assert response.status_code == 403 and "That is not the password of this post." in response.content.decode()
    assert COOKIE not in response.cookies
    assert "secret" not in client.get(protected.get_absolute_url()).content.decode()


def test_a_new_password_locks_the_post_again(client, protected):
    _unlock(client, protected)
    protected.password = "coffee"
    protected.save()
    assert "secret" not in client.get(protected.get_absolute_url()).content.decode()


def test_the_password_form_refuses_a_post_from_another_site(client, protected):
    response = client.post(f"/unlock/{protected.pk}/", {"password": "tea"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403 and COOKIE not in response.cookies


def test_commenting_needs_the_password_too(client, protected):
    form = {"comment": "Lovely news.", "author": "Ana", "email": "ana@example.org", "url": ""}
    url = f"/comments/thread/{protected.thread.pk}/"
    refused = client.post(url, form, **SAME_ORIGIN)
    assert refused.status_code == 403 and not Comment.objects.filter(body="Lovely news.").exists()
    _unlock(client, protected)
    assert client.post(url, form, **SAME_ORIGIN).status_code == 302
    assert Comment.objects.filter(body="Lovely news.").exists()


def test_listings_and_feeds_keep_the_text_and_comments_behind_the_password(client, protected):
    home = client.get("/").content.decode()
    assert "Protected: Family news" in home and "Only for us." not in home
    entry = feedparser.parse(client.get("/feed/").content).entries[0]
    assert "secret" not in entry.summary and "protected post" in entry.summary
    assert feedparser.parse(client.get("/comments/feed/").content).entries == []
