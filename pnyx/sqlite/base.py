"""Django's SQLite backend, with writers that wait for the write lock in short steps.

Why: SQLite lets one writer at a time, and a writer that finds the lock taken is put to sleep by
SQLite's own busy handler in growing steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms...). When
writes are frequent (a comment POST in each web worker, the task worker claiming and finishing each
task), a writer that wakes to find the lock taken again sleeps longer each time, while writers that
arrive later take the lock before it. Measured with the bench's comment POST at c=8 (bench/README.md):
p99 157–291 ms at 335 a second with SQLite's waiting, 43–45 ms with the task worker stopped, and 41–79
ms at 363–379 a second with the waiting below. Here SQLite is told not to wait
(``busy_timeout`` 0 once connected) and the cursor waits instead: it tries again after 0.2 ms, then
twice as long each time up to 2 ms, until the ``timeout`` of the settings has passed, when the
"database is locked" error is raised as before. A statement that found the lock taken did nothing, so
it is run again as it was (in autocommit, or the ``BEGIN`` of a transaction; inside an IMMEDIATE
transaction, which holds the lock, no write waits).
"""

import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.backends.sqlite3 import base

T = TypeVar("T")

FIRST_PAUSE = 0.0002
LONGEST_PAUSE = 0.002


def waiting(run: Callable[[], T], timeout: float) -> T:
    """``run()``, again after a short pause while SQLite answers that the database is locked, for up to
    ``timeout`` seconds."""
    pause, deadline = FIRST_PAUSE, None
    while True:
        try:
            return run()
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + timeout
            if now >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


def _locked(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock (or is recovering the log): trying again later can succeed.
    Not a read transaction's stale snapshot, which no retry of the statement mends."""
    code = error.sqlite_errorcode
    return code & 0xFF == sqlite3.SQLITE_BUSY and code != sqlite3.SQLITE_BUSY_SNAPSHOT


class CursorWrapper(base.SQLiteCursorWrapper):
    lock_timeout = 5.0

    def execute(self, query: str, params: Any = None) -> Any:
        return waiting(lambda: super(CursorWrapper, self).execute(query, params), self.lock_timeout)

    def executemany(self, query: str, param_list: Any) -> Any:
        rows = list(param_list)  # a generator would be used up by a try that found the lock taken
        return waiting(lambda: super(CursorWrapper, self).executemany(query, rows), self.lock_timeout)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict) -> sqlite3.Connection:
        connection = super().get_new_connection(conn_params)  # its pragmas wait SQLite's way, once
        connection.execute("PRAGMA busy_timeout = 0")
        return connection

    def create_cursor(self, name: str | None = None) -> CursorWrapper:
        cursor = self.connection.cursor(factory=CursorWrapper)
        cursor.lock_timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        return cursor
