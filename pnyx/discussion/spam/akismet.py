"""A client for Akismet's API (1.1), or any service that speaks it: ``comment-check``, and
``submit-spam`` / ``submit-ham`` when a moderator overrules the answer, so the service learns.

Every call is a form-encoded POST to ``<endpoint><method>`` with the key as ``api_key`` and the blog's
address as ``blog``. ``comment-check`` answers ``true`` (spam) or ``false``; anything else (``invalid``
with an ``X-akismet-debug-help`` header, an HTTP error, a timeout) means the service did not judge.
"""

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from . import Answer, EngineDown

USER_AGENT = "pnyx/1.0 | pnyx-akismet/1.0"


@dataclass(frozen=True)
class Akismet:
    endpoint: str
    key: str
    blog: str
    timeout: float = 2.0

    def _call(self, method: str, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
        data = urllib.parse.urlencode({"api_key": self.key, "blog": self.blog, **fields}).encode()
        url = self.endpoint.rstrip("/") + "/" + method
        request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT})  # noqa: S310 (an http(s) setting)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read(4096).decode("utf-8", "replace").strip(), dict(response.headers)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise EngineDown(f"Akismet at {url}: {getattr(error, 'reason', error)}") from error

    def comment_check(self, fields: dict[str, str]) -> Answer:
        body, headers = self._call("comment-check", fields)
        if body == "true":
            discard = headers.get("X-akismet-pro-tip", "") == "discard"
            return Answer(spam=True, detail="Akismet: spam" + (" (blatant)" if discard else ""))
        if body == "false":
            return Answer(spam=False, detail="Akismet: not spam")
        help_text = headers.get("X-akismet-debug-help") or body[:80]
        raise EngineDown(f"Akismet did not judge: {help_text}")

    def _submit(self, method: str, fields: dict[str, str]) -> None:
        body, headers = self._call(method, fields)
        if not body.startswith("Thanks"):  # Akismet thanks the caller; anything else taught it nothing
            raise EngineDown(f"Akismet refused {method}: {headers.get('X-akismet-debug-help') or body[:80]}")

    def submit_spam(self, fields: dict[str, str]) -> None:
        self._submit("submit-spam", fields)

    def submit_ham(self, fields: dict[str, str]) -> None:
        self._submit("submit-ham", fields)


def fields_of(*, comment, permalink: str) -> dict[str, str]:
    """What Akismet is told about a comment: who, from where, what, and on which page."""
    fields = {
        "user_ip": comment.ip or "",
        "user_agent": comment.user_agent,
        "permalink": permalink,
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.display_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.isoformat(),
        "blog_charset": "UTF-8",
    }
    return {name: str(value) for name, value in fields.items() if value}
