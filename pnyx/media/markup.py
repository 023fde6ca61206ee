"""``<img>`` for library images, the one way they are written: in templates (``{% picture %}``) and in a
post's rendered body (``responsive``), always with ``srcset``, ``sizes`` and the real width and height, so
a browser fetches the smallest copy that fills the space and reserves it before the file arrives.
"""

import re

from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import Image

COLUMN = "(max-width: 44rem) 100vw, 42rem"
"""How wide an image in a post is drawn: the whole screen on a phone, else the text column (site.css)."""

_LAZY = SafeString(' loading="lazy" decoding="async"')
_IMG = re.compile(r"<img\b([^>]*)>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_SIZED = re.compile(r'\s(?:srcset|sizes|width|height|loading|decoding)="[^"]*"')


def picture(image: Image, *, sizes: str = COLUMN, lazy: bool = True, alt: str | None = None) -> str:
    """The image as an ``<img>``; ``lazy=False`` for one that is on screen at once (a featured image)."""
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}>',
        image.url,
        image.srcset,
        sizes,
        image.width,
        image.height,
        image.alt if alt is None else alt,
        _LAZY if lazy else "",
    )


def responsive(html: str) -> str:
    """Sanitized HTML with each ``<img>`` of a library image given its copies and size; others untouched.

    Runs on HTML already sanitized (``pnyx.markup``), whose attributes are always double-quoted; the
    writer's alt text and title are kept.
    """
    prefix = default_storage.url("")
    sources = {m.group(1) for m in _SRC.finditer(html) if m.group(1).startswith(prefix)}
    if not sources:
        return html
    names = {source[len(prefix) :]: source for source in sources}
    images = {names[image.file.name]: image for image in Image.objects.filter(file__in=names)}

    def sized(match: re.Match) -> str:
        attributes = match.group(1)
        src = _SRC.search(attributes)
        image = images.get(src.group(1)) if src else None
        if image is None:
            return match.group(0)
        kept = _SIZED.sub("", attributes).rstrip(" /")
        return format_html(
            '<img{} srcset="{}" sizes="{}" width="{}" height="{}" loading="lazy" decoding="async">',
            SafeString(kept),  # written out escaped by the sanitizer
            image.srcset,
            COLUMN,
            image.width,
            image.height,
        )

    return _IMG.sub(sized, html)


def absolute(html: str, *, base: str) -> str:
    """``html`` with the library's addresses made absolute under ``base``, for a page read elsewhere (a
    feed reader resolves a relative address against the feed, or not at all). An S3 store's are already."""
    prefix = default_storage.url("")
    if not prefix.startswith("/"):
        return html
    # An address starts an attribute value ("…) or a later entry of a srcset (, …).
    return html.replace(f'"{prefix}', f'"{base}{prefix}').replace(f", {prefix}", f", {base}{prefix}")
