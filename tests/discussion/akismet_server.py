"""A local service that speaks Akismet's REST API 1.1, for the engine tests.

Like Akismet: every call is a form-encoded POST; ``comment-check`` needs ``api_key``, ``blog`` and
``user_ip`` and answers ``true`` or ``false``, or ``invalid`` with an ``X-akismet-debug-help`` header
when the key is wrong or a field is missing; the author ``akismet-guaranteed-spam`` (or that address)
is always spam, and blatant (``X-akismet-pro-tip: discard``); ``user_role=administrator`` never is.
``submit-spam`` and ``submit-ham`` thank the caller. Every call is recorded; ``delay`` makes it slow.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

GUARANTEED_SPAM = "akismet-guaranteed-spam"
THANKS = "Thanks for making the web a better place."


@dataclass
class Akismet:
    url: str = ""
    key: str = "0123abcd4567"
    spam_words: tuple[str, ...] = ("viagra-test-123",)
    delay: float = 0.0
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def calls_to(self, method: str) -> list[dict[str, str]]:
        return [fields for name, fields in self.calls if name == method]


class _Handler(BaseHTTPRequestHandler):
    service: Akismet

    def log_message(self, *args) -> None:  # quiet: the tests look at ``calls``
        pass

    def _answer(self, body: str, headers: dict[str, str] | None = None, status: int = 200) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        if not self.path.startswith("/1.1/"):
            return self._answer("Not found", status=404)
        self.service.calls.append((method, fields))
        time.sleep(self.service.delay)
        if method == "verify-key":
            return self._answer("valid" if fields.get("api_key") == self.service.key else "invalid")
        if fields.get("api_key") != self.service.key:
            return self._answer("invalid", {"X-akismet-debug-help": "Invalid API key."})
        missing = [name for name in ("blog", "user_ip") if not fields.get(name)]
        if missing:
            return self._answer("invalid", {"X-akismet-debug-help": f"Empty {missing[0]} value"})
        if method in ("submit-spam", "submit-ham"):
            return self._answer(THANKS)
        if method != "comment-check":
            return self._answer("Not found", status=404)
        if fields.get("user_role") == "administrator":
            return self._answer("false")
        author = (fields.get("comment_author", ""), fields.get("comment_author_email", ""))
        if any(GUARANTEED_SPAM in value for value in author):
            return self._answer("true", {"X-akismet-pro-tip": "discard"})
        text = fields.get("comment_content", "")
        return self._answer("true" if any(word in text for word in self.service.spam_words) else "false")


def serve() -> tuple[Akismet, ThreadingHTTPServer]:
    service = Akismet()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"service": service}))
    service.url = f"http://127.0.0.1:{server.server_address[1]}/1.1/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service, server
