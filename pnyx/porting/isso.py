"""Isso's SQLite database: threads by their URI (a post's, when one is there), comments with replies and modes.

A comment is known by ``isso:<database file name>:<id>``. Isso stores the text as its writer typed it
(Markdown), which pnyx's comment text already reads.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pnyx.discussion.models import Comment, Thread

from . import legacy
from .comments import CommentWriter, ip_or_none
from .report import PortingError, Report
from .xmlstream import Progress

NAME = "Isso database (SQLite)"
MODES = {1: Comment.Status.APPROVED, 2: Comment.Status.PENDING, 4: Comment.Status.TRASH}


def detect(head: bytes) -> bool:
    return head.startswith(b"SQLite format 3\x00")


_COMMENTS = (
    "SELECT id, tid, parent, created, mode, remote_addr, text, author, email, website, likes, dislikes "
    "FROM comments ORDER BY id"
)


def import_file(path: Path, *, report: Report, progress: Progress | None = None) -> None:
    """Import every thread and comment of an Isso database: onto the post at a thread's URI, else kept under it.

    Every row is read once before anything is written, so a damaged database is refused whole; then
    each batch of comments is written in a short transaction of its own.
    """
    with _opened(path) as db:
        _check(db, path)
    with _opened(path) as db:
        _import(db, path, report, progress)


@contextmanager
def _opened(path: Path) -> Iterator[sqlite3.Connection]:
    """The database, read-only; whatever SQLite cannot read in it becomes the one PortingError."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            yield db
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise PortingError(f"{path.name}: cannot be read as Isso's database ({error}).") from None


def _check(db: sqlite3.Connection, path: Path) -> None:
    """Isso's tables are there and every row of them can be read."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"threads", "comments"} <= tables:
        raise PortingError(f"{path.name}: an SQLite database, but not Isso's (no threads and comments tables).")
    for _row in db.execute("SELECT id, uri, title FROM threads"):
        pass
    for _row in db.execute(_COMMENTS):
        pass


def _import(db: sqlite3.Connection, path: Path, report: Report, progress: Progress | None) -> None:
    prefix = f"isso:{path.name}:"
    existing = {
        ref[len(prefix) :]: pk
        for ref, pk in Comment.objects.filter(import_ref__startswith=prefix).values_list("import_ref", "pk")
    }
    threads: dict[int, Thread] = {}
    for tid, uri, title in db.execute("SELECT id, uri, title FROM threads"):
        threads[tid] = legacy.find_thread(uri or "/", title=title or "")
        if threads[tid].post_id is None:
            report.notes["Isso threads kept under their address (no post there here)"] += 1
        else:
            report.notes["Isso threads matched to a post"] += 1
    writer = CommentWriter(report)
    written: dict[int, Comment] = {}
    likes = dislikes = 0
    rows = db.execute(_COMMENTS)
    for cid, tid, parent_id, created, mode, addr, text, author, email, website, up, down in rows:
        if str(cid) in existing:
            report.existing["comments"] += 1
            continue
        thread = threads.get(tid)
        if thread is None:
            report.skipped["Isso comments on a thread missing from the database"] += 1
            continue
        likes, dislikes = likes + (up or 0), dislikes + (down or 0)
        parent = None
        if parent_id is not None:
            parent = written.get(parent_id)
            if parent is None and str(parent_id) in existing:
                parent = written[parent_id] = Comment.objects.get(pk=existing[str(parent_id)])
            if parent is None:
                report.notes["replies whose parent is not in the file (shown as top-level comments)"] += 1
        comment = Comment(
            thread=thread,
            parent=parent,
            author_name=author or "",
            author_email=email or "",
            author_url=website or "",
            body=text or "",
            status=MODES.get(mode, Comment.Status.PENDING),
            status_reason=f"imported from Isso (mode {mode})",
            ip=ip_or_none(addr or ""),
            created_at=datetime.fromtimestamp(created, tz=UTC),
            import_ref=f"{prefix}{cid}",
        )
        writer.add(comment)
        written[cid] = comment
    writer.finish()
    if likes or dislikes:
        report.notes[f"votes not imported (pnyx has no votes): {likes} likes, {dislikes} dislikes"] += 1
