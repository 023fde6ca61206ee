"""Two ``pnyx serve`` processes on one database and cache: a change made through one is fresh in the other."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

PNYX = str(Path(sys.executable).parent / "pnyx")
SLUG = "the-case-for-slow-comment-threads"
SETUP = f"""
from django.contrib.auth import get_user_model
from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
get_user_model().objects.create_superuser("mod", "mod@example.org", "a long moderator password")
post = Post.objects.get(slug="{SLUG}")
print(Comment.objects.create(thread=post.thread, author_name="Late", body="Held until a moderator looks").pk)
"""


def _redis_url() -> str | None:
    """A Redis to test against (bin/test's), on a database of its own; None if there is none."""
    url = os.environ.get("PNYX_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001 (any failure means: no Redis here)
        return None
    return url


@pytest.fixture(params=["embedded", "redis"])
def two_servers(request, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PNYX_SECRET_KEY")}
    env["PNYX_DATA_DIR"] = str(tmp_path)
    if request.param == "redis":
        if (url := _redis_url()) is None:
            if os.environ.get("CI"):
                pytest.fail("Redis is required under CI for the shared page cache test")
            pytest.skip("no Redis reachable: the shared page cache across machines is not tested here")
        env["REDIS_URL"] = url
    subprocess.run([PNYX, "demo"], env=env, check=True, capture_output=True)
    held = subprocess.run([PNYX, "shell", "-c", SETUP], env=env, check=True, capture_output=True, text=True)
    servers, bases = [], []
    try:
        for _ in range(2):  # one after the other: the first collects the static files for both
            port = free_port()
            command = [PNYX, "serve", "--port", str(port), "--workers", "1", "--no-migrate"]
            servers.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
            _wait(bases[-1])
        yield bases, int(held.stdout.strip().splitlines()[-1])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _page(base: str) -> tuple[str, str]:
    with urllib.request.urlopen(f"{base}/posts/{SLUG}/", timeout=5) as response:
        return response.headers["X-Pnyx-Cache"], response.read().decode()


def _approve_through(base: str, comment_id: int) -> None:
    """A moderator approves the comment in the admin of the server at ``base``, as a browser would."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def token(path: str) -> str:
        page = browser.open(base + path, timeout=10).read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(path: str, data: dict) -> None:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        browser.open(urllib.request.Request(base + path, data=body, headers={"Referer": base + path}), timeout=10)

    login = "/admin/login/?next=/admin/"
    post(login, {"username": "mod", "password": "a long moderator password", "csrfmiddlewaretoken": token(login)})
    listing = "/admin/discussion/comment/"
    post(listing, {"action": "approve", "_selected_action": [comment_id], "csrfmiddlewaretoken": token(listing)})


def test_a_comment_approved_through_one_server_is_on_the_others_page_within_a_second(two_servers):
    (one, other), held = two_servers
    for base in (one, other):
        _page(base)
    how, page = _page(other)
    assert how == "hit" and "Held until a moderator looks" not in page and "5 thoughts on" in page

    _approve_through(one, held)
    approved = time.monotonic()
    while True:
        how, page = _page(other)
        if "Held until a moderator looks" in page:
            break
        assert time.monotonic() - approved < 1.0, "the other server still serves the old page after 1 s"
        time.sleep(0.02)
    assert "6 thoughts on" in page
