"""Pages that are the same for every visitor, kept ready to serve, and forgotten the moment they change.

Every worker process keeps its own copy of the pages it served (memory is the fastest place a page can
come from: shared/MEASURED.md), bounded in bytes. What makes that safe across processes is the purge
journal: a change appends the paths it touched; every process, before it answers from memory, checks
whether the journal grew and drops those paths. On one box the journal is a file in the data dir (a
request reads its bell, eight shared bytes in memory: ``_FileJournal``); with ``REDIS_URL`` it is a Redis
list checked at most every ``CHECK_INTERVAL`` seconds, and the rendered pages are shared through Redis
too, so several machines render each page once.

A page is stored under its path and query, and dropped by its path: purging ``/posts/tea/`` drops every
page of that thread (``?cpage=2`` …). ``"*"`` drops everything.

When Redis cannot be reached, a process keeps no pages and every request is rendered (``PageCache.sync``
says so to the front), asking Redis again at most once a second (``pnyx.outage``): the site stays up,
only slower.
A purge made meanwhile could not reach the others, so a process that found Redis gone purges everything
once it answers again.

Django views opt in with ``for_everyone`` (a response header the front strips); this module knows
nothing of posts or comments — ``pnyx.freshness`` says what each change touches.
"""

import functools
import gzip
import hashlib
import logging
import mmap
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

import brotli
import zstandard

from pnyx.outage import Outage

MARK = "X-Pnyx-Page"
"""Header a view sets (value ``page``) to say: this response is the same for everyone; keep it."""

FRESH_UNTIL = "X-Pnyx-Fresh-Until"
"""Optional header: a Unix time after which the page must be rendered again (a scheduled post's time)."""

ALL = "*"
CHECK_INTERVAL = 0.1
"""With Redis, the longest a process may serve a page after another machine purged it."""

logger = logging.getLogger(__name__)

_ZSTD = zstandard.ZstdCompressor(level=10)


def for_everyone(view: Callable) -> Callable:
    """Mark a view's successful GET responses as the same for every visitor, so the front may keep them."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response[MARK] = "page"
        return response

    return wrapped


@dataclass
class Page:
    """One stored response: its headers and body, pre-compressed so that a hit costs no compression."""

    headers: list[tuple[str, str]]
    body: bytes
    encoded: dict[str, bytes]
    etag: str
    last_modified: str
    fresh_until: float | None = None
    size: int = field(init=False)
    served: dict = field(init=False, default_factory=dict, repr=False)
    """The front's headers for each way the page is served, made on first use (``front.Front._headers``)."""

    def __post_init__(self) -> None:
        self.size = len(self.body) + sum(len(b) for b in self.encoded.values())

    @classmethod
    def build(cls, headers: list[tuple[str, str]], body: bytes, fresh_until: float | None) -> "Page":
        encoded = {
            "br": brotli.compress(body, quality=9),
            "zstd": _ZSTD.compress(body),
            "gzip": gzip.compress(body, compresslevel=6, mtime=0),
        }
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        return cls(headers, body, encoded, etag, formatdate(usegmt=True), fresh_until)


class _FileJournal:
    """Purges as lines appended to one file; appends of a line are atomic between processes (O_APPEND).

    Beside the file, a bell: eight bytes every process maps into memory, changed after each append. A
    request reads the bell (no system call) and looks at the file only when it changed, or once every
    ``RECHECK`` seconds in any case (a writer that died between its append and its ring). The stat it
    saves was a third of a kept page's cost in the front (2.3 of 8.5 µs here).
    """

    COMPACT_AT = 256 * 1024
    RECHECK = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)  # one file from the start: a first purge then drops only what it names
        self._seen = (0, 0)  # (inode, bytes read)
        self._bell = _bell(path.with_name(path.name + ".bell"))
        self._heard: bytes | None = None
        self._recheck_at = 0.0

    def append(self, paths: Iterable[str]) -> None:
        lines = "".join(p.replace("\n", "") + "\n" for p in paths).encode()
        while True:
            with open(self.path, "ab") as f:
                f.write(lines)
                f.flush()
                if f.tell() > self.COMPACT_AT:
                    self._restart()
                    break
                # Another process may have started a new file between our open and our write: then the
                # lines went to the old one, which nobody reads any more. Write them again.
                if os.fstat(f.fileno()).st_ino == os.stat(self.path).st_ino:
                    break
        self._ring()

    def _ring(self) -> None:
        """Change the bell, after the append. Two writers may ring the same new value: each appended
        before it read the old one, so a reader who hears that value finds both appends in the file."""
        count = int.from_bytes(self._bell[:8], "little")
        self._bell[:8] = ((count + 1) % (1 << 64)).to_bytes(8, "little")

    def _restart(self) -> None:
        """Start a new file holding one "drop everything": a reader that sees a new file drops all anyway."""
        fresh = self.path.with_suffix(f".{os.getpid()}.new")
        fresh.write_bytes(b"*\n")
        os.replace(fresh, self.path)

    def read_new(self) -> list[str] | None:
        """Paths purged since the last call; None when nothing changed (the common case: the bell unchanged)."""
        heard, now = self._bell[:8], time.monotonic()
        if heard == self._heard and now < self._recheck_at:
            return None
        self._heard, self._recheck_at = heard, now + self.RECHECK
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        inode, offset = self._seen
        if st.st_ino == inode and st.st_size == offset:
            return None
        if st.st_ino != inode:
            offset = 0
        with open(self.path, "rb") as f:
            f.seek(offset)
            data = f.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._seen = (st.st_ino, offset + len(complete))
        paths = complete.decode(errors="replace").splitlines()
        return paths if st.st_ino == inode else [ALL, *paths]


def _bell(path: Path) -> mmap.mmap:
    """Eight bytes of ``path`` mapped into this process, shared with every process that maps them."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # less the umask, as the journal file itself
    try:
        if os.fstat(fd).st_size < 8:
            os.ftruncate(fd, 8)  # growing a file another process just grew keeps what it wrote
        return mmap.mmap(fd, 8)
    finally:
        os.close(fd)


class _RedisJournal:
    """Purges as a Redis list; each process reads what it has not seen, at most every CHECK_INTERVAL."""

    KEEP = 5000

    def __init__(self, client, prefix: str) -> None:
        self.redis = client
        self.KEY = f"{prefix}:purges"
        self._seen: int | None = None
        self._checked = 0.0

    def forget(self) -> None:
        """Read the list as new next time: what it holds now may not be what this process last saw."""
        self._seen = None

    def append(self, paths: Iterable[str]) -> None:
        pipe = self.redis.pipeline()
        pipe.rpush(self.KEY, *paths)
        pipe.ltrim(self.KEY, -self.KEEP, -1)
        pipe.execute()
        self._checked = 0.0  # this process learns of its own purge at once

    def read_new(self) -> list[str] | None:
        now = time.monotonic()
        if now - self._checked < CHECK_INTERVAL:
            return None
        self._checked = now
        total = self.redis.llen(self.KEY)
        if self._seen is None or total < self._seen or total - self._seen >= self.KEEP:
            self._seen = total
            return [ALL]  # first look, or the list was trimmed past what this process saw
        if total == self._seen:
            return None
        paths = [p.decode() for p in self.redis.lrange(self.KEY, self._seen, total - 1)]
        self._seen = total
        return paths


class PageCache:
    """This process's pages, the shared journal of purges, and (with Redis) pages shared between machines."""

    def __init__(
        self, journal, *, max_bytes: int, shared=None, prefix: str = "pnyx:pages", unreachable: tuple = ()
    ) -> None:
        self.journal = journal
        self.shared = shared
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.keys_by_path: dict[str, set[str]] = {}
        self.bytes = 0
        self.generation = 0
        self.lock = threading.Lock()
        self.unreachable = unreachable
        """The errors that mean the shared store is out of reach (Redis's); the file journal has none."""
        self.outage = Outage(logger, "every page is rendered until it answers")

    def sync(self) -> bool:
        """Drop what other processes (or this one) purged since the last look. False while the shared
        store is out of reach: then nothing may be served from here or kept, and every page is rendered."""
        if self.outage.retry_at is not None and not self._reachable():  # the test first: it runs on every hit
            return False
        try:
            with self.lock:
                paths = self.journal.read_new()
                if paths:
                    self._drop(paths)
        except self.unreachable as error:
            self._lost(error)
            return False
        return True

    def _drop(self, paths: list[str]) -> None:
        self.generation += 1
        if ALL in paths:
            self.pages.clear()
            self.keys_by_path.clear()
            self.bytes = 0
        else:
            for path in paths:
                for key in self.keys_by_path.pop(path, ()):
                    self.bytes -= self.pages.pop(key).size

    def _reachable(self) -> bool:
        """False while the shared store is out of reach. When it answers again, everything is purged first:
        the purges made meanwhile, here or elsewhere, never reached it."""
        if self.outage.retry_at is None:
            return True
        if self.outage.waiting():
            return False
        try:
            self._purge([ALL])
        except self.unreachable as error:
            self._lost(error)
            return False
        self.outage.answered()
        return True

    def _lost(self, error: Exception) -> None:
        """The shared store is out of reach: keep nothing (a purge may be missed), ask again later."""
        self.outage.failed(error)
        with self.lock:
            self._drop([ALL])
        self.journal.forget()

    def ticket(self, key: str) -> tuple[int, str | None]:
        """Taken before a page is rendered: where it may be kept, if nothing is purged meanwhile."""
        generation = self.generation
        if self.shared is None:
            return generation, None
        try:
            return generation, self._shared_key(key)
        except self.unreachable as error:
            self._lost(error)  # which moves the generation on: ``put`` will keep nothing
            return generation, None

    def get(self, key: str) -> Page | None:
        page = self.pages.get(key)
        if page is None and self.shared is not None:
            try:
                page = self._shared_get(key)
            except self.unreachable as error:
                self._lost(error)
                return None
            if page is not None:
                self._keep(key, page)
        return page

    def put(self, key: str, page: Page, *, ticket: tuple[int, str | None]) -> None:
        """Keep ``page`` unless a purge arrived while it was being rendered (it may show the old state).

        A purge elsewhere that this process has not seen yet still wins: the shared copy goes under the
        path's token as it was before rendering, which that purge deleted, so nobody will read it.
        """
        generation, shared_key = ticket
        if not self.sync() or generation != self.generation or page.size > self.max_bytes:
            return
        self._keep(key, page)
        if shared_key is not None:
            try:
                self.shared.set(shared_key, pickle.dumps(page), ex=24 * 3600)
            except self.unreachable as error:
                self._lost(error)

    def purge(self, paths: Iterable[str]) -> None:
        """Every process drops these paths before it answers again. With the shared store out of reach, the
        change that asked for it still stands: this process keeps nothing, and purges everything once the
        store answers (``_reachable``), as does every process that found it gone."""
        paths = sorted(set(paths))
        if not paths or not self._reachable():
            return
        try:
            self._purge(paths)
        except self.unreachable as error:
            self._lost(error)

    def _purge(self, paths: list[str]) -> None:
        if self.shared is not None:
            if ALL in paths:
                self.shared.incr(f"{self.prefix}:epoch")
            else:
                self.shared.delete(*[f"{self.prefix}:variants:{self._epoch()}:{p}" for p in paths])
        self.journal.append(paths)

    def _keep(self, key: str, page: Page) -> None:
        with self.lock:
            if key in self.pages:
                self.bytes -= self.pages.pop(key).size
            self.pages[key] = page
            self.keys_by_path.setdefault(key.split("?", 1)[0], set()).add(key)
            self.bytes += page.size
            while self.bytes > self.max_bytes and self.pages:
                old_key, old = self.pages.popitem(last=False)
                self.bytes -= old.size
                self.keys_by_path.get(old_key.split("?", 1)[0], set()).discard(old_key)

    # Shared pages (Redis): a page lives under its path's variant set, so a purge of the path (deleting
    # the set) orphans every variant at once; an epoch counter does the same for "everything".
    def _epoch(self) -> int:
        return int(self.shared.get(f"{self.prefix}:epoch") or 0)

    def _shared_key(self, key: str) -> str:
        path = key.split("?", 1)[0]
        epoch = self._epoch()
        name = f"{self.prefix}:variants:{epoch}:{path}"
        token = self.shared.get(name)
        if token is None:
            self.shared.set(name, os.urandom(8).hex(), nx=True, ex=24 * 3600)
            token = self.shared.get(name) or b"gone"
        return f"{self.prefix}:page:{token.decode()}:{key}"

    def _shared_get(self, key: str) -> Page | None:
        path = key.split("?", 1)[0]
        token = self.shared.get(f"{self.prefix}:variants:{self._epoch()}:{path}")
        if token is None:
            return None
        raw = self.shared.get(f"{self.prefix}:page:{token.decode()}:{key}")
        return pickle.loads(raw) if raw else None  # noqa: S301 (our own pages, in our own Redis)


_cache: PageCache | None = None


def page_cache() -> PageCache:
    """This process's cache, built on first use from the settings."""
    global _cache
    if _cache is None:
        from django.conf import settings

        max_bytes = settings.PNYX_PAGE_CACHE_MB * 1024 * 1024
        if settings.PNYX_REDIS_URL:
            # One Redis may serve several sites: each keeps its pages under its own secret's fingerprint.
            prefix = "pnyx:" + hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=6).hexdigest()
            _cache = shared_page_cache(settings.PNYX_REDIS_URL, prefix, max_bytes=max_bytes)
        else:
            _cache = PageCache(_FileJournal(Path(settings.DATA_DIR) / "cache" / "purges"), max_bytes=max_bytes)
    return _cache


def shared_page_cache(url: str, prefix: str, *, max_bytes: int) -> PageCache:
    """A process's cache whose journal and pages are shared through the Redis at ``url``."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A Redis that is gone costs a request a second at most, once a second (``pnyx.outage``), and not
    # redis-py's ten tries with growing pauses (3.5 s a call on a refused port). One try more, at once.
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 1))
    return PageCache(
        _RedisJournal(client, prefix),
        max_bytes=max_bytes,
        shared=client,
        prefix=prefix,
        unreachable=(redis.ConnectionError, redis.TimeoutError),
    )


def purge(paths: Iterable[str]) -> None:
    """Every process forgets the pages at these paths (``"*"``: all pages) before it answers again."""
    page_cache().purge(paths)
