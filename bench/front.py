"""The serving table of issue 14 in one command: what ``pnyx serve`` as shipped does, beside nginx.

Why: a post page is the same HTML for every reader, so it can be answered from a cache at close to a
static server's speed (shared/MEASURED.md). This bench says how close ``pnyx serve`` is, whatever
it ships (today Django renders every request; a cache-first front answers hits before Django), and
what the other costs of the design are: the cold render behind a miss, the comment POST, how long an
approved comment takes to show on another server, and the memory per worker. Beside nginx it measures
the server's own ceiling: a bare WSGI callable under granian answering with the same bytes. Targets are
printed beside the figures and a miss is shown as a miss.

It works in a throwaway directory (SQLite data dir, nginx's config and files) and a PostgreSQL
database it creates and drops, starts every server itself on loopback and stops each one on success,
failure, Ctrl-C and SIGTERM; nothing is written into the repository. Progress goes to stderr, the
table (or ``--json``) to stdout. About three minutes with the defaults on two cores:

    python bench/front.py
    python bench/front.py --quick            # 1 s loads, for checking the bench itself (~1 minute)
    python bench/front.py --json --database-url postgres://postgres@127.0.0.1:5432/pnyx_bench_2

Needs wrk and nginx (run as root it installs Debian's ``nginx-light`` and ``wrk``); PostgreSQL and
Redis are optional, their rows are skipped with one line each when unreachable.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

sys.dont_write_bytecode = True  # importing serve.py below must leave no __pycache__ in the repository
from serve import (  # noqa: E402 (the line above must run first)
    TICKS,
    free_port,
    machine_busy_ticks,
    run_checked,
    tree_pids,
    wait_until_up,
    wrk_figures,
    wrk_output,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pnyx_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WRK_THREADS = 2
PAGE_LABELS = {"seed": "seed-like post", "thousand": "1,000-comment post"}
COLD_LIMITS_MS = {"seed": 3, "thousand": 100}  # issue 14's targets for a cold render of each page
# How long a comment POST row waits for the task worker to finish the mails earlier loads queued.
DRAIN_SECONDS = 120

# Run inside ``pnyx shell`` on a migrated database: the posts, the users and a reader's session.
# Comments enter through CommentBatch, as the demo's do; every fifth starts a thread, the others answer
# its first comment or the comment before, so the page has the nesting a real thread has.
SETUP_SCRIPT = """
import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.posting import CommentBatch

password = PASSWORD
User = get_user_model()
editor, _ = User.objects.get_or_create(username="editor", defaults={"first_name": "Sam", "last_name": "Editor"})
paragraph = (
    "A thread under an essay stays put: it is read long after it is written, and a good reply can change "
    "how the next hundred readers see the piece. That only works if the page stays quick to load. "
)


def make_post(slug, title, approved, held=0):
    start = timezone.now() - timedelta(days=2)
    with transaction.atomic():
        post = Post.objects.create(
            title=title,
            slug=slug,
            standfirst="Written for the serving benchmark, shaped like the demo's posts.",
            body="\\n\\n".join(paragraph * 2 for _ in range(4)),
            author=editor,
            status=Post.Status.PUBLISHED,
            published_at=start,
        )
        thread = Thread.objects.for_post(post)
        batch = CommentBatch()
        made, first = [], None
        for i in range(approved + held):
            parent = None if i % 5 == 0 or i >= approved else (made[-1] if i % 5 == 2 else first)
            comment = Comment(
                thread=thread,
                parent=parent,
                author_name=f"Reader {i % 37}",
                author_email=f"reader{i % 37}@example.org",
                body=f"Comment {i}. I see it differently, and here is *why*: " + "the argument needs a reply. " * 3,
                status=Comment.Status.APPROVED if i < approved else Comment.Status.PENDING,
                status_reason="bench",
                created_at=start + timedelta(minutes=i),
            )
            batch.add(comment)
            made.append(comment)
            first = comment if parent is None else first
        batch.finish()
    thread.refresh_from_db()
    return {
        "url": post.get_absolute_url(),
        "thread": thread.pk,
        "count": thread.comment_count,
        "held": [c.pk for c in made[approved:]],
    }


result = {
    "seed": make_post("bench-seed-like", "A seed-like post", 8),
    "thousand": make_post("bench-thousand-comments", "A thousand comments", 1000),
    "target": make_post("bench-post-target", "Comments are posted here", 8),
    "fresh": make_post("bench-freshness", "A comment is approved here", 8, held=1),
}
User.objects.create_user("bench-reader", "bench-reader@example.org", password)
User.objects.create_superuser("bench-moderator", "bench-moderator@example.org", password)
reader = Client()
assert reader.login(username="bench-reader", password=password)
result["session"] = [settings.SESSION_COOKIE_NAME, reader.cookies[settings.SESSION_COOKIE_NAME].value]
print(json.dumps(result))
"""

# Run inside ``pnyx shell``: notifications on (the moderator and the writer have addresses) or off (none
# has), and how many mails the outbox holds so far.
NOTIFY_SCRIPT = """
import json

from django.contrib.auth import get_user_model

from pnyx.outbox.models import Email

on = ON
for username in ("bench-moderator", "editor"):
    get_user_model().objects.filter(username=username).update(email=f"{username}@example.org" if on else "")
print(json.dumps({"mails": Email.objects.count()}))
"""

# Run inside ``pnyx shell``: each page rendered through Django's own WSGI handler, as the front hands it a
# miss (the test client would skip what a real request pays, such as the database connection's handling at
# the request's end), every Django cache cleared before each request, so each figure is a render from the
# database (the first request, which imports and compiles, is not counted).
COLD_SCRIPT = """
import io
import json
import statistics
import time

from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler

handler = WSGIHandler()


def get(url):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": "", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
    }
    status = []
    body = b"".join(handler(environ, lambda s, headers, exc_info=None: status.append(s)))
    assert status[0].startswith("200"), status
    return body


result = {}
for name, url in URLS.items():
    get(url)
    times = []
    for _ in range(REPEAT):
        for cache in caches.all():
            cache.clear()
        start = time.perf_counter()
        get(url)
        times.append((time.perf_counter() - start) * 1000)
    result[name] = statistics.median(times)
print(json.dumps(result))
"""

# wrk's script for the comment POST. Every request carries a new body, address and client address (the same text
# from the same address within ten minutes is refused as a duplicate); a 302 is a comment taken, any
# other status is counted by code and reported.
POST_LUA = """
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tid * 7919)
  run = os.time() .. "x" .. math.random(1000000000)
  n = 0
  taken = 0
  codes = {}
  form_headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
  }
end

function request()
  n = n + 1
  local who = run .. "-" .. tid .. "-" .. n
  local body = "comment=Comment+" .. who .. "%3A+a+reply+of+ordinary+length+to+the+post+above."
    .. "&author=Bench+reader+" .. who
    .. "&email=bench-" .. who .. "%40example.org&url=&js=1"
  form_headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", nil, form_headers, body)
end

function response(status, headers, body)
  if status == 302 then
    taken = taken + 1
  else
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_taken = 0
  local others = {}
  for _, thread in ipairs(threads) do
    total_taken = total_taken + thread:get("taken")
    for code, count in pairs(thread:get("codes")) do
      others[code] = (others[code] or 0) + count
    end
  end
  io.write(string.format("lua: taken %d\\n", total_taken))
  for code, count in pairs(others) do
    io.write(string.format("lua: status %d %d\\n", code, count))
  end
end
"""

# The ceiling of the server pnyx runs under: a bare WSGI callable under granian, as ``pnyx serve`` starts it
# (2 workers, 1 thread), answering with the same saved bytes nginx serves. No Python front can be faster.
BARE_WSGI = """
from pathlib import Path

PAGES = {"/" + page.name: page.read_bytes() for page in Path(ROOT).glob("*.html")}


def application(environ, start_response):
    page = PAGES[environ["PATH_INFO"]]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))])
    return [page]
"""

NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types {{ text/html html; }}
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


@dataclass
class Row:
    """One line of the table; ``value`` is in ``unit``, None when it could not be measured."""

    measure: str
    value: float | None
    unit: str
    p50_ms: float | None = None
    p99_ms: float | None = None
    nginx_rps: float | None = None
    nginx_p99_ms: float | None = None
    other_cpu: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.nginx_rps if self.value is not None and self.nginx_rps else None

    @classmethod
    def beside_nginx(cls, measure: str, load: "Load", nginx: "Load", *also: "Load", note: str) -> "Row":
        """A load's row beside nginx's load of the same page; ``also``: other loads whose other CPU counts."""
        other_cpu = max(run.other_cpu for run in (load, nginx, *also))
        note = failures(load) or note
        return cls(measure, load.rps, "req/s", load.p50_ms, load.p99_ms, nginx.rps, nginx.p99_ms, other_cpu, note=note)


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    other_cpu: float  # % of the machine taken by processes other than the servers, wrk, this script, PostgreSQL, Redis
    output: str
    duration: int
    cpu_ticks: dict[str, int]  # clock ticks each kind of process took during the run (``cpu_by_kind``)


STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f}s] {message}", file=sys.stderr, flush=True)


class Process:
    """A server this bench started in its own process group, so that it and its children stop together.

    In the bench's session, not one of its own: Linux's autogroup (``/proc/sys/kernel/sched_autogroup_enabled``)
    schedules each session as one group, and a server in a session apart from wrk's got CPU as a group
    against wrk's group rather than thread by thread. That cost ``pnyx serve`` a fifth of its requests on
    the seed-like page (its Python thread slept between requests 40,000 times in 5 s instead of a few
    hundred) and nginx and the bare callable nothing (2026-11-24 22:50); ``own_session`` starts one that
    way, for the row that shows it.
    """

    def __init__(
        self, cmd: list[str], env: dict[str, str], log: Path, stop_signal: int, own_session: bool = False
    ) -> None:
        self.log, self.stop_signal = log, stop_signal
        apart = {"start_new_session": True} if own_session else {"process_group": 0}
        with log.open("w") as out:
            self.popen = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, **apart)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def workers(self) -> list[int]:
        """The worker processes: the direct children of the server's main process."""
        return [pid for pid in tree_pids(self.pid) if _parent(pid) == self.pid]

    def stop(self) -> None:
        """The server's graceful stop, then SIGKILL to whatever is left of its process group."""
        if self.popen.poll() is None:
            self.popen.send_signal(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait()


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident set so far (VmHWM: the kernel keeps the high-water mark itself)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def _is_task_worker(pid: int) -> bool:
    """The task worker ``pnyx serve`` starts beside its web workers (``python -m pnyx.cli worker``)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:4] == [b"-m", b"pnyx.cli", b"worker"]
    except OSError:
        return False


def cpu_by_kind(servers: list[Process]) -> dict[str, int]:
    """Clock ticks used so far by what a comment POST costs, by kind: the web workers (every process of the
    servers' trees but the task worker), the task worker, the database server and Redis (every process of
    either on this machine: the bench's are the only ones busy). One pass over /proc."""
    kinds = {"web": 0, "task worker": 0, "PostgreSQL": 0, "Redis": 0}
    mine = {pid for server in servers for pid in tree_pids(server.pid)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            stat = entry.joinpath("stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.find("(") + 1 : stat.rfind(")")], stat.rsplit(")", 1)[1].split()
        if pid in mine:
            kind = "task worker" if _is_task_worker(pid) else "web"
        else:
            kind = {"postgres": "PostgreSQL", "redis-server": "Redis"}.get(name)
        if kind is not None:
            kinds[kind] += int(fields[11]) + int(fields[12])
    return kinds


class WorkerRss:
    """The peak RSS of every watched server's workers, read from the kernel as each server stops.

    Nothing samples during the loads: a thread that read /proc every 0.2 s (each worker's status, and
    every process's stat to find them) raised the warm GETs' p99 from 4-5 ms to 15-25 ms.
    """

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self.servers: list[tuple[str, Process]] = []

    def watch(self, label: str, server: Process) -> None:
        self.servers.append((label, server))

    def sample(self) -> None:
        for label, server in list(self.servers):
            for pid in server.workers():
                kind = f"{label}, {'task' if _is_task_worker(pid) else 'web'}"
                self.peaks[kind] = max(self.peaks.get(kind, 0.0), _peak_rss_mib(pid))


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path, stack: contextlib.ExitStack) -> None:
        self.args, self.tmp, self.stack, self.rss = args, tmp, stack, WorkerRss()
        self.pnyx = shutil.which("pnyx") or str(Path(sys.executable).with_name("pnyx"))
        self.running: list[Process] = []
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.password = secrets.token_urlsafe(16)
        self.smtp_port = self.smtp_sink()

    def smtp_sink(self) -> int:
        """aiosmtpd's Sink (accepts every mail, keeps none) on loopback, for the duration of the bench."""
        port = free_port()
        cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
        sink = Process(cmd, os.environ.copy(), self.tmp / "smtp.log", signal.SIGTERM)
        self.stack.callback(sink.stop)  # not in self.running: it outlives each server, and is not pnyx
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return port
            if time.monotonic() > deadline:
                sys.exit(f"the SMTP sink did not start: {(self.tmp / 'smtp.log').read_text()}")
            time.sleep(0.1)

    # -- processes ---------------------------------------------------------------------------------

    def env(self, data_dir: Path, database_url: str = "", redis_url: str = "") -> dict[str, str]:
        drop = {"DATABASE_URL", "REDIS_URL", "PNYX_DEBUG", "PNYX_ALLOWED_HOSTS", "PNYX_HTTPS", "PNYX_PROXY_COUNT"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(PNYX_DATA_DIR=str(data_dir), PYTHONDONTWRITEBYTECODE="1")
        # The POST load is many readers, each from their own address (X-Forwarded-For behind one trusted
        # proxy), so every rule runs as shipped, the rate limits included, except the thread's own: one
        # thread taking hundreds a second is what the load is, and 30 a minute would refuse it. A second's
        # window, as counting a minute's would read thousands of comments where the shipped one reads 30.
        env["PNYX_PROXY_COUNT"] = "1"
        env["PNYX_COMMENT_RATE_LIMITS"] = "5/m/ip,30/h/ip,200/d/ip,3/m/identity,20/h/identity,1000/s/post"
        # Mail goes to a real SMTP server that keeps nothing, and no address hits its hourly limit: with
        # notifications on, every held comment reaches the moderator as in use (the held comments one run
        # of the notice task finds, in one mail), and the mails are sent.
        env.update(PNYX_EMAIL_HOST="127.0.0.1", PNYX_EMAIL_PORT=str(self.smtp_port), PNYX_EMAIL_HOURLY_LIMIT="10000")
        if database_url:
            env["DATABASE_URL"] = database_url
        if redis_url:
            env["REDIS_URL"] = redis_url
        return env

    def start(self, process: Process) -> Process:
        self.running.append(process)
        self.stack.callback(self._stop, process)
        return process

    def _stop(self, process: Process) -> None:
        if process in self.running:
            self.rss.sample()  # its workers' peaks, before they go
            self.running.remove(process)
            process.stop()

    def serve(self, label: str, env: dict[str, str], *, own_session: bool = False) -> tuple[Process, str]:
        """``pnyx serve`` with its shipped defaults (only the port chosen); returns it and its base URL."""
        port = free_port()
        log = self.tmp / f"serve-{label}.log"
        cmd = [self.pnyx, "serve", "--port", str(port)]
        server = self.start(Process(cmd, env, log, signal.SIGINT, own_session=own_session))
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/", server.popen, log)
        if not own_session:  # the one server in a session apart serves one row, and keeps no peak
            self.rss.watch(label, server)
        say(f"  pnyx serve ({label}) up at {base}, workers {server.workers()}")
        return server, base

    def nginx(self, pages: dict[str, bytes]) -> str:
        """nginx (2 workers) serving saved copies of ``pages``; returns its base URL."""
        root = self.tmp / "nginx-html"
        root.mkdir()
        root.chmod(0o755)  # nginx's workers run as an unprivileged user when the bench runs as root
        self.tmp.chmod(0o711)
        for name, body in pages.items():
            (root / f"{name}.html").write_bytes(body)
            (root / f"{name}.html").chmod(0o644)
        port = free_port()
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=port, root=root))
        error_log = self.tmp / "nginx-error.log"
        cmd = ["nginx", "-p", str(self.tmp), "-c", str(conf), "-e", str(error_log), "-g", "daemon off;"]
        nginx = self.start(Process(cmd, os.environ.copy(), self.tmp / "nginx.log", signal.SIGQUIT))
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/{next(iter(pages))}.html", nginx.popen, nginx.log)
        return base

    def bare_granian(self, root: Path) -> tuple[Process, str]:
        """granian with ``pnyx serve``'s settings running ``BARE_WSGI`` over the saved pages in ``root``."""
        app = self.tmp / "bare"
        app.mkdir()
        (app / "bare_wsgi.py").write_text(BARE_WSGI.replace("ROOT", repr(str(root))))
        port = free_port()
        granian = str(Path(self.pnyx).with_name("granian"))
        cmd = [granian, "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1", "--port", str(port)]
        cmd += ["--working-dir", str(app), "bare_wsgi:application"]
        server = self.start(Process(cmd, os.environ.copy(), self.tmp / "bare.log", signal.SIGINT))
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/seed.html", server.popen, server.log)
        return server, base

    def shell(self, script: str, env: dict[str, str]) -> dict:
        """Run ``script`` in ``pnyx shell``; its last line of output is JSON."""
        return json.loads(run_checked([self.pnyx, "shell", "--no-imports", "-c", script], env).splitlines()[-1])

    # -- loads -------------------------------------------------------------------------------------

    def load(self, url: str, connections: int, *, duration: int, extra: tuple[str, ...] = ()) -> Load:
        """Warm up, then one measured wrk run; also how much CPU other processes took meanwhile."""
        if self.args.warmup:
            wrk_output(url, duration=self.args.warmup, connections=connections, threads=WRK_THREADS, extra=extra)
            self.settle()
        before = cpu_by_kind(self.running)  # the servers, PostgreSQL and Redis
        busy, mine, started = machine_busy_ticks(), os.times(), time.monotonic()
        out = wrk_output(url, duration=duration, connections=connections, threads=WRK_THREADS, extra=extra)
        now = os.times()
        kinds = {kind: ticks - before[kind] for kind, ticks in cpu_by_kind(self.running).items()}
        ours = (now.user + now.system + now.children_user + now.children_system) - (
            mine.user + mine.system + mine.children_user + mine.children_system
        )
        elapsed = time.monotonic() - started
        other = machine_busy_ticks() - busy - sum(kinds.values()) - ours * TICKS
        other_pct = min(100.0, max(0.0, 100 * other / (TICKS * elapsed * (os.cpu_count() or 1))))
        rps, p50, p99, errors = wrk_figures(out)
        self.settle()
        return Load(rps, p50, p99, errors, other_pct, out, duration, kinds)

    def _servers_cpu(self) -> int:
        """Clock ticks the servers' processes used so far: web workers and task workers (``cpu_by_kind``)."""
        kinds = cpu_by_kind(self.running)
        return kinds["web"] + kinds["task worker"]

    def settle(self, limit: float = 15.0) -> bool:
        """Wait until the servers have finished the requests wrk left queued, so the next run starts on an
        idle server (a 1,000-comment page at c=32 leaves seconds of rendering behind); False if they were
        still busy after ``limit`` seconds."""
        deadline = time.monotonic() + limit
        before = self._servers_cpu()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self._servers_cpu()
            if now - before <= 0.02 * TICKS:
                return True
            before = now
        return False

    # -- the table -----------------------------------------------------------------------------------

    def run(self) -> None:
        sqlite_dir = self.tmp / "data"
        env = self.env(sqlite_dir)
        say("setting up SQLite: migrate, posts, users ...")
        run_checked([self.pnyx, "migrate", "--no-input", "-v0"], env)
        seeded = self.shell(SETUP_SCRIPT.replace("PASSWORD", repr(self.password)), env)
        server, base = self.serve("SQLite", env)
        pages = {name: self.fetch(base + seeded[name]["url"]) for name in PAGE_LABELS}
        say(f"  pages: seed-like {len(pages['seed']):,} bytes, 1,000 comments {len(pages['thousand']):,} bytes")
        nginx = self.nginx(pages)
        ceiling, bare = self.bare_granian(self.tmp / "nginx-html")
        static, most = self.warm_rows(base, nginx, bare, seeded, pages)
        self.own_session_row(env, seeded, static)
        self._stop(ceiling)
        self.ceiling_rows(static, most)
        self.cold_rows(seeded, env)
        self.post_rows("SQLite", env, base, seeded["target"]["thread"])
        self.freshness_row("SQLite data dir, in-process caches", env, base, seeded)
        for process in list(self.running):
            self._stop(process)
        self.postgres_rows()
        for label, peak in self.rss.peaks.items():
            server, kind = label.rsplit(", ", 1)
            if not server.endswith(" B"):
                self.rows.append(
                    Row(f"peak RSS per {kind} worker, {server} server", peak, "MiB", target="< 120 MiB", met=peak < 120)
                )

    def fetch(self, url: str, cookie: str = "") -> bytes:
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def warm_rows(self, base: str, nginx: str, bare: str, seeded: dict, pages: dict[str, bytes]) -> tuple[dict, dict]:
        """The warm GET rows; returns nginx's loads and the ceiling's, by page and concurrency. Each page and
        concurrency is loaded on pnyx, nginx and the bare callable (``BARE_WSGI``) back to back, so that a
        machine whose speed drifts over minutes moves a row's figures alike; the signed-in rows reuse the
        anonymous rows' nginx and ceiling loads."""
        name, value = seeded["session"]
        cookie = f"{name}={value}"
        mine = json.loads(self.fetch(f"{base}/comments/mine/?thread={seeded['seed']['thread']}", cookie))
        if (mine.get("identity") or {}).get("kind") != "user":
            sys.exit(f"the reader's session cookie does not sign them in: /comments/mine/ says {mine}")
        signed_in = self.fetch(base + seeded["seed"]["url"], cookie)
        if signed_in != pages["seed"]:
            say("  note: the signed-in reader's page differs from the anonymous one")
        cases = [
            ("seed-like post (8 comments)", "seed", ()),
            ("1,000-comment post", "thousand", ()),
            ("seed-like post, signed-in reader", "seed", ("-H", f"Cookie: {cookie}")),
        ]
        static: dict[tuple[str, int], Load] = {}
        ceiling: dict[tuple[str, int], Load] = {}
        for label, page, extra in cases:
            for connections in self.args.connections:
                say(f"load: {label}, c={connections} ...")
                mine = self.load(base + seeded[page]["url"], connections, duration=self.args.duration, extra=extra)
                if (page, connections) not in static:
                    static[(page, connections)] = self.load(
                        f"{nginx}/{page}.html", connections, duration=self.args.duration
                    )
                    say(f"load: ceiling, a bare WSGI callable under granian, {PAGE_LABELS[page]}, c={connections} ...")
                    ceiling[(page, connections)] = self.load(
                        f"{bare}/{page}.html", connections, duration=self.args.duration
                    )
                theirs, most = static[(page, connections)], ceiling[(page, connections)]
                share = f"{mine.rps / most.rps:.0%} of the ceiling" if most.rps else ""
                row = Row.beside_nginx(f"warm GET {label}, c={connections}", mine, theirs, most, note=share)
                if connections == 32:
                    row.target = ">= 60% of nginx, p99 < 10 ms"
                    row.met = (row.ratio or 0) >= 0.6 and mine.p99_ms < 10 and not mine.errors
                self.rows.append(row)
        return static, ceiling

    def own_session_row(self, env: dict[str, str], seeded: dict, static: dict[tuple[str, int], Load]) -> None:
        """The seed-like post at c=32 from a second ``pnyx serve`` on the same data, in a session of its own
        (``Process``): as every server ran here until 2026-11-24 23:00, and as a service manager runs it."""
        connections = max(self.args.connections)
        server, base = self.serve("SQLite, own session", env, own_session=True)
        url = base + seeded["seed"]["url"]
        self.fetch(url)
        say(f"load: seed-like post, c={connections}, pnyx serve in a session of its own ...")
        mine, theirs = self.load(url, connections, duration=self.args.duration), static[("seed", connections)]
        self._stop(server)
        measure = f"warm GET seed-like post, c={connections}, pnyx in a session of its own"
        note = "no target: autogroup schedules it apart from wrk (see the README)"
        self.rows.append(Row.beside_nginx(measure, mine, theirs, note=note))

    def ceiling_rows(self, static: dict[tuple[str, int], Load], ceiling: dict[tuple[str, int], Load]) -> None:
        """What the bare callable reached with the same pages (``warm_rows`` loaded it): the most any front
        in Python can under this server, beside nginx's loads of the same rows."""
        for page, label in PAGE_LABELS.items():
            for connections in self.args.connections:
                load, theirs = ceiling[(page, connections)], static[(page, connections)]
                measure = f"ceiling: bare WSGI under granian, {label}, c={connections}"
                self.rows.append(Row.beside_nginx(measure, load, theirs, note="no target: the server's own limit"))

    def cold_rows(self, seeded: dict, env: dict[str, str]) -> None:
        say(f"cold render, median of {self.args.repeat} ...")
        urls = {name: seeded[name]["url"] for name in PAGE_LABELS}
        script = COLD_SCRIPT.replace("URLS", repr(urls)).replace("REPEAT", str(self.args.repeat))
        medians = self.shell(script, {**env, "PNYX_ALLOWED_HOSTS": "testserver"})
        for name, label in PAGE_LABELS.items():
            ms, limit = medians[name], COLD_LIMITS_MS[name]
            self.rows.append(Row(f"cold render, {label}", ms, "ms", target=f"< {limit} ms", met=ms < limit))

    def post_rows(self, database: str, env: dict[str, str], base: str, thread: int) -> None:
        """The comment POST with notifications on (the moderator has an address: the worker mails them each
        held comment, those one notice task finds in one mail), then off (nobody has one): issue 17 wants
        the two the same."""
        for notifications in (True, False):
            mails = self.shell(NOTIFY_SCRIPT.replace("ON", repr(notifications)), env)["mails"]
            self.post_row(database, base, thread, notifications)
            queued = self.shell(NOTIFY_SCRIPT.replace("ON", repr(notifications)), env)["mails"] - mails
            self.rows[-1].note += f"; {queued} mails written"

    def post_row(self, database: str, base: str, thread: int, notifications: bool) -> None:
        connections = self.args.post_connections
        state = "on" if notifications else "off"
        # The task worker may still be writing and sending the previous row's mails (it runs at a lower
        # priority, so a load leaves a backlog): each row starts once they are done, or says it did not.
        say(f"  waiting for the task worker to finish what earlier loads queued (at most {DRAIN_SECONDS} s) ...")
        drained = self.settle(limit=DRAIN_SECONDS)
        say(f"load: comment POST on {database}, notifications {state}, c={connections} ...")
        script = self.tmp / "post.lua"
        script.write_text(POST_LUA)
        url = f"{base}/comments/thread/{thread}/"
        load = self.load(url, connections, duration=self.args.duration, extra=("-s", str(script)))
        taken, refused = post_outcomes(load.output)
        total = taken + sum(refused.values())
        rate = load.rps * taken / total if total else 0.0
        problems = [f"{n} answered {code}" for code, n in sorted(refused.items())] + [failures(load)]
        problems.append("" if drained else f"the task worker was still busy after {DRAIN_SECONDS} s")
        note = ", ".join(problem for problem in problems if problem)
        # What each comment cost, and where: the figure a missed rate is explained by.
        per_comment = {kind: ticks / TICKS * 1000 / taken for kind, ticks in load.cpu_ticks.items() if taken}
        costs = ", ".join(f"{kind} {ms:.1f}" for kind, ms in per_comment.items() if ms >= 0.05)
        self.rows.append(
            Row(
                f"comment POST, {database}, notifications {state}, c={connections}",
                rate,
                "taken/s",
                load.p50_ms,
                load.p99_ms,
                other_cpu=load.other_cpu,
                target=">= 300/s, p99 < 100 ms",
                met=rate >= 300 and load.p99_ms < 100 and not refused and not load.errors,
                note=(note or f"{taken} taken, all 302") + (f"; CPU ms per comment: {costs}" if costs else ""),
            )
        )

    def freshness_row(self, label: str, env: dict[str, str], base: str, seeded: dict) -> None:
        """A second server on the same database and cache; approve a held comment through the first
        (the admin's action, signed in as staff) and time how long until the second shows it."""
        say(f"freshness: {label} ...")
        other = self.serve(f"{label.split(' ')[0]} B", env)[1]
        fresh = seeded["fresh"]
        page, comment = fresh["url"], fresh["held"][0]
        for _ in range(10):  # both servers, both workers, have rendered (and may keep) the page
            for server in (base, other):
                self.fetch(server + page)
        if f'id="comment-{comment}"' in self.fetch(other + page).decode():
            sys.exit("the held comment shows before it was approved: the bench's data is wrong")
        moderator = staff_session(base, "bench-moderator", self.password)
        approved_at = approve(moderator, base, comment)
        delay = shows(other + page, comment, fresh["count"] + 1, timeout=self.args.freshness_timeout)
        ms = None if delay is None else (delay - approved_at) * 1000
        self.rows.append(
            Row(
                f"freshness, {label}",
                ms,
                "ms",
                target="< 1000 ms",
                met=ms is not None and ms < 1000,
                note="" if ms is not None else f"not shown within {self.args.freshness_timeout:.0f} s",
            )
        )

    def postgres_rows(self) -> None:
        with postgres_database(self.args.database_url) as (database_url, problem):
            if problem:
                self.notes.append(f"PostgreSQL rows skipped: {problem}")
                return
            redis_url, redis_problem = usable_redis(self.args.redis_url)
            env = self.env(self.tmp / "data-pg", database_url, redis_url)
            say("setting up PostgreSQL: migrate, posts, users ...")
            run_checked([self.pnyx, "migrate", "--no-input", "-v0"], env)
            seeded = self.shell(SETUP_SCRIPT.replace("PASSWORD", repr(self.password)), env)
            if redis_url:
                self.stack.callback(flush_redis, redis_url)
            label = "PostgreSQL + Redis" if redis_url else "PostgreSQL"
            _, base = self.serve(label, env)
            self.post_rows(label, env, base, seeded["target"]["thread"])
            if redis_url:
                self.freshness_row("PostgreSQL + Redis, two servers", env, base, seeded)
            else:
                self.notes.append(f"freshness on PostgreSQL + Redis skipped: {redis_problem}")
            for process in list(self.running):
                self._stop(process)


def failures(load: Load) -> str:
    """What the table says about requests that did not complete well, if any."""
    if load.rps == 0:
        return f"no request completed within {load.duration} s"
    return f"{load.errors} failed requests (timeouts, errors)" if load.errors else ""


def post_outcomes(output: str) -> tuple[int, dict[int, int]]:
    """(comments taken, {other status: count}) from the POST script's lines in wrk's output."""
    taken = re.search(r"^lua: taken (\d+)$", output, re.MULTILINE)
    if taken is None:
        sys.exit(f"the POST script reported nothing:\n{output}")
    others = {int(code): int(n) for code, n in re.findall(r"^lua: status (\d+) (\d+)$", output, re.MULTILINE)}
    return int(taken.group(1)), others


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _call(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def staff_session(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """A browser-like client signed in through the admin's own login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    _call(opener, f"{base}/admin/login/")
    form = {"username": username, "password": password, "next": "/admin/", "csrfmiddlewaretoken": _csrf(jar)}
    status, body = _call(opener, f"{base}/admin/login/", form)
    if status != 302:
        sys.exit(f"signing in to the admin answered {status}:\n{body[:2000]}")
    return opener


def _csrf(jar: http.cookiejar.CookieJar) -> str:
    return next((cookie.value or "" for cookie in jar if cookie.name == "csrftoken"), "")


def approve(opener: urllib.request.OpenerDirector, base: str, comment: int) -> float:
    """Approve ``comment`` with the admin's action; returns when the answer (the write done) came."""
    jar = next(h.cookiejar for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    form = {"action": "approve", "_selected_action": str(comment), "index": "0", "csrfmiddlewaretoken": _csrf(jar)}
    status, body = _call(opener, f"{base}/admin/discussion/comment/", form)
    done = time.monotonic()
    if status != 302:
        sys.exit(f"the admin's approve action answered {status}:\n{body[:2000]}")
    return done


def shows(url: str, comment: int, count: int, *, timeout: float, streak: int = 10) -> float | None:
    """When ``url`` started showing ``comment`` and ``count`` for good: the time of the first of ``streak``
    polls in a row that all show them (each poll a new connection, so every worker gets asked)."""
    deadline, first, seen = time.monotonic() + timeout, None, 0
    heading = re.compile(rf"\b{count} thoughts on")
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        now = time.monotonic()
        if f'id="comment-{comment}"' in page and heading.search(page):
            first, seen = first or now, seen + 1
            if seen >= streak:
                return first
        else:
            first, seen = None, 0
        time.sleep(0.01)
    return None


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[tuple[str, str]]:
    """Create the database ``url`` names (refusing one that exists: it may hold someone's data), yield
    (url, "") or ("", why not), and drop it afterwards."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        yield "", f"--database-url {url} names no database"
        return
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres", query=""))  # the query: pnyx's options
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        yield "", f"unreachable at {_without_password(url)} ({str(error).strip().splitlines()[0]})"
        return
    if exists:
        yield "", f"database {name} already exists (drop it, or pass another --database-url)"
        return
    try:
        yield url, ""
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def usable_redis(url: str) -> tuple[str, str]:
    """(url, "") when Redis answers there and that database is empty (the bench flushes it at the end,
    so it must hold nobody else's keys), else ("", why not)."""
    if url in ("", "none"):
        return "", "no --redis-url"
    import redis

    try:
        keys = redis.Redis.from_url(url, socket_timeout=2).dbsize()
    except redis.RedisError as error:
        return "", f"Redis unreachable at {_without_password(url)} ({error})"
    if keys:
        return "", f"Redis database {url} holds {keys} keys (pass --redis-url with an empty database)"
    return url, ""


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=2).flushdb()


def ensure_tools() -> None:
    """wrk and nginx, installed from Debian when the bench runs as root, else one line saying what to do."""
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if not missing:
        return
    packages = ["nginx-light" if tool == "nginx" else tool for tool in missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(f"{', '.join(missing)} not installed; install with: sudo apt-get install -y {' '.join(packages)}")
    say(f"installing {' '.join(packages)} ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=True, stdout=subprocess.DEVNULL)


def cpu_model() -> str:
    match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return match.group(1).strip() if match else platform.machine()


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 1000 else f"{value:.{digits}f}"


def table(rows: list[Row], header: str) -> str:
    columns = ["measure", "pnyx", "p50 ms", "p99 ms", "nginx req/s", "nginx p99", "pnyx/nginx", "other CPU", "target"]
    lines = [
        [
            row.measure,
            f"{_fmt(row.value)} {row.unit}" if row.value is not None else "-",
            _fmt(row.p50_ms, 2),
            _fmt(row.p99_ms, 2),
            _fmt(row.nginx_rps),
            _fmt(row.nginx_p99_ms, 2),
            f"{row.ratio:.0%}" if row.ratio is not None else "",
            f"{row.other_cpu:.0f}%" if row.other_cpu is not None else "",
            (f"{row.target}: {'met' if row.met else 'MISSED'}" if row.target else "")
            + (f" ({row.note})" if row.note else ""),
        ]
        for row in rows
    ]
    widths = [max(len(c), *(len(line[i]) for line in lines)) for i, c in enumerate(columns)]
    right = {1, 2, 3, 4, 5, 6, 7}

    def render(cells: list[str]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded)

    return "\n".join([header, render(columns), *(render(line).rstrip() for line in lines)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of each measured wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load before each (default 1)")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32], help="GET concurrencies (8 32)")
    parser.add_argument("--post-connections", type=int, default=8, help="concurrency of the comment POST (8)")
    parser.add_argument("--repeat", type=int, default=15, help="cold renders per page; the median is kept (15)")
    parser.add_argument("--freshness-timeout", type=float, default=5.0, help="seconds to wait for the comment (5)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL database to create and drop")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="an empty Redis database, or none")
    parser.add_argument("--quick", action="store_true", help="1 s loads, no warm-up, 3 cold renders")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.repeat = 1, 0, 3

    ensure_tools()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so every server started is stopped
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="pnyx-front-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        say(f"working in {tmp}")
        bench = Bench(args, Path(tmp), stack)
        bench.run()
    elapsed = time.monotonic() - started
    shares = [row.other_cpu for row in bench.rows if row.other_cpu is not None]
    header = (
        f"pnyx front bench, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} x {cpu_model()}, took {elapsed:.0f} s; "
        f"pnyx serve as shipped (2 workers, 1 thread); wrk -t{WRK_THREADS} -d{args.duration}s after "
        f"{args.warmup}s warm-up; other processes took {statistics.mean(shares or [0]):.0f}% of the CPU during loads"
    )
    if shares and max(shares) > 10:
        bench.notes.append(
            "Warning: other processes took over 10% of the CPU during some loads (column other CPU); "
            "rerun on a quiet machine before trusting close figures."
        )
    if args.json:
        rows = [{**asdict(row), "ratio": row.ratio} for row in bench.rows]
        print(json.dumps({"header": header, "rows": rows, "notes": bench.notes}, indent=2))
    else:
        print(table(bench.rows, header))
        for line in bench.notes:
            print(line)


if __name__ == "__main__":
    main()
