"""What ``pnyx serve`` does on real pnyx pages, for each workers × threads setting, on this machine.

Why: ``pnyx serve --threads`` (granian's blocking threads per worker) defaults to 1 because a Django
app doing real work per request ran faster and leaner that way than with granian's default of up to
256 threads (shared/MEASURED.md), but that was measured on another project. This bench measures pnyx
itself, so the default is chosen from our own figures.

It builds a throwaway data dir (SQLite, locmem cache), loads ``pnyx demo`` and one post with 200
approved comments, then for each configuration starts ``pnyx serve`` on 127.0.0.1, warms it up, loads
the home page and the 200-comment post with wrk, and prints req/s, p50/p99 latency, the summed RSS of
the server's process tree (peak seen during the run), the server's CPU time per request, and how much
of the CPU other processes took meanwhile (a shared machine skews req/s; CPU ms/req much less). Each
configuration runs ``--rounds`` times and the best round is kept. Nothing is written into the repository.

Run it from the repository's virtualenv (needs ``wrk``: ``apt-get install -y wrk``), about 3 minutes:

    python bench/serve.py
    python bench/serve.py --duration 4 --connections 32 --configs 2x1,2x4
    python bench/serve.py --database-url postgres://user:pass@localhost/pnyx_bench  # writes demo data there
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

POST_SLUG = "bench-two-hundred-comments"
COMMENTS = 200

# Run inside ``pnyx shell``: one published post and 200 approved comments in threads (every fifth
# comment starts a thread; the others answer the previous comment or the thread's first one).
SEED_SCRIPT = f"""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.posting import CommentBatch

start = timezone.now() - timedelta(days=1)
paragraph = (
    "A thread this long is where a blog's comment system earns its keep: every reply has to land "
    "under the comment it answers, and the page has to stay quick to render. "
)
post = Post.objects.create(
    title="Two hundred comments",
    slug="{POST_SLUG}",
    standfirst="A busy thread, generated for the serving benchmark.",
    body="\\n\\n".join(paragraph * 3 for _ in range(6)),
    author=get_user_model().objects.get(username="editor"),
    status=Post.Status.PUBLISHED,
    published_at=start,
)
thread = Thread.objects.for_post(post)
batch = CommentBatch()
comments = []
thread_start = None
for i in range({COMMENTS}):
    if i % 5 == 0:
        parent = None
    elif i % 2:
        parent = comments[-1]
    else:
        parent = thread_start
    comment = Comment(
        thread=thread,
        parent=parent,
        author_name=f"Reader {{i % 37}}",
        author_email=f"reader{{i % 37}}@example.org",
        body=f"Comment {{i}}. " + "I see it differently, and here is *why*: " * (1 + i % 4),
        status=Comment.Status.APPROVED,
        status_reason="bench",
        created_at=start + timedelta(minutes=i),
    )
    batch.add(comment)
    comments.append(comment)
    if parent is None:
        thread_start = comment
batch.finish()
thread.refresh_from_db()
print(f"{{thread.comment_count}} approved comments on {{post.get_absolute_url()}}")
"""

TICKS = os.sysconf("SC_CLK_TCK")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Config:
    workers: int
    threads: int

    @property
    def label(self) -> str:
        return f"w{self.workers} t{self.threads}"


@dataclass(frozen=True)
class Figures:
    config: Config
    page: str
    rps: float
    p50_ms: float
    p99_ms: float
    rss_mib: float
    errors: int
    cpu_ms_per_req: float  # server CPU time per request: its cost, whatever else runs on the machine
    other_cpu: float  # % of the machine's CPU used by processes other than the server, wrk and this script


def parse_configs(text: str) -> list[Config]:
    """``2x1,2x4`` -> workers 2 threads 1, workers 2 threads 4."""
    configs = []
    for item in text.split(","):
        workers, _, threads = item.strip().partition("x")
        configs.append(Config(int(workers), int(threads)))
    return configs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_checked(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces): field 3 (state) is index 0."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants (granian's main process and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except OSError:
                continue
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def tree_rss_kib(root: int) -> int:
    """Summed VmRSS of the process tree (shared pages count once per process)."""
    total = 0
    for pid in tree_pids(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(match.group(1)) if match else 0
    return total


def tree_cpu_ticks(root: int) -> int:
    """User plus system clock ticks used so far by the process tree."""
    total = 0
    for pid in tree_pids(root):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def machine_busy_ticks() -> int:
    """Clock ticks all CPUs have spent not idle since boot (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq + steal


class PeakRss:
    """Samples the server tree's RSS in the background while a load runs; ``peak`` is the highest seen."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root, self.interval, self.peak = root, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_kib(self.root))
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_kib(self.root))


def wrk(url: str, *, duration: int, connections: int, threads: int) -> tuple[float, float, float, int]:
    """One bounded wrk run: (req/s, p50 ms, p99 ms, failed requests: socket errors plus non-2xx/3xx)."""
    return wrk_figures(wrk_output(url, duration=duration, connections=connections, threads=threads))


def wrk_output(url: str, *, duration: int, connections: int, threads: int, extra: tuple[str, ...] = ()) -> str:
    """wrk's report of one bounded run (``extra``: more options, e.g. a Lua script or a header)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", *extra, url]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def wrk_figures(out: str) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p99 ms, failed requests) read from wrk's report."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        if not match:
            sys.exit(f"could not read the p{percent} latency from wrk's output:\n{out}")
        return float(match.group(1)) * _UNITS_MS[match.group(2)]

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    if not rps:
        sys.exit(f"could not read req/s from wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return float(rps.group(1)), latency("50"), latency("99"), errors


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"pnyx serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit(f"pnyx serve did not answer {url} within {timeout:.0f}s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    """SIGINT (granian's graceful shutdown), then wait; kill the whole session if it hangs."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def bench_config(
    pnyx: str, config: Config, pages: dict[str, str], env: dict[str, str], data_dir: Path, args: argparse.Namespace
) -> tuple[list[Figures], str]:
    """Serve with ``config``, load each page; returns the figures and the server's log."""
    port = free_port()
    log = data_dir / f"serve-{config.workers}x{config.threads}.log"
    cmd = [pnyx, "serve", "--port", str(port), "--workers", str(config.workers), "--threads", str(config.threads)]
    with log.open("w") as out:
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    figures = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/", server, log)
        for page, path in pages.items():
            wrk(base + path, duration=args.warmup, connections=args.connections, threads=args.wrk_threads)
            busy, served, mine, started = machine_busy_ticks(), tree_cpu_ticks(server.pid), os.times(), time.monotonic()
            with PeakRss(server.pid) as rss:
                rps, p50, p99, errors = wrk(
                    base + path, duration=args.duration, connections=args.connections, threads=args.wrk_threads
                )
            now = os.times()
            ours = (now.user + now.system + now.children_user + now.children_system) - (
                mine.user + mine.system + mine.children_user + mine.children_system
            )
            elapsed, served = time.monotonic() - started, tree_cpu_ticks(server.pid) - served
            other = machine_busy_ticks() - busy - served - ours * TICKS
            other_pct = max(0.0, 100 * other / (TICKS * elapsed * (os.cpu_count() or 1)))
            cpu_ms = 1000 * served / TICKS / max(1.0, rps * elapsed)
            figures.append(Figures(config, page, rps, p50, p99, rss.peak / 1024, errors, cpu_ms, other_pct))
    finally:
        stop(server)
    return figures, log.read_text()


def recommend(figures: list[Figures], workers: int, margin: float = 0.03) -> str:
    """The smallest thread count whose req/s, relative to each page's best, is within ``margin`` of the top."""
    rows = [f for f in figures if f.config.workers == workers]
    pages = sorted({f.page for f in rows})
    best = {page: max(f.rps for f in rows if f.page == page) for page in pages}
    score: dict[int, float] = {}
    for threads in sorted({f.config.threads for f in rows}):
        mine = [f for f in rows if f.config.threads == threads]
        score[threads] = sum(f.rps / best[f.page] for f in mine) / len(mine)
    top = max(score.values())
    pick = min(t for t, s in score.items() if s >= top - margin)
    detail = ", ".join(f"t{t} {s:.0%}" for t, s in score.items())
    return (
        f"Recommendation: --threads {pick} (workers {workers}; mean req/s vs each page's best: {detail}; "
        f"smallest thread count within {margin:.0%} of the top wins)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="2x1,2x2,2x4,2x8,1x1", help="WORKERSxTHREADS list (default %(default)s)")
    parser.add_argument("--duration", type=int, default=6, help="seconds of measured load per page (default 6)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over all configs; best kept (default 2)")
    parser.add_argument("--database-url", help="serve from this database instead of a fresh SQLite file")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed; install it (Debian/Ubuntu: sudo apt-get install -y wrk) and run again.")
    pnyx = shutil.which("pnyx")
    if pnyx is None:
        sys.exit("the pnyx command is not on PATH; activate the virtualenv (. .venv/bin/activate) first.")
    configs = parse_configs(args.configs)

    with tempfile.TemporaryDirectory(prefix="pnyx-bench-") as tmp:
        data_dir = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PNYX_DEBUG"}}
        env["PNYX_DATA_DIR"] = str(data_dir)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        print(run_checked([pnyx, "demo"], env))
        print(run_checked([pnyx, "shell", "--no-imports", "-c", SEED_SCRIPT], env))
        pages = {"home": "/", "post-200": f"/posts/{POST_SLUG}/"}

        best: dict[tuple[Config, str], Figures] = {}
        problems: list[str] = []
        for round_no in range(1, args.rounds + 1):
            for config in configs:
                print(f"round {round_no}/{args.rounds}: serving {config.label} ...", flush=True)
                results, log = bench_config(pnyx, config, pages, env, data_dir, args)
                for f in results:
                    kept = best.get((config, f.page))
                    if kept is None or f.rps > kept.rps:
                        best[(config, f.page)] = f
                for line in log.splitlines():
                    if re.search(r"Traceback|Error|database is locked", line):
                        problems.append(f"{config.label}: {line.strip()}")
        figures = [best[(config, page)] for config in configs for page in pages]

    print()
    print(
        f"pnyx serve, wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s "
        f"(after {args.warmup}s warm-up), {os.cpu_count()} CPUs; best of {args.rounds} round(s) by req/s"
    )
    print(
        f"{'config':<8} {'page':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'RSS MiB':>8} {'errors':>7} "
        f"{'CPU ms/req':>10} {'other CPU':>9}"
    )
    for f in figures:
        print(
            f"{f.config.label:<8} {f.page:<9} {f.rps:>8.1f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} "
            f"{f.rss_mib:>8.1f} {f.errors:>7} {f.cpu_ms_per_req:>10.2f} {f.other_cpu:>8.0f}%"
        )
    print()
    if busy_rows := [f for f in figures if f.other_cpu > 10]:
        print(
            f"Warning: other processes took over 10% of the CPU during {len(busy_rows)} of these runs; "
            "rerun on a quiet machine before trusting close figures."
        )
    workers = max(configs, key=lambda c: sum(o.workers == c.workers for o in configs)).workers
    print(recommend(figures, workers))
    for problem in problems:
        print(f"server log: {problem}")


if __name__ == "__main__":
    main()
