"""The cache-first front: a small WSGI layer that answers pages the same for everyone without Django.

A GET or HEAD whose page is kept (``pnyx.pagecache``) is answered here: the stored bytes, already
compressed (brotli, zstd or gzip, as the browser accepts), with a strong ETag, ``304 Not Modified`` for
a browser that has it, and ``Cache-Control`` that lets a CDN in front keep it briefly and serve it
stale while it asks again. Everything else goes to Django; a response Django marks as the same for
everyone (``pagecache.for_everyone``), that sets no cookie and does not vary by cookie, is kept on the
way out. Signed-in readers take the fast path too: the pages kept never depend on who asks.

Nothing here imports Django per request; a hit reads the purge journal's bell (``pagecache``), looks up
the page and its headers, made once per page, and hands over the stored bytes.
"""

import re
import time
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl

from django.http.request import split_domain_port, validate_host

from .pagecache import FRESH_UNTIL, MARK, Page, PageCache

# Query parameters a kept page may depend on: a listing's page, a thread's page, the no-JavaScript reply
# form. A request with any other parameter (tracking tags, cache busters) goes to Django uncached, so
# nobody can fill the cache with endless variants of one page.
PAGE_PARAMETERS = frozenset({"page", "cpage", "replytocom"})
_ENCODINGS = ("br", "zstd", "gzip")
_UNSEEN = object()
_NOT_IN_304 = ("content-type", "content-length")
# A request body left unread is read and dropped up to this size (see _discard_unread); a larger one is
# an attack or a mistake, and closing the connection on it is the right answer.
DISCARD_AT_MOST = 16 * 1024 * 1024


def cache_key(environ: dict) -> str | None:
    """The page a request asks for (path, and the query when it only names PAGE_PARAMETERS), or None."""
    path = environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    if not query:
        return path
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    if not pairs or any(name not in PAGE_PARAMETERS for name, _value in pairs):
        return None
    return f"{path}?{query}"


def _best_encoding(accept: str) -> str | None:
    """The best encoding the browser accepts (q=0 refuses one)."""
    offered = {}
    for part in accept.split(","):
        name, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip().lower()] = q
    return next((e for e in _ENCODINGS if offered.get(e, offered.get("*", 0)) > 0), None)


class Front:
    def __init__(
        self,
        app: Callable,
        cache: Callable[[], PageCache],
        *,
        cache_control: str,
        allowed_hosts: list[str],
        bypass_cookies: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.cache_control = cache_control
        self.allowed_hosts = allowed_hosts
        self.hosts_seen: dict[str, bool] = {}
        self.encodings: dict[str, str | None] = {}
        # Cookies that change a page (a protected post opened in this browser): their requests go to Django.
        self.bypass_cookies = tuple(bypass_cookies)
        names = "|".join(re.escape(f"{name}=") for name in self.bypass_cookies)
        self.bypass = re.compile(names) if names else None

    def host_allowed(self, environ: dict) -> bool:
        """Django's own Host check (a disallowed Host is Django's to refuse), remembered per host name."""
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        allowed = self.hosts_seen.get(host)
        if allowed is None:
            domain, _port = split_domain_port(host)
            allowed = bool(domain) and validate_host(domain, self.allowed_hosts)
            if len(self.hosts_seen) < 1000:  # a flood of made-up hosts is not remembered
                self.hosts_seen[host] = allowed
        return allowed

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        key = cache_key(environ) if method in ("GET", "HEAD") and self.host_allowed(environ) else None
        if key is not None and self.bypass is not None and self.bypass.search(environ.get("HTTP_COOKIE", "")):
            key = None
        if key is None:
            result = self.app(environ, _unmarked(start_response))
            if method not in ("GET", "HEAD"):
                _discard_unread(environ)
            return result
        cache = self.cache()
        if not cache.sync():  # the shared cache is out of reach: Django answers, nothing is kept
            return self.app(environ, _unmarked(start_response))
        page = cache.get(key)
        if page is not None and (page.fresh_until is None or time.time() < page.fresh_until):
            return self._serve(page, environ, start_response, "hit")
        if method == "HEAD":  # a miss on HEAD has no body to keep: let Django answer it
            return self.app(environ, _unmarked(start_response))
        ticket = cache.ticket(key)
        kept: dict = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            if status.startswith("200") and self._keepable(headers):
                kept.update(headers=headers, chunks=[])
                return kept["chunks"].append
            kept.clear()
            return _unmarked(start_response)(status, headers, exc_info)

        result = self.app(environ, start)
        if not kept:  # not a page for everyone: streamed through untouched (static files, feeds, errors)
            return result
        try:
            body = b"".join([*kept["chunks"], *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = kept["headers"]
        fresh_until = next((float(v) for k, v in headers if k.lower() == FRESH_UNTIL.lower()), None)
        page = Page.build([(k, v) for k, v in headers if k.lower() not in _REPLACED], body, fresh_until)
        cache.put(key, page, ticket=ticket)
        return self._serve(page, environ, start_response, "miss")

    @staticmethod
    def _keepable(headers: list[tuple[str, str]]) -> bool:
        names = {k.lower(): v for k, v in headers}
        if names.get(MARK.lower()) != "page" or "set-cookie" in names:
            return False
        if "cookie" in names.get("vary", "").lower():
            return False
        cache_control = names.get("cache-control", "").lower()
        return "private" not in cache_control and "no-store" not in cache_control

    def _serve(self, page: Page, environ: dict, start_response: Callable, how: str) -> Iterable[bytes]:
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and _not_modified(page, environ):
            headers = self._headers(page, how, None)
            start_response("304 Not Modified", [h for h in headers if h[0].lower() not in _NOT_IN_304])
            return []
        encoding = self._encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        start_response("200 OK", self._headers(page, how, encoding))
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [page.encoded[encoding] if encoding else page.body]

    def _headers(self, page: Page, how: str, encoding: str | None) -> list[tuple[str, str]]:
        """The response's headers, made once per page for each way it is served (a hit costs a lookup)."""
        headers = page.served.get((how, encoding))
        if headers is None:
            body = page.encoded[encoding] if encoding else page.body
            headers = [
                *page.headers,
                ("ETag", page.etag),
                ("Last-Modified", page.last_modified),
                ("Cache-Control", self.cache_control),
                ("Vary", "Accept-Encoding"),
                ("X-Pnyx-Cache", how),
                *([("Content-Encoding", encoding)] if encoding else []),
                ("Content-Length", str(len(body))),
            ]
            page.served[(how, encoding)] = headers
        return headers

    def _encoding(self, accept: str) -> str | None:
        """``_best_encoding``, remembered for each Accept-Encoding a browser sends (a handful in practice)."""
        encoding = self.encodings.get(accept, _UNSEEN)
        if encoding is _UNSEEN:
            encoding = _best_encoding(accept)
            if len(self.encodings) < 1000:  # made-up headers are not remembered
                self.encodings[accept] = encoding
        return encoding


# Headers the front sets itself on every kept page (Content-Length differs per encoding).
_REPLACED = frozenset(
    {
        MARK.lower(),
        FRESH_UNTIL.lower(),
        "content-length",
        "etag",
        "last-modified",
        "cache-control",
        "vary",
        "content-encoding",
        "expires",
    }
)


def _discard_unread(environ: dict) -> None:
    """Read and drop what Django left of a request's body, so that the browser gets Django's answer.

    Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` by its Content-Length, without reading it.
    granian then closes the connection with the rest unread, and a browser still sending it sees the
    connection reset instead of the 400 page; nginx reads such a rest for the same reason ("lingering
    close"). A body read to its end makes this one ``read`` that returns nothing.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if not 0 < length <= DISCARD_AT_MOST:
        return
    stream = environ["wsgi.input"]
    while stream.read(64 * 1024):
        pass


def _unmarked(start_response: Callable) -> Callable:
    """The marks a view leaves for the front are not for the browser."""

    def start(status: str, headers: list[tuple[str, str]], exc_info=None):
        headers = [(k, v) for k, v in headers if k.lower() not in (MARK.lower(), FRESH_UNTIL.lower())]
        return start_response(status, headers, exc_info)

    return start


def _not_modified(page: Page, environ: dict) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since against the stored time."""
    if (tags := environ.get("HTTP_IF_NONE_MATCH")) is not None:
        return tags.strip() == "*" or page.etag in [t.strip().removeprefix("W/") for t in tags.split(",")]
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(page.last_modified)
    except (TypeError, ValueError):
        return False
