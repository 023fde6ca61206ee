"""What a source's stored text becomes in pnyx: a post body in HTML, or a comment in pnyx's comment text.

WordPress stores the text as typed, and makes it presentable only when a page is shown: automatic
paragraphs for the classic editor, shortcodes expanded, block-editor comments ignored. The import does
that work once. Whatever comes out is sanitized by the models on save (``pnyx.markup``), like any post
or comment written in pnyx.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from .wpautop import wpautop

# Block delimiters sit between blocks, never inside one, so the blank lines around them go too.
_BLOCK_COMMENT = re.compile(r"\s*<!--\s*(/?)wp:([a-z0-9/_-]+)(.*?)(/?)\s*-->\s*", re.DOTALL)
_ENCLOSING = re.compile(r"\[(caption|wp_caption|embed|code|sourcecode)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL)
_SELF_CLOSING_MEDIA = re.compile(r"\[(audio|video|youtube|vimeo)\b([^\]]*)\]")
_ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_URL = re.compile(r"https?://[^\s\"'<>\]]+")
_MARK = re.compile(r"[\\*_`]")
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)
_MEDIA_IN_CAPTION = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
# Shortcodes of common plugins and of WordPress.com that have no HTML of their own to fall back on: they
# stay in the text, visible, and the summary counts them so the writer knows where to look.
KEPT_SHORTCODES = re.compile(
    r"\[(gallery|playlist|contact-form|googlemaps|slideshow|polldaddy|soundcloud|twitter|instagram|"
    r"archives|recipe|wpvideo|dailymotion|flickr|gist|portfolio|blog_subscription_form)\b[^\]]*\]"
)


@dataclass
class Converted:
    html: str
    notes: Counter = field(default_factory=Counter)


def post_body(raw: str) -> Converted:
    """The HTML of a WordPress post or page body, with what could not be carried over counted in ``notes``."""
    notes: Counter = Counter()
    finished: list[str] = []
    text = _expand_shortcodes(raw, finished)
    for name in KEPT_SHORTCODES.findall(text):
        notes[f"shortcode [{name}] kept as text"] += 1
    if "<!-- wp:" in text:
        text = _strip_block_comments(text, notes)
    else:
        text = wpautop(_BARE_URL_LINE.sub(r'<a href="\1">\1</a>', text))
    # Expanded shortcodes were set aside as placeholders so that paragraphs never cut through them.
    text = re.sub(r"<p>\x01(\d+)\x01</p>", lambda m: finished[int(m.group(1))], text)
    text = re.sub(r"\x01(\d+)\x01", lambda m: finished[int(m.group(1))], text)
    return Converted(html=text, notes=notes)


def _strip_block_comments(text: str, notes: Counter) -> str:
    """Block-editor content is HTML already; the ``<!-- wp:… -->`` delimiters only guide the editor.

    A self-closing block (``<!-- wp:latest-posts /-->``) has no HTML at all: WordPress draws it at view
    time from the live site, so there is nothing to carry over. It is counted, not silently lost.
    """

    def _drop(match: re.Match) -> str:
        if match.group(4) == "/":
            notes["dynamic blocks left out (WordPress drew them from the live site: latest posts, search …)"] += 1
        return "\n"

    return _BLOCK_COMMENT.sub(_drop, text).strip()


def _attributes(raw: str) -> tuple[dict[str, str], list[str]]:
    named = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTRIBUTE.finditer(raw)}
    return named, _URL.findall(raw)


def _expand_shortcodes(text: str, finished: list[str]) -> str:
    """Replace the shortcodes pnyx can express in HTML with placeholders indexing ``finished``."""

    def _set_aside(expanded: str, *, block: bool) -> str:
        finished.append(expanded)
        token = f"\x01{len(finished) - 1}\x01"
        return f"\n\n{token}\n\n" if block else token

    def _enclosing(match: re.Match) -> str:
        return _set_aside(_expand_enclosing(match), block=True)

    def _media(match: re.Match) -> str:
        urls = _attributes(match.group(2))[1]
        if not urls:
            return match.group(0)
        return _set_aside(f'<a href="{html.escape(urls[0])}">{html.escape(urls[0])}</a>', block=False)

    return _SELF_CLOSING_MEDIA.sub(_media, _ENCLOSING.sub(_enclosing, text))


def _expand_enclosing(match: re.Match) -> str:
    name, inner = match.group(1), match.group(3)
    attrs, _urls = _attributes(match.group(2))
    if name in ("caption", "wp_caption"):
        return _caption(attrs, inner)
    if name == "embed":
        url = inner.strip()
        return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    # [code] and [sourcecode] show their content literally, as WordPress.com's syntax highlighter did.
    return f"<pre><code>{html.escape(html.unescape(inner.strip(chr(10))))}</code></pre>"


def _caption(attrs: dict[str, str], inner: str) -> str:
    media, caption = inner, attrs.get("caption", "")
    if match := _MEDIA_IN_CAPTION.match(inner):
        media, caption = match.group(1), match.group(2).strip() or caption
    align = attrs.get("align", "")
    css = f"wp-caption {align}".strip()
    return f'<figure class="{html.escape(css)}">{media}<figcaption>{caption}</figcaption></figure>'


def comment_text(source_html: str) -> str:
    """A comment written in HTML (WordPress, Disqus) as pnyx comment text: the markup readers see kept.

    Paragraphs, line breaks, emphasis and code become the comment syntax pnyx renders; a link keeps
    its address in the text (pnyx links bare addresses); every other tag goes, its text stays.
    """
    parser = _CommentHTML()
    try:
        parser.feed(source_html)
        parser.close()
    except AssertionError:
        # Python's HTML parser gives up on some broken markup (a stray "<![" section); the text
        # without any tags is what is left to keep.
        return _MARK.sub(r"\\\g<0>", html.unescape(nh3.clean(source_html, tags=set()))).strip()
    return re.sub(r"\n\s*\n\s*", "\n\n", "".join(parser.out)).strip()


def _escape_marks(text: str) -> str:
    """Backslash the characters pnyx's comment syntax reads as emphasis or code, outside web addresses."""
    parts = _URL.split(text)
    urls = _URL.findall(text)
    out = [_MARK.sub(r"\\\g<0>", part) for part in parts]
    return "".join(piece for pair in zip(out, [*urls, ""], strict=True) for piece in pair)


class _CommentHTML(HTMLParser):
    _MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}
    _SKIP = {"script", "style", "template", "iframe", "object"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.skipping = 0
        self.after_break = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._MARKS:
            self.out.append(self._MARKS[tag])
        elif tag == "br":
            self.handle_startendtag(tag, attrs)
        elif tag in ("p", "div", "blockquote", "li", "pre"):
            self.out.append("\n\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
            self.after_break = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._MARKS:
            self.out.append(self._MARKS[tag])
        elif tag in ("p", "div", "blockquote", "li", "pre"):
            self.out.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            # A label that is the address, bare or with its scheme, is linked again by pnyx on its own.
            if href.startswith(("http://", "https://")) and label.lower().rstrip("/") not in href.lower():
                self.out.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        # "<br>\n" is one line break: the newline after the tag only lays out the HTML source.
        if self.after_break and data.startswith("\n"):
            data = data[1:]
        self.after_break = False
        if not self.skipping:
            self.out.append(_escape_marks(data))
