"""Run pnyx behind granian, a production HTTP server (never ``runserver``).

A fresh data dir is migrated and static files are collected first, so ``pnyx serve`` is the only
command an operator needs. The blocking-thread default comes from measurement: with Django doing real
work per request, one thread per worker beat granian's default of up to 256 on throughput and memory
(shared/MEASURED.md); raise ``--threads`` for pages that wait on slow I/O.

It also starts the task worker (``pnyx worker``) as a child process, so that mail goes out on a box
that runs nothing else, and stops it when it stops; ``--no-worker`` when the worker runs as its own
service.
"""

import errno
import hashlib
import multiprocessing
import os
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from pnyx import pagecache

# How long a web worker that was told to stop may take before it is killed. Every request pnyx answers
# takes well under a second, so a worker still there after this is not finishing a reader's request: it
# is stuck. Granian 2.8.7's WSGI worker sometimes is when Ctrl-C reaches it as well as the server (a
# terminal signals the whole process group): with no limit, granian then waits for it for ever.
WORKERS_KILL_TIMEOUT = 5


class Command(BaseCommand):
    help = "Serve pnyx over HTTP with granian (migrates and collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=1, help="blocking threads per worker (default 1)")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the task worker (run pnyx worker separately)"
        )

    def handle(
        self, *args, host: str, port: int, workers: int, threads: int, no_migrate: bool, no_worker: bool, **options
    ):
        from granian import Granian
        from granian.constants import Interfaces

        if workers < 1 or threads < 1:
            self.stderr.write("--workers and --threads must be at least 1")
            raise SystemExit(2)
        check_can_listen(host, port)
        prepare(migrate=not no_migrate)
        self.stdout.write(f"pnyx serving http://{host}:{port}/ (data in {settings.DATA_DIR})")
        worker = None if no_worker else start_worker()
        server = Granian(
            "pnyx.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
            respawn_failed_workers=True,
            workers_kill_timeout=WORKERS_KILL_TIMEOUT,
            log_access=options["verbosity"] > 1,
        )
        try:
            server.serve()
        finally:
            if worker is not None:
                stop_worker(worker)


def prepare(*, migrate: bool) -> None:
    """Migrate, collect the static files and drop every kept page, in a child process that then exits.

    The web workers are forked from this process: the migration graph and the model states ``migrate``
    builds (40 MiB on a fresh data dir) would otherwise be copied into every one of them for its life.
    """
    connection.ensure_connection()  # an unreachable database is the operator's one line (pnyx.cli), said here
    connections.close_all()  # and a connection must not be shared with a child
    check_redis()
    child = multiprocessing.get_context("fork").Process(target=_prepare, args=(migrate,), name="pnyx-prepare")
    child.start()
    child.join()
    if child.exitcode != 0:
        raise CommandError("the data dir could not be prepared (the reason is above); nothing was started")


def check_redis() -> None:
    """With ``REDIS_URL``, Redis must answer before the site starts, as the database must: the start drops
    every page Redis keeps (a new release may change any of them). Once running, pnyx rides out a Redis
    that goes away (``pnyx.pagecache``, ``pnyx.rediscache``)."""
    if not settings.PNYX_REDIS_URL:
        return
    import redis

    from pnyx.settings import without_password

    client = redis.Redis.from_url(settings.PNYX_REDIS_URL, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        raise CommandError(f"cannot reach Redis at {without_password(settings.PNYX_REDIS_URL)}: {error}") from None
    finally:
        client.close()


def _prepare(migrate: bool) -> None:
    try:
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        collect_static_if_changed()
        # A new release or theme may change any page: nothing kept before this start is served again
        # (with Redis, pages other processes and machines kept are dropped too).
        pagecache.purge([pagecache.ALL])
    except CommandError as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(1)
    finally:
        connections.close_all()


def start_worker() -> subprocess.Popen:
    """``pnyx worker`` as a child process, with this one's environment (and so its settings), at a lower
    CPU priority: on a busy small box a mail may wait a moment, a reader's page should not."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pnyx.cli", "worker", "--verbosity", "0"], preexec_fn=_lower_priority
    )


def _lower_priority() -> None:
    os.nice(10)


def stop_worker(worker: subprocess.Popen) -> None:
    """SIGTERM lets the worker finish the mail it is sending (at most ``EMAIL_TIMEOUT``); then it is killed.
    A mail it could not finish is queued again by the next worker (``email_requeue_stale``)."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=settings.EMAIL_TIMEOUT + 5)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def collect_static_if_changed() -> None:
    """Collect (and pre-compress) static files only when they changed since the last start.

    Compressing every file with brotli takes seconds on a small box; a restart, or a second process on
    the same data dir, should not pay it again for the same files.
    """
    from django.contrib.staticfiles.finders import get_finders

    files = sorted(
        (path, (stat := Path(storage.path(path)).stat()).st_size, stat.st_mtime_ns)
        for finder in get_finders()
        for path, storage in finder.list(["CVS", ".*", "*~"])
    )
    signature = hashlib.sha256(repr(files).encode()).hexdigest()
    stamp = Path(settings.STATIC_ROOT) / ".pnyx-collected"
    if stamp.exists() and stamp.read_text() == signature:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(signature)


def check_can_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address granian could not bind, before migrating and starting workers.

    SO_REUSEADDR as a server sets it: a port left in TIME_WAIT by the last run is free, one that a
    running server listens on is not.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CommandError(
                f"{host}:{port} is already in use (another pnyx serve?): choose another port with --port, "
                f"e.g. pnyx serve --port {port + 1}"
            ) from None
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
