"""Category, tag, author and date pages, sticky posts, and private posts for staff alone."""

import re
from datetime import UTC, datetime

import pytest

from pnyx.blog.models import Post, Term
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r'<h2 class="entry-title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


@pytest.fixture
def essays():
    return Term.objects.create(
        taxonomy=Term.Taxonomy.CATEGORY, name="Essays", slug="essays", description="Longer arguments."
    )


def test_a_category_page_lists_its_published_posts_under_its_name(client, essays):
    mine = PostFactory(title="An essay")
    mine.terms.set([essays])
    PostFactory(title="Elsewhere")
    draft = PostFactory(title="Unfinished", status=Post.Status.DRAFT)
    draft.terms.set([essays])
    assert _titles(client, "/category/essays/") == ["An essay"]
    page = client.get("/category/essays/").content.decode()
    assert "Category: Essays" in page and "Longer arguments." in page
    assert '<link rel="canonical" href="/category/essays/">' in page and 'href="/category/essays/feed/"' in page


def test_a_wordpress_child_category_address_leads_to_the_category(client, essays):
    response = client.get("/category/writing/essays/")
    assert response.status_code == 301 and response["Location"] == "/category/essays/"


def test_tag_and_author_pages(client):
    tea = Term.objects.create(taxonomy=Term.Taxonomy.TAG, name="Tea", slug="tea")
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lima")
    post = PostFactory(title="On tea", author=ana)
    post.terms.set([tea])
    PostFactory(title="Other")
    assert _titles(client, "/tag/tea/") == ["On tea"]
    assert _titles(client, "/author/ana/") == ["On tea"]
    assert "Author: Ana Lima" in client.get("/author/ana/").content.decode()


def test_unknown_terms_and_writers_without_posts_are_not_found(client):
    UserFactory(username="quiet")
    for url in ("/category/none/", "/tag/none/", "/author/quiet/", "/author/nobody/"):
        assert client.get(url).status_code == 404, url


def test_date_archives_by_year_month_and_day(client, settings):
    settings.TIME_ZONE = "UTC"
    PostFactory(title="May the fourth", published_at=datetime(2024, 5, 4, 12, tzinfo=UTC))
    PostFactory(title="May the fifth", published_at=datetime(2024, 5, 5, 12, tzinfo=UTC))
    PostFactory(title="June", published_at=datetime(2024, 6, 1, 12, tzinfo=UTC))
    PostFactory(title="Next year", published_at=datetime(2025, 1, 1, 12, tzinfo=UTC))
    assert _titles(client, "/2024/") == ["June", "May the fifth", "May the fourth"]
    assert _titles(client, "/2024/05/") == ["May the fifth", "May the fourth"]
    assert _titles(client, "/2024/05/04/") == ["May the fourth"]
    assert "May 2024" in client.get("/2024/05/").content.decode()
    for url in ("/2024/13/", "/2024/02/30/"):
        assert client.get(url).status_code == 404, url


def test_archives_are_paginated(client, essays):
    for n in range(12):
        PostFactory(title=f"Essay {n}").terms.set([essays])
    assert len(_titles(client, "/category/essays/")) == 10
    assert len(_titles(client, "/category/essays/?page=2")) == 2
    assert (
        '<link rel="canonical" href="/category/essays/?page=2">'
        in client.get("/category/essays/?page=2").content.decode()
    )


def test_a_sticky_post_comes_first_on_the_home_page(client):
    PostFactory(title="Pinned", is_sticky=True, published_at=datetime(2020, 1, 1, tzinfo=UTC))
    PostFactory(title="Newest")
    assert _titles(client, "/") == ["Pinned", "Newest"]


def test_a_post_page_links_its_categories_tags_and_writer(client, essays):
    tea = Term.objects.create(taxonomy=Term.Taxonomy.TAG, name="Tea", slug="tea")
    post = PostFactory(author=UserFactory(username="ana"))
    post.terms.set([essays, tea])
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'href="/category/essays/">Essays</a>' in page and 'href="/tag/tea/">#Tea</a>' in page
    assert '<a rel="author" href="/author/ana/">' in page


def test_a_writer_whose_name_no_address_can_hold_is_shown_without_a_link(client):
    post = PostFactory(author=UserFactory(username="ana lima"))
    page = client.get(post.get_absolute_url()).content.decode()
    assert "By Pat" in page and 'rel="author"' not in page


def test_a_private_post_is_shown_to_staff_alone_and_never_kept(client):
    post = PostFactory(title="Between us", status=Post.Status.PRIVATE)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(username="editor", is_staff=True))
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200 and "Between us" in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
