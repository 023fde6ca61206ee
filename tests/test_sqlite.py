"""pnyx's SQLite backend (pnyx/sqlite): a writer that finds the write lock taken waits for it in short
steps of its own, SQLite's busy handler left out, and gives up with SQLite's error after ``timeout``."""

import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connections

from pnyx.sqlite.base import DatabaseWrapper


def _database(path, *, timeout: float) -> DatabaseWrapper:
    """A connection of pnyx's backend to a file of its own: the tests' database lives in memory, where no
    second connection can hold a lock."""
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "pnyx.sqlite",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout, "init_command": "PRAGMA journal_mode=WAL"},
    }
    return DatabaseWrapper(settings_dict, alias="sqlite_lock_test")


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    """These tests open connections of their own, to files of their own, not the tests' database."""
    with django_db_blocker.unblock():
        yield


def _release_after(holder, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, holder.execute, args=("COMMIT",))
    timer.start()
    return timer


@pytest.fixture
def holder(tmp_path):
    """Another process's connection to the same file, with a table to write to."""
    connection = sqlite3.connect(tmp_path / "lock.sqlite3", isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE said (n INTEGER)")
    yield connection
    connection.close()


def test_a_writer_waits_for_the_lock_and_writes_once_it_is_free(tmp_path, holder):
    database = _database(tmp_path / "lock.sqlite3", timeout=10)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held for 0.3 s
    started = time.monotonic()  # before the timer starts: taken after, a busy machine measured 0.2985 s
    release = _release_after(holder, 0.3)
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO said VALUES (%s)", [1])
        cursor.executemany("INSERT INTO said VALUES (%s)", ([n] for n in (2, 3)))
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (0,)  # SQLite does not sleep by itself
    assert time.monotonic() - started >= 0.3
    release.join()
    assert holder.execute("SELECT n FROM said ORDER BY n").fetchall() == [(1,), (2,), (3,)]
    database.close()


def test_a_transaction_waits_for_the_lock_at_its_start(tmp_path, holder):
    database = _database(tmp_path / "lock.sqlite3", timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    release = _release_after(holder, 0.2)
    database.ensure_connection()
    database._start_transaction_under_autocommit()  # what atomic() does first: BEGIN IMMEDIATE
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO said VALUES (%s)", [7])
    database.commit()
    release.join()
    assert holder.execute("SELECT n FROM said").fetchall() == [(7,)]
    database.close()


def test_a_writer_gives_up_with_sqlites_error_after_the_timeout(tmp_path, holder):
    database = _database(tmp_path / "lock.sqlite3", timeout=0.2)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"), database.cursor() as cursor:
        cursor.execute("INSERT INTO said VALUES (%s)", [1])
    assert time.monotonic() - started >= 0.2
    holder.execute("ROLLBACK")
    assert holder.execute("SELECT count(*) FROM said").fetchone() == (0,)
    database.close()
