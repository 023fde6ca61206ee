from datetime import timedelta

import pytest
from django.utils import timezone

from pnyx.blog.models import Post, Term
from pnyx.precompiled import Precompiled
from tests.factories import PostFactory, UserFactory, library_image

pytestmark = pytest.mark.django_db


def by_slug(slug, now):
    return Post.objects.with_shown().published(now).filter(slug=slug)


def test_a_precompiled_query_gives_what_the_queryset_gives_with_its_related_rows(select_compiles):
    writer = UserFactory(first_name="Ada", last_name="Writer")
    first = PostFactory(slug="first", author=writer, featured_image=library_image(alt="A grey square"))
    second = PostFactory(slug="second", author=None)
    query, now = Precompiled(by_slug), timezone.now()

    for post in (first, second):
        [found] = query(post.slug, now)
        [expected] = by_slug(post.slug, now)
        assert [(f.attname, getattr(found, f.attname)) for f in Post._meta.concrete_fields] == [
            (f.attname, getattr(expected, f.attname)) for f in Post._meta.concrete_fields
        ]
        assert found.thread == expected.thread and found.thread.comment_count == expected.thread.comment_count
    assert found.author is None and found.featured_image is None
    [found] = query("first", now)
    assert found.author.get_full_name() == "Ada Writer" and found.featured_image.alt == "A grey square"
    assert found._state.db == "default" and not found._state.adding
    assert not query("no-such-post", now)


def test_a_precompiled_query_is_compiled_once_per_process(select_compiles, django_assert_num_queries):
    query, now = Precompiled(by_slug), timezone.now()
    for slug in ("one", "two", "three"):
        PostFactory(slug=slug)
    select_compiles.clear()
    with django_assert_num_queries(3):
        assert [query(slug, now)[0].slug for slug in ("one", "two", "three")] == ["one", "two", "three"]
    assert select_compiles == [Post]


def test_a_datetime_value_is_compared_as_the_database_stores_it():
    now = timezone.now()
    PostFactory(slug="soon", status=Post.Status.SCHEDULED, published_at=now + timedelta(minutes=5))
    query = Precompiled(by_slug)
    assert not query("soon", now)
    assert [post.slug for post in query("soon", now + timedelta(minutes=6))] == ["soon"]


def test_a_value_that_equals_a_constant_of_the_query_is_run_the_ordinary_way(select_compiles):
    """``kind`` is a value here and "post" a slug too: which parameter is which cannot be told, so the
    queryset runs as it is, and correctly, until a call can tell them apart."""
    PostFactory(slug="post")
    PostFactory(slug="other")
    query, now = Precompiled(lambda slug, kind: by_slug(slug, now).filter(kind=kind)), timezone.now()
    select_compiles.clear()
    assert [post.slug for post in query("post", "post")] == ["post"]
    assert [post.slug for post in query("post", "post")] == ["post"]
    assert len(select_compiles) == 2  # compiled each time
    assert [post.slug for post in query("other", "post")] == ["other"]
    assert [post.slug for post in query("post", "post")] == ["post"]  # now from the statement
    assert len(select_compiles) == 3


def test_a_related_manager_that_fills_in_its_owner_cannot_be_precompiled():
    """``thread.comments`` sets each comment's thread without a query: a statement would not."""
    post = PostFactory()
    with pytest.raises(ValueError, match="related manager"):
        Precompiled(lambda depth: post.thread.comments.filter(depth=depth))(0)


def test_a_posts_terms_come_in_the_order_of_its_related_manager():
    post = PostFactory()
    post.terms.set(
        [
            Term.objects.create(taxonomy=taxonomy, name=name, slug=name.lower())
            for taxonomy, name in [("tag", "Zebra"), ("category", "Music"), ("tag", "Apple"), ("category", "Art")]
        ]
    )
    PostFactory().terms.set([Term.objects.create(taxonomy="tag", name="Elsewhere", slug="elsewhere")])
    assert post.shown_terms == list(post.terms.all())
    assert [term.name for term in post.shown_terms] == ["Art", "Music", "Apple", "Zebra"]


def test_a_plain_string_is_told_apart_from_a_choice_constant_of_the_same_text(select_compiles):
    """``published()`` holds ``Post.Status.PUBLISHED``, an enum equal to the string "published": a title
    "published" is still placed, so the statement is kept."""
    PostFactory(slug="a", title="published")
    PostFactory(slug="b", title="scheduled")
    now = timezone.now()
    query = Precompiled(lambda title: Post.objects.published(now).filter(title=title))
    select_compiles.clear()
    assert [post.slug for post in query("published")] == ["a"]
    assert [post.slug for post in query("scheduled")] == ["b"]
    assert select_compiles == [Post]


def test_an_integer_no_column_can_hold_matches_what_the_orm_says_it_matches():
    """An id typed into an address may be any size; the driver refuses one past 64 bits."""
    post = PostFactory()
    by_pk = Precompiled(lambda pk: Post.objects.filter(pk=pk))
    assert by_pk(post.pk) == [post]
    assert by_pk(2**70) == [] and by_pk(-(2**70)) == []
