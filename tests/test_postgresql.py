"""pnyx's PostgreSQL backend (pnyx/postgresql): what a connection runs often is prepared by the server,
a query with more values than the protocol carries still runs, and the plans of what is prepared are made
from statistics that know a batch's comments."""

import pytest
from django.db import connection

from pnyx.discussion.models import Comment
from pnyx.discussion.posting import Client, CommentBatch, post_comment
from pnyx.identity.commenter import Commenter
from pnyx.postgresql.base import MOST_VALUES
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the tests' database is SQLite")


def test_the_queries_every_comment_runs_are_planned_once_per_connection():
    post = PostFactory()
    for n in range(6):
        commenter = Commenter(name=f"Reader {n}", email=f"reader-{n}@example.org")
        post_comment(thread=post.thread, parent=None, commenter=commenter, body=f"Point {n}.", client=Client())
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any(statement.startswith('INSERT INTO "discussion_comment"') for statement in prepared), prepared


def test_a_query_with_more_values_than_the_protocol_carries_still_answers():
    """An import asks which of a file's comment ids are taken in one query; a big file has more ids than
    one query's values may number when the server binds them."""
    kept = CommentFactory(), CommentFactory()
    wanted = [comment.pk for comment in kept] + list(range(10**9, 10**9 + MOST_VALUES))
    assert set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True)) == {c.pk for c in kept}
    assert Comment.objects.filter(pk__in=wanted, body__contains="%s 100%").count() == 0


def test_a_batch_of_comments_is_counted_for_the_planner_when_it_is_written():
    """An import or a new site's first comments: the prepared queries' plans must not stay those of an
    empty table, whose query for a guest's earlier comments read every guest comment."""
    post = PostFactory()
    batch = CommentBatch(size=100)
    for n in range(250):
        batch.add(Comment(thread=post.thread, author_name=f"Reader {n}", body=f"Point {n}.", status=Comment.PUBLIC))
    batch.finish()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Comment._meta.db_table])
        [(counted,)] = cursor.fetchall()
    assert counted == Comment.objects.count() >= 250
