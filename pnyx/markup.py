"""Text to safe HTML, in one place: post bodies (Markdown or imported HTML) and comment bodies.

Whatever the source, the last step is nh3 (the Ammonia sanitizer), so a page never carries a script,
an event handler or a ``javascript:`` URL, however the text arrived.
"""

from urllib.parse import urlsplit, urlunsplit

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from markdown_it import MarkdownIt

_URL_SCHEMES = {"http", "https", "mailto"}

# Tags a writer's post may use: nh3's defaults (text, lists, tables, images, quotes, figures), and the
# table footer those defaults leave out.
POST_TAGS = nh3.ALLOWED_TAGS | {"tfoot"}
POST_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "a": {"href", "title"},
    "*": {"id", "lang", "dir"},
}

COMMENT_TAGS = {"p", "br", "em", "strong", "code", "a"}

_post_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True}).enable(
    ["linkify", "replacements", "smartquotes", "table", "strikethrough"]
)
# Comments get a deliberately small subset: paragraphs, line breaks, emphasis, inline code and
# autolinked URLs. No headings, images or raw HTML, so a comment cannot dress up as the article.
_comment_markdown = MarkdownIt("zero", {"linkify": True, "breaks": True, "html": False}).enable(
    ["linkify", "emphasis", "backticks", "newline", "escape", "entity"]
)
# Only addresses written out with their scheme become links: "see you.Do it" is a sentence, not a
# link to a Dominican domain.
_comment_markdown.linkify.set({"fuzzy_link": False, "fuzzy_email": False})


def _absolute_http_links_only(element: str, attribute: str, value: str) -> str | None:
    """Comment links must be absolute http(s) URLs: no scheme-relative or relative tricks."""
    if attribute == "href" and not value.lower().startswith(("http://", "https://")):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Sanitize HTML a writer (or an imported blog) wrote, keeping ordinary article markup."""
    return nh3.clean(html, tags=POST_TAGS, attributes=POST_ATTRIBUTES, url_schemes=_URL_SCHEMES)


def render_markdown(text: str) -> str:
    """Render a post body written in Markdown."""
    return sanitize_html(_post_markdown.render(text))


def render_comment(text: str) -> str:
    """Render a comment body: plain text with paragraphs, emphasis and autolinked http(s) URLs.

    Links a reader posts carry ``rel="nofollow ugc"`` so the thread cannot be farmed for search rank.
    """
    return nh3.clean(
        _comment_markdown.render(text),
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        attribute_filter=_absolute_http_links_only,
        link_rel="nofollow ugc noopener",
    )


_WEB = URLValidator(schemes=["http", "https"])
WEB_ADDRESS_MAX_LENGTH = 500


def web_address(text: str) -> str:
    """A website someone gave (typed in the form, or from an import) as a normalised http(s) URL, or "".

    The one rule for every stored link to somebody's site: ``javascript:``, ``data:``, ``vbscript:``,
    relative and malformed addresses become "" rather than a link on a public page. A bare host
    (``example.org``) is taken to mean https, as browsers do today.
    """
    text = text.replace("\x00", "").strip()
    if not text:
        return ""
    if "://" not in text.split("?", 1)[0] and ":" not in text.split("/", 1)[0]:
        text = "https://" + text.lstrip("/")
    try:
        _WEB(text)
    except ValidationError:
        return ""
    parts = urlsplit(text)
    normal = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, parts.fragment))
    return normal if len(normal) <= WEB_ADDRESS_MAX_LENGTH else ""
