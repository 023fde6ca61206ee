"""The importers' side of writing comments: the summary's bookkeeping around ``CommentBatch``.

The comments themselves enter through ``pnyx.discussion.posting`` like every other comment.
"""

import ipaddress
from collections.abc import Iterable

from pnyx.discussion.models import Comment
from pnyx.discussion.posting import CommentBatch

from .report import Report

BATCH = 500
"""Comments per transaction, bounded: on SQLite a reader's comment waits while a batch is written."""


class CommentWriter:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.batch = CommentBatch(size=BATCH)

    def expect(self, source_ids: Iterable[int]) -> None:
        self.batch.expect(source_ids)

    def reserve(self, highest: int) -> None:
        """No id given automatically during the import may be one of the file's (``CommentBatch.reserve``)."""
        if highest:
            self.batch.reserve(highest)

    def add(self, comment: Comment, *, source_id: int | None = None) -> None:
        """Queue ``comment`` (its ``parent`` already added or saved) and count it for the summary."""
        self.batch.add(comment, source_id=source_id)
        self.report.created[_label(comment)] += 1

    def finish(self) -> None:
        self.batch.finish()
        if self.batch.anchored:
            self.report.notes["comments whose old id is taken here (old #comment- links still work)"] += (
                self.batch.anchored
            )


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
