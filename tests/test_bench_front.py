"""bench/front.py by its pieces: the whole bench takes minutes even in ``--quick`` mode on two busy
cores, too long to run twice in every CI run, so these tests prove what the figures rest on instead:
the comment POST script against a real ``pnyx serve`` (302s counted, refusals reported by status),
that a Ctrl-C mid-run leaves no process and no file behind, and that a missed target shows as missed.
"""

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PNYX = str(Path(sys.executable).with_name("pnyx"))
NEEDS_TOOLS = pytest.mark.skipif(
    shutil.which("wrk") is None or shutil.which("nginx") is None,
    reason="bench/front.py needs wrk and nginx: apt-get install -y wrk nginx-light",
)
SQLITE_PASS_ONLY = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the bench makes its own databases: its tests run once, in the SQLite pass",
)


def _front():
    sys.path.insert(0, str(BENCH))  # front.py imports its helpers from serve.py beside it
    spec = importlib.util.spec_from_file_location("bench_front", BENCH / "front.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PNYX_DEBUG"}}
    # The POST script's comments all come from 127.0.0.1: lifted as bench/front.py lifts them.
    limits = {"PNYX_COMMENT_RATE_LIMITS": "100000000/m/ip"}
    return {**env, "PNYX_DATA_DIR": str(data_dir), "PYTHONDONTWRITEBYTECODE": "1", **limits}


def test_a_missed_target_is_shown_as_missed():
    front = _front()
    rows = [
        front.Row("warm GET post, c=32", 500.0, "req/s", 10.0, 40.0, 20_000.0, 5.0, 3.0, ">= 60%", met=False),
        front.Row("freshness", 80.0, "ms", target="< 1000 ms", met=True),
    ]
    out = front.table(rows, "header")
    assert re.search(r"warm GET post, c=32 .* 2% .*>= 60%: MISSED", out)
    assert re.search(r"freshness .* 80\.0 ms .*< 1000 ms: met", out)


def test_a_post_rows_cpu_is_counted_by_the_kind_of_process_that_spent_it(tmp_path):
    """What a missed POST rate is explained by: what a server's children spent, the task worker's apart.
    The stand-in worker is started as ``pnyx serve`` starts the real one (``python -m pnyx.cli worker``),
    from a stand-in package, so the bench knows it by its command line as it knows the real one."""
    front = _front()
    spin = (
        "import os, sys, time\nend = time.process_time() + float(sys.argv[-1])\n"
        "while time.process_time() < end: pass\nprint(sys.argv[-2], os.getpid(), flush=True)\ntime.sleep(60)\n"
    )
    stand_in = tmp_path / "stand-in"
    (stand_in / "pnyx").mkdir(parents=True)
    (stand_in / "pnyx" / "__init__.py").write_text("")
    (stand_in / "pnyx" / "cli.py").write_text(spin)
    parent = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-m', 'pnyx.cli', 'worker', '0.3'], cwd={str(stand_in)!r})\n"
        f"subprocess.run([sys.executable, '-c', {spin!r}, 'web', '0.9'])\n"
    )
    log = tmp_path / "server.log"
    server = front.Process([sys.executable, "-c", parent], os.environ.copy(), log, signal.SIGTERM)
    try:
        deadline = time.monotonic() + 30
        while len(log.read_text().splitlines()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        spent = front.cpu_by_kind([server])
    finally:
        server.stop()
    seconds = {kind: ticks / front.TICKS for kind, ticks in spent.items()}
    assert set(seconds) == {"web", "task worker", "PostgreSQL", "Redis"}
    assert 0.3 <= seconds["task worker"] < 0.8 and 0.9 <= seconds["web"] < 2.0, seconds


@NEEDS_TOOLS
@SQLITE_PASS_ONLY
def test_the_post_script_counts_taken_comments_and_reports_refusals(tmp_path):
    """Every request a new comment (no duplicate refused), each one stored; a closed post's 400s reported."""
    front = _front()
    env = _env(tmp_path / "data")
    subprocess.run([PNYX, "demo"], env=env, check=True, capture_output=True)
    threads_by_slug = (
        "import json; from pnyx.discussion.models import Thread; "
        "print(json.dumps({t.post.slug: t.pk for t in Thread.objects.select_related('post')}))"
    )
    shell = [PNYX, "shell", "--no-imports", "-c"]
    threads = json.loads(subprocess.run([*shell, threads_by_slug], env=env, check=True, capture_output=True).stdout)
    before = _count_comments(env)
    script = tmp_path / "post.lua"
    script.write_text(front.POST_LUA)
    port, log = front.free_port(), tmp_path / "serve.log"
    with log.open("w") as out:
        cmd = [PNYX, "serve", "--port", str(port)]
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        front.wait_until_up(base + "/", server, log)
        load = ("-s", str(script))
        opened = front.wrk_output(
            f"{base}/comments/thread/{threads['the-case-for-slow-comment-threads']}/",
            duration=2,
            connections=4,
            threads=2,
            extra=load,
        )
        closed = front.wrk_output(
            f"{base}/comments/thread/{threads['notes-on-running-a-blog-on-one-small-box']}/",
            duration=1,
            connections=2,
            threads=2,
            extra=load,
        )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    taken, refused = front.post_outcomes(opened)
    assert taken > 10 and refused == {}, opened
    stored = _count_comments(env) - before
    assert taken <= stored <= taken + 4, (taken, stored)  # wrk may stop with a request in flight per connection
    closed_taken, closed_refused = front.post_outcomes(closed)
    assert closed_taken == 0 and closed_refused.get(400, 0) > 0 and set(closed_refused) == {400}, closed


def _count_comments(env: dict[str, str]) -> int:
    count = "from pnyx.discussion.models import Comment; print(Comment.objects.count())"
    result = subprocess.run([PNYX, "shell", "--no-imports", "-c", count], env=env, check=True, capture_output=True)
    return int(result.stdout)


@NEEDS_TOOLS
@SQLITE_PASS_ONLY
def test_ctrl_c_mid_run_stops_every_server_and_removes_the_work_dir():
    bench = subprocess.Popen(
        [sys.executable, str(BENCH / "front.py"), "--quick", "--redis-url", "none"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    work_dir, seen = None, []
    try:
        for line in bench.stderr:  # progress lines; wrk's first load means pnyx serve and nginx both run
            seen.append(line)
            if match := re.search(r"working in (\S+)", line):
                work_dir = match.group(1)
            if "load:" in line:
                break
        assert work_dir and _processes_using(work_dir), "".join(seen)
        bench.send_signal(signal.SIGINT)
        bench.communicate(timeout=90)
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
    assert bench.returncode != 0
    deadline = time.monotonic() + 10
    while _processes_using(work_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_using(work_dir)
    assert not Path(work_dir).exists()


def _processes_using(work_dir: str) -> list[int]:
    """Processes whose command line or environment names ``work_dir`` (pnyx serve's data dir, nginx's prefix)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            except OSError:
                continue
            if work_dir.encode() in seen:
                pids.append(int(entry.name))
    return pids


@NEEDS_TOOLS
@SQLITE_PASS_ONLY
def test_the_ceiling_row_serves_the_bytes_nginx_serves_and_stops_with_the_bench():
    """The ceiling is a bare WSGI callable under granian, as pnyx serve runs it, answering with the very
    page nginx serves: a load on it measures the server, nothing else."""
    import argparse
    import contextlib
    import tempfile
    import urllib.request

    front = _front()
    pages = {"seed": b"<!doctype html><title>seed</title>" + b"x" * 5000, "thousand": b"<p>thousand</p>" * 100}
    # Where the bench works: nginx's workers (an unprivileged user) cannot enter pytest's own tmp_path.
    with tempfile.TemporaryDirectory(prefix="pnyx-front-") as tmp, contextlib.ExitStack() as stack:
        bench = front.Bench(argparse.Namespace(), Path(tmp), stack)
        nginx = bench.nginx(pages)
        server, bare = bench.bare_granian(Path(tmp) / "nginx-html")
        for name, body in pages.items():
            for base in (nginx, bare):
                with urllib.request.urlopen(f"{base}/{name}.html", timeout=10) as response:
                    assert response.read() == body
        assert len(server.workers()) == 2
    assert server.popen.poll() is not None
