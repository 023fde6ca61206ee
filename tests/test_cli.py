import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from pnyx.blog.models import Post
from pnyx.demo import load_demo

PNYX = str(Path(sys.executable).parent / "pnyx")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PNYX_SECRET_KEY"}
    env["PNYX_DATA_DIR"] = str(data_dir)
    return env


def _get(url: str, timeout: float = 30) -> tuple[int, bytes, Message]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read(), response.headers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_pnyx_serve_migrates_a_fresh_data_dir_and_serves_pages_and_static_files(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [PNYX, "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path / "data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        status, body, _ = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        page = body.decode()
        assert "Nothing has been published yet." in page
        css = page.split('<link rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/pnyx/site.") and css != "/static/pnyx/site.css"  # hashed name
        status, _, headers = _get(f"http://127.0.0.1:{port}{css}")
        assert status == 200 and "immutable" in headers["Cache-Control"]
        assert (tmp_path / "data" / "secret_key").exists()
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in output, output


def test_pnyx_lists_its_own_commands_beside_djangos(tmp_path):
    result = subprocess.run([PNYX, "help"], env=_env(tmp_path), capture_output=True, text=True, check=True)
    listed = set(result.stdout.split())  # whole names: "serve" must not pass by being inside "runserver"
    assert {"serve", "demo", "import", "export", "migrate", "createsuperuser"} <= listed


def test_the_generated_secret_key_is_kept_and_private(tmp_path):
    read_key = [sys.executable, "-c", "from pnyx import settings; print(settings.SECRET_KEY)"]
    first = subprocess.run(read_key, env=_env(tmp_path), capture_output=True, text=True, check=True).stdout
    second = subprocess.run(read_key, env=_env(tmp_path), capture_output=True, text=True, check=True).stdout
    assert first == second and len(first.strip()) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_demo_content_has_a_threaded_discussion_and_loads_once():
    assert load_demo() == 3
    assert load_demo() == 0
    post = Post.objects.get(slug="the-case-for-slow-comment-threads")
    assert post.comment_count == 5
    assert post.comments.filter(depth=2).exists()
    assert Post.objects.filter(comments_open=False).count() == 1


def _pnyx(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    """Run the installed ``pnyx`` on a fresh SQLite data dir of its own."""
    env = {k: v for k, v in _env(data_dir).items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run([PNYX, *args], env=env, capture_output=True, text=True, timeout=120)


def test_pnyx_import_of_a_bad_file_says_where_and_exits_non_zero_without_a_traceback(tmp_path, shared_data):
    _pnyx(["migrate", "-v0"], tmp_path)
    result = _pnyx(["import", str(shared_data / "wordpress-importer" / "malformed.xml")], tmp_path)
    assert result.returncode == 1
    assert "line 90, column 3" in result.stderr and "Nothing was imported." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_pnyx_import_then_export_moves_a_blog_in_and_out(tmp_path, shared_data):
    _pnyx(["migrate", "-v0"], tmp_path)
    imported = _pnyx(["import", str(shared_data / "theme-preview.xml")], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "comments (approved)" in imported.stdout
    exported = _pnyx(["export"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("<?xml") and "<wp:wxr_version>1.2</wp:wxr_version>" in exported.stdout
    assert exported.stdout.count("<wp:comment>") == 2
