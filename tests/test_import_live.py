"""Readers keep posting while a long import runs (issue 13, item 5), with real processes.

``pnyx serve`` on a fresh SQLite data dir, ``pnyx import`` of a big WordPress export beside it, and a
reader posting comments through the server all the while. When the import was one transaction, SQLite's
write lock was the import's for its whole run: the posts waited 20 s and failed with "database is locked".
"""

import http.client
import re
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

from bench.import_wxr import write_wxr
from tests.conftest import free_port
from tests.test_cli import PNYX, _env, _get

COMMENTS = 3_000
WORST_WAIT = 1.0  # seconds a reader's POST may take while the import runs


def _sqlite_env(data_dir: Path) -> dict:
    env = {k: v for k, v in _env(data_dir).items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # Every reader's comment comes from 127.0.0.1 in a few seconds: past the shipped rate limits.
    return {**env, "PNYX_COMMENT_RATE_LIMITS": "100000/m/ip"}


def _post_comment(port: int, thread_path: str, n: int) -> tuple[int, float]:
    """POST one reader's comment as a browser on the page would; the status and how long it took."""
    body = urllib.parse.urlencode(
        {"comment": f"Reading along while the archive moves in ({n}).", "author": "Reader", "email": "r@example.org"}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        connection.request("POST", thread_path, body=body, headers=headers)
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, time.perf_counter() - started


def test_readers_comments_are_written_within_a_second_while_a_long_import_runs(tmp_path):
    env = _sqlite_env(tmp_path / "data")
    subprocess.run([PNYX, "demo"], env=env, check=True, capture_output=True, timeout=120)
    export = tmp_path / "big.xml"
    write_wxr(export, posts=150, comments=COMMENTS)
    port = free_port()
    serve = [PNYX, "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(serve, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        home = _get(f"http://127.0.0.1:{port}/")[1].decode()
        post_path = re.search(r'href="(/[^"]*the-case-for-slow-comment-threads/)"', home).group(1)
        page = _get(f"http://127.0.0.1:{port}{post_path}")[1].decode()
        thread_path = re.search(r'action="(/comments/thread/\d+/)"', page).group(1)

        importing = subprocess.Popen(
            [PNYX, "import", str(export)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        answers = []
        while importing.poll() is None:
            answers.append(_post_comment(port, thread_path, len(answers)))
            time.sleep(0.1)
        out, err = importing.communicate()
    finally:
        server.send_signal(signal.SIGINT)
        server_output = server.communicate(timeout=30)[0].decode()

    assert importing.returncode == 0, err
    assert re.search(rf"\b{COMMENTS * 9 // 10}\s+comments \(approved\)", out), out
    assert [status for status, _seconds in answers] == [302] * len(answers), server_output
    worst = max(seconds for _status, seconds in answers)
    print(f"{len(answers)} comments posted during the import; the slowest took {worst:.3f} s")
    assert worst < WORST_WAIT
    assert len(answers) >= 10, "the import was too quick to show anything"
