"""``pnyx import export.xml --media``: a WordPress blog's images brought into the library.

After the posts are in, the export is read once more for its attachments (their address, alt text and
title) and each post's featured image (``_thumbnail_id``). Every image a post shows that is an attachment,
or lies on the blog's own host, is fetched (with a timeout and ``PNYX_MEDIA_MAX_BYTES``) and stored through
``pnyx.media.images``, with the same checks as an upload; the post's text is then rewritten to the local
copy. WordPress's resized copies (``photo-300x200.jpg``, ``photo.jpg?w=300``) are replaced by their
original, whose own smaller copies pnyx makes. What cannot be fetched, and why, is listed in the report;
those posts keep linking to the old address. Fetched images are known by their address, so importing
again fetches nothing twice.
"""

import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from pnyx.blog.models import Post
from pnyx.media.conf import conf
from pnyx.media.images import image_create
from pnyx.media.models import Image

from . import wxr
from .report import Report

_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc=(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


@dataclass(frozen=True)
class Attachment:
    url: str
    alt: str


class Unfetched(Exception):
    """Why one address could not be brought in: said in the report, beside the address."""


def import_media(path: Path, *, report: Report) -> None:
    site, attachments, thumbnails = _read(path)
    by_url = {a.url: a for a in attachments.values()}
    posts = Post.objects.filter(import_ref__startswith=f"wxr:{site}:").select_related("featured_image")
    images: dict[str, Image | None] = {}
    local = default_storage.url("")
    for post in posts:
        changes: dict[str, str] = {}
        for raw in {m.group(2) for m in _IMG_SRC.finditer(post.body)}:
            src = html.unescape(raw).strip()
            source = None if src.startswith(local) else _source(src, site=site, attachments=by_url)
            if source is not None and (image := _image(source, by_url.get(source), images, report)) is not None:
                changes[raw] = changes[html.escape(source)] = html.escape(image.url)  # a link to the original too
        featured, was_featured = attachments.get(thumbnails.get(post.import_ref, "")), post.featured_image_id
        if featured is not None and post.featured_image is None:
            post.featured_image = _image(featured.url, featured, images, report)
        if changes or post.featured_image_id != was_featured:
            for old in sorted(changes, key=len, reverse=True):  # a longer address before one it begins with
                post.body = post.body.replace(old, changes[old])
            with transaction.atomic():
                post.save(update_fields=["body", "featured_image"])
            report.notes["posts now showing images from the library"] += 1


def _read(path: Path) -> tuple[str, dict[str, Attachment], dict[str, str]]:
    """The blog's address; its attachments by WordPress id; each post's featured attachment id by import ref."""
    addresses: dict[str, str] = {}
    site = ""
    attachments: dict[str, Attachment] = {}
    thumbnails: dict[str, str] = {}
    for name, element in wxr._channel(path, None):
        if name in ("wp:base_blog_url", "wp:base_site_url", "link"):
            addresses[name] = (element.text or "").strip().rstrip("/")
        if name != "item":
            continue
        site = site or wxr.site_address(addresses)
        fields = {wxr.tag_name(child.tag): child.text or "" for child in element if len(child) == 0}
        meta = {}
        for child in element:
            if wxr.tag_name(child.tag) == "wp:postmeta":
                pair = {wxr.tag_name(part.tag): part.text or "" for part in child}
                meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
        kind = fields.get("wp:post_type", "post")
        if kind == "attachment" and (url := fields.get("wp:attachment_url", "").strip()):
            alt = meta.get("_wp_attachment_image_alt", "").strip() or wxr._plain(fields.get("title", ""))
            attachments[fields.get("wp:post_id", "").strip()] = Attachment(url=url, alt=alt)
        elif kind in ("post", "page") and (thumbnail := meta.get("_thumbnail_id", "").strip()):
            where = wxr._where(0, fields)
            thumbnails[wxr._ref(site, fields, path=path, where=where)] = thumbnail
    return site, attachments, thumbnails


def _source(src: str, *, site: str, attachments: dict[str, Attachment]) -> str | None:
    """The address to fetch for an image a post shows: its attachment's original where WordPress resized
    it, the address itself when it is on the blog's host; None for another site's image."""
    url = urljoin(site + "/", src)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    plain = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    for candidate in (url, plain, _RESIZED.sub("", plain)):
        if candidate in attachments:
            return candidate
    if parts.hostname and parts.hostname.removeprefix("www.") == (urlsplit(site).hostname or "").removeprefix("www."):
        return urlunsplit((parts.scheme, parts.netloc, _RESIZED.sub("", parts.path), parts.query, ""))
    return None


def _image(url: str, attachment: Attachment | None, images: dict[str, Image | None], report: Report) -> Image | None:
    """The library's image of ``url``: fetched once per import, and never again once stored."""
    if url in images:
        return images[url]
    image = Image.objects.filter(source_url=url).first()
    if image is not None:
        report.existing["images"] += 1
    else:
        name = PurePosixPath(unquote(urlsplit(url).path)).name or "image"
        alt = attachment.alt if attachment and attachment.alt else ""
        try:
            data = fetch(url)
            if not alt:
                report.notes["images without alt text (named after their file: describe them in the admin)"] += 1
            image = image_create(
                upload=ContentFile(data, name=name), alt=alt or PurePosixPath(name).stem, source_url=url[:1000]
            )
            report.created["images"] += 1
        except Unfetched as reason:
            report.unfetched[url] = str(reason)
        except ValidationError as refused:
            report.unfetched[url] = refused.messages[0]
    images[url] = image
    return image


def fetch(url: str) -> bytes:
    """The file at ``url``, at most ``PNYX_MEDIA_MAX_BYTES``; ``Unfetched`` says why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise Unfetched("not an http or https address")
    user_agent = {"User-Agent": "pnyx-import (images of a moved blog)"}
    request = urllib.request.Request(url, headers=user_agent)  # noqa: S310 (http(s) only, checked above)
    most, timeout = conf.MAX_BYTES, conf.FETCH_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > most:
                raise Unfetched(f"{filesizeformat(int(length))}, more than the {filesizeformat(most)} allowed")
            data = response.read(most + 1)
    except urllib.error.HTTPError as error:
        raise Unfetched(f"the server answered {error.code} {error.reason}") from None
    except TimeoutError:
        raise Unfetched(f"no answer within {timeout} seconds") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise Unfetched(f"no answer within {timeout} seconds") from None
        raise Unfetched(f"could not connect ({error.reason})") from None
    except OSError as error:
        raise Unfetched(f"the connection failed ({error})") from None
    if len(data) > most:
        raise Unfetched(f"more than the {filesizeformat(most)} allowed")
    return data
