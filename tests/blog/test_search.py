"""Search over posts, the same on SQLite (FTS5) and PostgreSQL (a GIN index): ranked, marked, published only."""

import re

import pytest

from pnyx.blog.models import Post, Term
from pnyx.blog.search import search, words
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _found(query: str) -> list[str]:
    hits, _total = search(query)
    return [hit.post.title for hit in hits]


def test_every_word_must_match_and_words_match_as_prefixes():
    PostFactory(title="Brewing green tea", body="Water below boiling.")
    PostFactory(title="Coffee", body="A teapot is no use here.")
    assert _found("tea") == ["Brewing green tea", "Coffee"]
    assert _found("tea boiling") == ["Brewing green tea"]
    assert _found("nothing-like-this") == []


def test_a_word_in_the_title_ranks_above_one_in_the_text():
    PostFactory(title="On gardens", body="Somewhere in here, briefly: kettles.")
    PostFactory(title="Kettles", body="Nothing else.")
    assert _found("kettles") == ["Kettles", "On gardens"]


def test_standfirst_and_tags_are_searched():
    tagged = PostFactory(title="Untitled thoughts")
    tagged.terms.set([Term.objects.create(taxonomy=Term.Taxonomy.TAG, name="Oolong", slug="oolong")])
    PostFactory(title="Another", standfirst="About darjeeling.")
    assert _found("oolong") == ["Untitled thoughts"]
    assert _found("darjeeling") == ["Another"]


def test_only_published_posts_are_found_and_the_index_follows_edits():
    post = PostFactory(title="Assam", body="Malty.")
    PostFactory(title="Assam draft", status=Post.Status.DRAFT)
    assert _found("assam") == ["Assam"]
    post.title, post.body = "Ceylon", "Bright."
    post.save()
    assert _found("assam") == [] and _found("ceylon") == ["Ceylon"]
    post.status = Post.Status.DRAFT
    post.save()
    assert _found("ceylon") == []


def test_a_protected_post_is_found_by_its_title_only():
    PostFactory(title="Family tea", body="Grandmother's secret blend.", password="x")
    assert _found("family") == ["Family tea"]
    assert _found("grandmother") == []


def test_the_snippet_marks_the_words_and_escapes_the_rest():
    PostFactory(title="Markup", body="Use <b>bold</b> & keep the kettle low.")
    (hit,), _total = search("kettle")
    assert "<mark>kettle</mark>" in hit.snippet
    assert "<b>" not in hit.snippet


@pytest.mark.parametrize("query", ['"', "tea AND OR NOT", "*", "tea:*", "'; DROP TABLE x; --", "NEAR(", ""])
def test_query_syntax_from_a_reader_never_breaks_the_search(query):
    PostFactory(title="Tea", body="tea")
    search(query)  # no error on either database
    assert words("Tea, and 'more' tea!") == ["tea", "and", "more", "tea"]


def test_the_search_page_answers_wordpress_s_address_with_highlighted_results(client):
    PostFactory(title="Steeping", body="Three minutes for black tea.")
    response = client.get("/", {"s": "minutes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Search results for “minutes”" in page and "<mark>minutes</mark>" in page
    assert re.search(r'<h2 class="entry-title"><a href="[^"]+">Steeping</a>', page)
    assert 'name="s"' in client.get("/").content.decode()  # the search box on every page


def test_search_results_are_paginated(client):
    for n in range(12):
        PostFactory(title=f"Tea note {n}")
    first = client.get("/", {"s": "note"}).content.decode()
    assert "12 posts found." in first and first.count('class="post-summary search-result"') == 10
    second = client.get("/", {"s": "note", "page": "2"}).content.decode()
    assert second.count('class="post-summary search-result"') == 2
