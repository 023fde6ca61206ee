"""Feeds of posts at the addresses WordPress readers know, parsing cleanly, with ids that never change."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from pnyx.blog.models import Post, Term
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_blog_feed_lists_published_posts_newest_first_in_rss_and_atom(client):
    older = PostFactory(title="Older", published_at=timezone.now() - timedelta(days=2))
    newer = PostFactory(title="Newer")
    PostFactory(title="A draft", status=Post.Status.DRAFT)
    PostFactory(title="Not yet", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1))
    PostFactory(title="A page", kind=Post.Kind.PAGE)
    for url, version in (("/feed/", "rss20"), ("/feed/atom/", "atom10")):
        parsed = _feed(client, url)
        assert parsed.version == version
        assert [e.title for e in parsed.entries] == ["Newer", "Older"]
        assert parsed.entries[0].link.endswith(newer.get_absolute_url())
    assert older.feed_id != newer.feed_id


def test_an_entry_keeps_its_id_through_a_new_title_and_slug(client):
    post = PostFactory()
    first = _feed(client, "/feed/").entries[0].id
    post.title, post.slug = "Renamed", "renamed"
    post.save()
    assert _feed(client, "/feed/").entries[0].id == first


def test_an_imported_post_keeps_the_guid_of_its_old_site(client):
    PostFactory(guid="https://old.example.org/?p=42")
    assert _feed(client, "/feed/").entries[0].id == "https://old.example.org/?p=42"


def test_the_feed_carries_the_full_text_or_the_standfirst_by_setting(client, settings):
    PostFactory(standfirst="Only the line under the title.", body="The *whole* argument.")
    assert "<em>whole</em>" in _feed(client, "/feed/").entries[0].summary
    settings.PNYX_FEED_FULL_TEXT = False
    assert _feed(client, "/feed/").entries[0].summary == "Only the line under the title."


def test_category_tag_and_author_feeds_hold_their_own_posts(client):
    writer = UserFactory(username="ana")
    essays = Term.objects.create(taxonomy=Term.Taxonomy.CATEGORY, name="Essays", slug="essays")
    tea = Term.objects.create(taxonomy=Term.Taxonomy.TAG, name="Tea", slug="tea")
    essay = PostFactory(title="An essay", author=writer)
    essay.terms.set([essays, tea])
    PostFactory(title="Something else")
    for url in ("/category/essays/feed/", "/tag/tea/feed/atom/", "/author/ana/feed/"):
        assert [e.title for e in _feed(client, url).entries] == ["An essay"], url
    assert [t.term for t in _feed(client, "/feed/").entries[1].tags] == ["Essays", "Tea"]


def test_unknown_terms_and_accounts_without_posts_have_no_feed(client):
    UserFactory(username="quiet")
    for url in ("/category/none/feed/", "/tag/none/feed/", "/author/quiet/feed/", "/author/nobody/feed/"):
        assert client.get(url).status_code == 404, url


def test_every_page_points_feed_readers_at_the_feeds(client):
    post = PostFactory()
    for url in ("/", post.get_absolute_url()):
        page = client.get(url).content.decode()
        assert 'type="application/rss+xml"' in page and 'href="/feed/"' in page and 'href="/comments/feed/"' in page
    assert f'href="{post.get_absolute_url()}feed/"' in client.get(post.get_absolute_url()).content.decode()


def test_a_feed_is_the_same_for_everyone_and_kept_until_the_next_scheduled_post(client):
    due = timezone.now() + timedelta(hours=3)
    PostFactory(status=Post.Status.SCHEDULED, published_at=due)
    response = client.get("/feed/")
    assert response["X-Pnyx-Page"] == "page"
    assert float(response["X-Pnyx-Fresh-Until"]) == pytest.approx(due.timestamp())
