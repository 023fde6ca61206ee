import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment
from pnyx.precompiled import Precompiled
from tests.factories import PostFactory, UserFactory, library_image

pytestmark = pytest.mark.django_db

STATEMENT = 2
"""SELECTs compiled to make one statement: with the call's values, and with stand-ins that show their places."""


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
    assert select_compiles == [Post] * STATEMENT


def test_a_datetime_value_is_compared_as_the_database_stores_it():
    now = timezone.now()
    PostFactory(slug="soon", status=Post.Status.SCHEDULED, published_at=now + timedelta(minutes=5))
    query = Precompiled(by_slug)
    assert not query("soon", now)
    assert [post.slug for post in query("soon", now + timedelta(minutes=6))] == ["soon"]


def test_a_uuid_value_is_placed_as_the_database_stores_it_and_compiled_once(select_compiles):
    """A task's id: hex digits on SQLite, PostgreSQL's own uuid type."""
    from django_tasks_db.models import DBTaskResult

    from pnyx.discussion.tasks import notify_changes

    first, second = (uuid.UUID(notify_changes.enqueue().id) for _ in range(2))
    query = Precompiled(lambda pk: DBTaskResult.objects.filter(pk=pk).values_list("pk"))
    assert query(first) == [(first,)]
    select_compiles.clear()
    assert query(second) == [(second,)]
    assert not query(uuid.uuid4())
    assert select_compiles == []


def test_a_value_that_equals_a_constant_of_the_query_is_still_placed(select_compiles):
    """``kind`` is a value here and "post" a slug too: the stand-ins tell which parameter is which."""
    PostFactory(slug="post")
    PostFactory(slug="other")
    query, now = Precompiled(lambda slug, kind: by_slug(slug, now).filter(kind=kind)), timezone.now()
    select_compiles.clear()
    assert [post.slug for post in query("post", "post")] == ["post"]
    assert [post.slug for post in query("other", "post")] == ["other"]
    assert [post.slug for post in query("post", "page")] == []
    assert len(select_compiles) == STATEMENT


def test_a_value_that_build_changes_is_run_the_ordinary_way(select_compiles):
    """A slug lower-cased on its way into the query is not where the value given is: each call compiles."""
    PostFactory(slug="lower")
    query = Precompiled(lambda slug: Post.objects.filter(slug=slug.lower()))
    select_compiles.clear()
    assert [post.slug for post in query("LOWER")] == ["lower"]
    assert [post.slug for post in query("Lower")] == ["lower"]
    assert len(select_compiles) == 2 * STATEMENT


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
    assert select_compiles == [Post] * STATEMENT


def test_an_integer_no_column_can_hold_matches_what_the_orm_says_it_matches():
    """An id typed into an address may be any size; the driver refuses one past 64 bits."""
    post = PostFactory()
    by_pk = Precompiled(lambda pk: Post.objects.filter(pk=pk))
    assert by_pk(post.pk) == [post]
    assert by_pk(2**70) == [] and by_pk(-(2**70)) == []


def test_a_values_list_query_gives_its_rows_as_tuples_compiled_once(select_compiles):
    first, second = PostFactory(slug="first"), PostFactory(slug="second")
    query = Precompiled(lambda slug: Post.objects.filter(slug=slug).values_list("pk", "slug", "created_at"))
    select_compiles.clear()
    for post in (first, second):
        assert query(post.slug) == list(Post.objects.filter(pk=post.pk).values_list("pk", "slug", "created_at"))
    assert query("second")[0][2] == second.created_at  # converted as the ORM converts it (an aware datetime)
    assert len(select_compiles) == STATEMENT + 2  # the statement, and the two querysets compared with


def test_an_aggregate_is_one_row_even_when_nothing_matches(select_compiles):
    from django.db.models import Count, Max, Q

    from pnyx.precompiled import one_row

    now = timezone.now()
    made = {}
    for title, hours in [("counted", 1), ("counted", 5), ("counted", 30), ("other", 2)]:
        made[title, hours] = PostFactory(title=title).pk
        Post.objects.filter(pk=made[title, hours]).update(created_at=now - timedelta(hours=hours))

    def counts(title, day, hour):
        rows = Post.objects.filter(title=title, created_at__gte=day)
        return one_row(rows, day=Count("pk"), hour=Count("pk", filter=Q(created_at__gte=hour)), newest=Max("pk"))

    query = Precompiled(counts)
    select_compiles.clear()
    day, hour = now - timedelta(days=1), now - timedelta(hours=3)
    assert query("counted", day, hour) == [(2, 1, made["counted", 5])]
    assert query("nothing", day, hour) == [(0, 0, None)]
    assert query("counted", day, hour)[0][:2] == tuple(
        Post.objects.filter(title="counted", created_at__gte=day)
        .aggregate(day=Count("pk"), hour=Count("pk", filter=Q(created_at__gte=hour)))
        .values()
    )
    assert select_compiles.count(Post) == STATEMENT + 1  # the statement, and the aggregate compared with


def test_each_shape_of_a_query_has_its_own_statement(select_compiles):
    for slug in ("a", "b", "c"):
        PostFactory(slug=slug)

    def by_slugs(*slugs, newest):
        rows = Post.objects.filter(slug__in=slugs).order_by("-slug" if newest else "slug")
        return rows.values_list("slug")[:2]

    query = Precompiled(by_slugs)
    select_compiles.clear()
    assert query("a", "b", "c", newest=True) == [("c",), ("b",)]
    assert query("a", "b", "c", newest=False) == [("a",), ("b",)]
    assert query("c", "a", newest=False) == [("a",), ("c",)]
    assert query("a", newest=True) == [("a",)]
    assert query("b", "c", "a", newest=True) == [("c",), ("b",)]
    assert query("b", "c", newest=False) == [("b",), ("c",)]
    assert len(select_compiles) == 4 * STATEMENT  # three values newest, three oldest, two oldest, one newest


def test_a_value_repeated_in_a_list_is_not_given_a_place(select_compiles):
    """A list's ids reach the statement once each: ``b, b`` is one parameter, where ``b, c`` are two."""
    for slug in ("a", "b", "c"):
        PostFactory(slug=slug)
    query = Precompiled(lambda *slugs: Post.objects.filter(slug__in=slugs).order_by("slug").values_list("slug"))
    assert query("b", "b") == [("b",)]
    assert query("a", "c") == [("a",), ("c",)]
    assert query("a", "c") == [("a",), ("c",)]


def test_values_rows_other_than_tuples_are_refused():
    with pytest.raises(ValueError, match="values_list"):
        Precompiled(lambda slug: Post.objects.filter(slug=slug).values("pk"))("a")
    with pytest.raises(ValueError, match="values_list"):
        Precompiled(lambda slug: Post.objects.filter(slug=slug).values_list("pk", flat=True))("a")


def test_a_column_too_small_for_a_stand_in_runs_the_ordinary_way():
    """A comment's depth is a small integer: the stand-in does not fit it, so which parameter is the
    value cannot be told, and each call runs as the queryset would."""
    from tests.factories import CommentFactory

    top = CommentFactory()
    reply = CommentFactory(thread=top.thread, parent=top)
    by_depth = Precompiled(lambda depth: Comment.objects.filter(depth=depth).order_by("pk"))
    assert by_depth(0) == [top] and by_depth(1) == [reply] and by_depth(2) == []
