"""Full-text search over posts: title, standfirst, tags and text, ranked, with the matching words marked.

One interface on both databases. Each post has a ``SearchDocument`` (its words as plain text), saved
with the post and its terms (``index_post``, connected in ``apps``); the database keeps the index:
SQLite's FTS5 table, filled by triggers, and PostgreSQL's GIN index on the same columns (both made by
migration ``0005_search``). Words match as prefixes (``tea`` finds "teapot"), every word must be there,
and no stemming, on either database, so both answer the same. Only published posts are ever found.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .models import Post, SearchDocument

MAX_WORDS = 8
_START, _STOP = "\x02", "\x03"  # marks around matched words, turned into <mark> once the snippet is escaped

# Weights: a word in the title counts most, then the standfirst and tags, then the text.
_PG_VECTOR = (
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', standfirst || ' ' || tags), 'B') || "
    "setweight(to_tsvector('simple', body), 'C')"
)


@dataclass(frozen=True)
class Hit:
    post: Post
    snippet: SafeString


def words(query: str) -> list[str]:
    """The words of a reader's query, lower-cased; anything else in it (quotes, operators) is ignored."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def index_post(post: Post) -> None:
    """Write ``post``'s words to its search document (the index follows in the database)."""
    # A protected post is found by its title and tags only: its text is behind its password.
    protected = post.is_protected
    SearchDocument.objects.update_or_create(
        post=post,
        defaults={
            "title": post.title,
            "standfirst": "" if protected else post.standfirst,
            "tags": " ".join(post.terms.values_list("name", flat=True)),
            "body": "" if protected else " ".join(strip_tags(post.body_html).split()),
        },
    )


def search(query: str, *, limit: int = 10, offset: int = 0) -> tuple[list[Hit], int]:
    """The published posts matching every word of ``query``, best first, and how many there are."""
    found = words(query)
    if not found:
        return [], 0
    rows = _sqlite(found) if connection.vendor == "sqlite" else _postgresql(found)
    published = set(Post.objects.published().filter(pk__in=[pk for pk, _s in rows]).values_list("pk", flat=True))
    rows = [(pk, snippet) for pk, snippet in rows if pk in published]
    page = rows[offset : offset + limit]
    posts = Post.objects.with_shown().in_bulk([pk for pk, _s in page])
    return [Hit(posts[pk], _marked(snippet)) for pk, snippet in page if pk in posts], len(rows)


def _sqlite(found: list[str]) -> list[tuple[int, str]]:
    match = " AND ".join('"' + word.replace('"', '""') + '"*' for word in found)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, snippet(blog_search_fts, 3, %s, %s, '…', 32) FROM blog_search_fts "
            "WHERE blog_search_fts MATCH %s ORDER BY bm25(blog_search_fts, 10.0, 4.0, 4.0, 1.0) LIMIT 1000",
            [_START, _STOP, match],
        )
        return cursor.fetchall()


def _postgresql(found: list[str]) -> list[tuple[int, str]]:
    query = " & ".join(f"{word}:*" for word in found)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT post_id, ts_headline('simple', body, q, %s) FROM blog_searchdocument, "  # noqa: S608 (constant)
            f"to_tsquery('simple', %s) AS q WHERE ({_PG_VECTOR}) @@ q "
            f"ORDER BY ts_rank({_PG_VECTOR}, q) DESC, post_id DESC LIMIT 1000",
            [f"StartSel={_START}, StopSel={_STOP}, MaxWords=32, MinWords=12", query],
        )
        return cursor.fetchall()


def _marked(snippet: str) -> SafeString:
    return mark_safe(escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 (escaped)
