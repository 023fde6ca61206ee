"""WordPress's automatic paragraphs, so classic-editor posts keep the shape they had on the old site.

In the classic editor a writer typed blank lines, and WordPress turned them into ``<p>`` and ``<br>``
only when showing the post (its ``wpautop`` filter); the export holds the raw text. This is a port of
that behaviour: blank lines become paragraphs, single newlines become line breaks, and block-level
tags are never wrapped in a paragraph. ``<pre>`` keeps its newlines untouched.
"""

import re

BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote"
    "|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure"
    "|figcaption|details|menu|summary"
)
_BLOCK = rf"(?:{BLOCK_TAGS})"
_OPEN_BLOCK = re.compile(rf"(<{_BLOCK}[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</{_BLOCK}>)", re.IGNORECASE)
_ANY_BLOCK_TAG = rf"</?{_BLOCK}[^>]*>"
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_TAG_OR_TEXT_NEWLINE = re.compile(r"<[^>]*>|(?<!<br />)(?<!<br/>)(?<!<br>)\n", re.IGNORECASE)


def wpautop(text: str) -> str:
    """Wrap paragraphs of ``text`` in ``<p>`` and turn lone newlines into ``<br />``."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    # <pre> blocks are set aside whole: their newlines are content, not paragraph breaks.
    kept: list[str] = []

    def _keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"<pre>\x00{len(kept) - 1}\x00</pre>"

    text = _PRE.sub(_keep, text) + "\n"
    text = _DOUBLE_BR.sub("\n\n", text)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"\n\n+", "\n\n", text)

    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)

    text = re.sub(r"<p>\s*</p>", "", text)
    # A paragraph holding only a block tag (opening or closing) is that tag alone.
    text = re.sub(rf"<p>\s*({_ANY_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.IGNORECASE)
    text = re.sub(rf"<p>\s*({_ANY_BLOCK_TAG})", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"({_ANY_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)

    text = _line_breaks(text)
    text = re.sub(rf"({_ANY_BLOCK_TAG})\s*<br />", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\n</p>$", "</p>", text)

    return re.sub(r"<pre>\x00(\d+)\x00</pre>", lambda m: kept[int(m.group(1))], text)


def _line_breaks(text: str) -> str:
    """Newlines inside a paragraph become ``<br />``; newlines inside a tag (between attributes) do not."""

    def _replace(match: re.Match) -> str:
        return "<br />\n" if match.group(0) == "\n" else match.group(0)

    out = []
    for paragraph in re.split(r"(</p>\n)", text):
        if paragraph.startswith("</p>"):
            out.append(paragraph)
            continue
        body = paragraph.rstrip("\n")
        out.append(_TAG_OR_TEXT_NEWLINE.sub(_replace, body) + paragraph[len(body) :])
    return "".join(out)
