import sqlite3
import time

import pytest

from pnyx.discussion.models import Comment, Thread
from pnyx.porting.detect import import_file
from pnyx.porting.models import LegacyPath
from pnyx.porting.report import PortingError
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _isso_db(path, rows):
    """A database with Isso's own schema (as isso-comments.db has it), holding ``rows``."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))")
    db.execute(
        "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT "
        "NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR NOT NULL, author VARCHAR, email "
        "VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL, "
        "notification INTEGER DEFAULT 0)"
    )
    db.execute("INSERT INTO threads VALUES (1, '/essays/tea/', 'Tea')")
    db.executemany(
        "INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author, likes, dislikes, voters) "
        "VALUES (1, ?, ?, ?, ?, '127.0.0.0', ?, 'Reader', ?, ?, x'00')",
        rows,
    )
    db.commit()
    db.close()
    return path


def test_isso_database_with_a_thousand_comments_keeps_its_replies(shared_data):
    for uri in ("/a/", "/b/", "/c/"):
        LegacyPath.objects.create(path=uri, post=PostFactory(slug=uri.strip("/")))
    report = import_file(shared_data / "isso-comments.db")
    assert Comment.objects.count() == 1009
    assert Comment.objects.filter(thread__post__slug="c").count() == 1000
    assert Comment.objects.filter(parent__isnull=False).count() == 450
    assert report.created["comments (approved)"] == 1009
    assert all(c.path.startswith(c.parent.path + "/") for c in Comment.objects.filter(parent__isnull=False)[:50])


def test_isso_modes_and_votes_are_kept_or_reported(tmp_path):
    now = time.time()
    rows = [
        (1, None, now, 1, "Approved *text*", 3, 1),
        (2, 1, now + 1, 2, "Waiting", 0, 0),
        (3, None, now + 2, 4, "Dele\x00ted", 0, 2),
    ]
    post = PostFactory(slug="tea")
    LegacyPath.objects.create(path="/essays/tea/", post=post)
    report = import_file(_isso_db(tmp_path / "comments.db", rows))
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {"Approved *text*": "approved", "Waiting": "pending", "Deleted": "trash"}
    assert Comment.objects.get(body="Waiting").parent.body == "Approved *text*"
    assert "votes not imported (pnyx has no votes): 3 likes, 3 dislikes" in report.notes
    again = import_file(tmp_path / "comments.db")
    assert Comment.objects.count() == 3 and again.existing["comments"] == 3


def test_sqlite_file_that_is_not_isso_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / "other.db")
    db.execute("CREATE TABLE notes (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(PortingError, match="not Isso's"):
        import_file(tmp_path / "other.db")


def test_an_isso_database_imported_into_an_empty_site_keeps_every_thread_and_comment_under_its_url(shared_data):
    import_file(shared_data / "isso-comments.db")
    with sqlite3.connect(shared_data / "isso-comments.db") as db:
        uris = {uri for (uri,) in db.execute("SELECT uri FROM threads")}
        total = db.execute("SELECT count(*) FROM comments").fetchone()[0]
    assert set(Thread.objects.values_list("path", flat=True)) == uris
    assert Comment.objects.count() == total
    assert not Thread.objects.filter(post__isnull=False).exists()
    # A post published later at one of those addresses takes its discussion over.
    post = PostFactory(slug="c", kind="page")
    assert post.thread.comments.count() == 1000
