"""Writing imported comments in bulk, each one placed in its thread exactly as a posted comment is.

Every importer hands its comments here, parents before replies. A comment gets the same ordering key
and depth as ``Comment.save()`` would give it (``place_in_thread``) and the same rendered body
(``render_comment``); only the insert is batched, which a 100,000-comment blog needs. When the source's
comment id is still free here it becomes the comment's id, so an old ``#comment-123`` link lands on
the same comment; when it is taken, the old anchor is kept beside the new id.
"""

import ipaddress
from collections import Counter
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
from pnyx.markup import render_comment

from .report import Report

BATCH = 2000


class CommentWriter:
    def __init__(self, report: Report, *, batch: int = BATCH) -> None:
        self.report = report
        self.batch = batch
        self.pending: list[Comment] = []
        self.touched_posts: set[int] = set()
        self.explicit_ids = False

    def taken_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` already belong to a comment here (saved, or waiting in this batch)."""
        wanted = set(ids)
        waiting = {c.pk for c in self.pending if c.pk in wanted}
        return waiting | set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))

    def add(self, comment: Comment, *, source_id: int | None = None, id_free: bool = False) -> None:
        """Queue ``comment`` (its ``parent`` already added or saved) for insertion."""
        if comment.parent is not None and comment.parent.pk is None:
            self.flush()
        # PostgreSQL refuses NUL in text; an SQLite source (Isso) can hold it.
        for name in ("body", "author_name", "author_email", "author_url"):
            setattr(comment, name, getattr(comment, name).replace("\x00", ""))
        comment.place_in_thread()
        comment.body_html = render_comment(comment.body)
        if source_id is not None:
            if id_free:
                comment.pk = source_id
                self.explicit_ids = True
            else:
                comment.legacy_anchor = f"comment-{source_id}"
                self.report.notes["comments whose old id is taken here (old #comment- links still work)"] += 1
        self.pending.append(comment)
        self.report.created[_label(comment)] += 1
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        Comment.objects.bulk_create(self.pending)
        self.touched_posts.update(c.post_id for c in self.pending)
        self.pending = []

    def finish(self) -> None:
        """Insert what waits, recount the posts that got comments, and move the id sequence past the ids used."""
        self.flush()
        touched = sorted(self.touched_posts)
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            counts = Counter(
                dict(
                    Comment.objects.public()
                    .filter(post_id__in=chunk)
                    .values_list("post_id")
                    .annotate(n=Count("id"))
                    .values_list("post_id", "n")
                )
            )
            posts = list(Post.objects.filter(pk__in=chunk).only("id", "comment_count"))
            for post in posts:
                post.comment_count = counts[post.pk]
            Post.objects.bulk_update(posts, ["comment_count"])
        if self.explicit_ids:
            # PostgreSQL's sequence does not see ids inserted explicitly: without this, the next comment
            # a reader posts would be given an id an imported comment already has.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                    cursor.execute(sql)


def _label(comment: Comment) -> str:
    if comment.kind != Comment.Kind.COMMENT:
        return f"{comment.kind}s ({comment.status})"
    return f"comments ({comment.status})"


def ip_or_none(text: str) -> str | None:
    """A valid IP address, or None: a malformed one would be refused by PostgreSQL's inet column."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
