"""The importers' side of writing comments: the summary's bookkeeping around ``CommentBatch``.

The comments themselves enter through ``pnyx.discussion.posting`` like every other comment.
"""

import ipaddress
from collections.abc import Iterable

from pnyx.discussion.models import Comment
from pnyx.discussion.posting import CommentBatch

from .report import Report


class CommentWriter:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.batch = CommentBatch()

    def taken_ids(self, ids: Iterable[int]) -> set[int]:
        return self.batch.taken_ids(ids)

    def add(self, comment: Comment, *, source_id: int | None = None, id_free: bool = False) -> None:
        """Queue ``comment`` (its ``parent`` already added or saved) and count it for the summary."""
        self.batch.add(comment, source_id=source_id, id_free=id_free)
        if source_id is not None and not id_free:
            self.report.notes["comments whose old id is taken here (old #comment- links still work)"] += 1
        self.report.created[_label(comment)] += 1

    def finish(self) -> None:
        self.batch.finish()


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
