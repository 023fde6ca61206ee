"""One image's way into the library, whoever brings it (the writer's desk, the admin, ``pnyx import``).

``image_prepare`` reads the file by its content, never its name; refuses what is too large, is not a JPEG,
PNG, GIF or WebP, unpacks to too many pixels, or is damaged, each with a message the writer can act on;
re-encodes it, which drops EXIF, XMP and comments (a phone's photo says where it was taken) after turning
it upright as its EXIF orientation says, and makes narrower copies for ``srcset``; ``image_save`` stores
them all. Files are written before the row; if the row cannot be written, they are removed: nothing is half-stored.
"""

import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from .conf import WIDTHS, conf
from .models import Image

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
"""What browsers show everywhere, by Pillow's name, with the extension the stored file gets."""

_QUALITY = 85


@dataclass(frozen=True)
class Prepared:
    """An image checked and encoded, in memory, ready to be stored: what a form's validation hands over."""

    kind: str
    stem: str
    files: list[tuple[int, int, bytes]]
    """The re-encoded original, then its narrower copies, as (width, height, bytes)."""


def image_prepare(*, upload: File) -> Prepared:
    """Read and re-encode ``upload``, writing nothing; ``ValidationError`` says why it is refused."""
    picture, kind = _read(upload)
    stem = slugify(PurePath(upload.name or "").stem)[:60] or "image"
    return Prepared(kind=kind, stem=stem, files=_encoded(picture, kind))


def image_save(*, image: Image, prepared: Prepared) -> Image:
    """Store ``prepared``'s files and save ``image`` (its alt text and owner already set) with their names."""
    names = _store(prepared.files, stem=prepared.stem, ext=FORMATS[prepared.kind])
    try:
        (image.width, image.height, _data), *smaller = prepared.files
        image.file, *smaller_names = names
        image.variants = [[w, h, n] for (w, h, _data), n in zip(smaller, smaller_names, strict=True)]
        image.save()
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise
    return image


def image_create(*, upload: File, alt: str, uploaded_by=None, source_url: str = "") -> Image:
    """Check, clean and store ``upload`` as a library image (``pnyx import``; forms use the two steps)."""
    if not alt.strip():
        raise ValidationError(_("Say what the image shows (its alt text)."), code="alt")
    longest = Image._meta.get_field("alt").max_length  # an imported title may be longer; a form checks its own
    image = Image(alt=alt.strip()[:longest], uploaded_by=uploaded_by, source_url=source_url)
    return image_save(image=image, prepared=image_prepare(upload=upload))


def _read(upload: File) -> tuple[PILImage.Image, str]:
    """The decoded picture and its format, or the reason it is refused."""
    if upload.size is not None and upload.size > conf.MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; an image may be %(most)s at most.")
            % {"size": filesizeformat(upload.size), "most": filesizeformat(conf.MAX_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(conf.MAX_BYTES + 1)
    if len(data) > conf.MAX_BYTES:  # a stream that did not know its size
        raise ValidationError(
            _("This file is larger than %(most)s, the most an image may be.")
            % {"most": filesizeformat(conf.MAX_BYTES)},
            code="too_large",
        )
    not_image = ValidationError(
        _("This file is not an image pnyx takes: upload a JPEG, PNG, GIF or WebP."), code="not_image"
    )
    try:
        with PILImage.open(BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in FORMATS:
                raise not_image
            if width * height > conf.MAX_PIXELS:
                raise _too_many_pixels(width, height)
            probe.verify()
        picture = PILImage.open(BytesIO(data))
        picture.load()
    except UnidentifiedImageError:
        raise not_image from None
    except PILImage.DecompressionBombError:
        raise _too_many_pixels(0, 0) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(
            _("This image is damaged or incomplete (%(error)s): export it again and upload the new file.")
            % {"error": error},
            code="broken",
        ) from None
    return picture, kind


def _too_many_pixels(width: int, height: int) -> ValidationError:
    size = _("%(width)d × %(height)d pixels") % {"width": width, "height": height} if width else _("too many pixels")
    return ValidationError(
        _("This image is %(size)s; an image may have %(most)s million pixels at most: make it smaller first.")
        % {"size": size, "most": f"{conf.MAX_PIXELS / 1_000_000:g}"},
        code="too_many_pixels",
    )


def _encoded(picture: PILImage.Image, kind: str) -> list[tuple[int, int, bytes]]:
    """The picture written anew, upright and without metadata, then its narrower copies; as (width, height, bytes).

    An animated GIF keeps its frames and gets no copies: resizing frame by frame is slow and rarely worth it.
    """
    # Colours, not a secret: kept so photos look as taken; but a CMYK profile would be wrong on the RGB copy.
    icc_profile = picture.info.get("icc_profile") if picture.mode != "CMYK" else None
    if kind == "GIF":
        frames = {"save_all": True, "loop": picture.info.get("loop", 0), "duration": picture.info.get("duration")}
        picture.info = _drawing(picture.info)
        return [(picture.width, picture.height, _bytes(picture, kind, **frames))]
    picture = ImageOps.exif_transpose(picture)
    picture.info = _drawing(picture.info)  # EXIF, XMP, comments: never carried into the new file
    picture = _for_format(picture, kind)
    files = [(picture.width, picture.height, _bytes(picture, kind, icc_profile=icc_profile))]
    resizable = picture.convert("RGBA") if picture.mode == "P" else picture
    for width in WIDTHS:
        if width < picture.width:
            height = max(1, round(picture.height * width / picture.width))
            copy = resizable.resize((width, height), PILImage.Resampling.LANCZOS)
            files.append((width, height, _bytes(_for_format(copy, kind), kind, icc_profile=icc_profile)))
    return files


def _drawing(info: dict) -> dict:
    """What of a file's extra information is part of the picture (which palette entry is transparent)."""
    return {key: info[key] for key in ("transparency",) if key in info}


def _for_format(picture: PILImage.Image, kind: str) -> PILImage.Image:
    """The picture in a mode ``kind`` can store (a JPEG has no transparency and no palette)."""
    alpha = "A" in picture.getbands() or "transparency" in picture.info
    if kind == "JPEG" and picture.mode not in ("L", "RGB"):
        return picture.convert("RGB")
    if kind == "PNG" and picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return picture.convert("RGBA" if alpha else "RGB")
    if kind == "WEBP" and picture.mode not in ("RGB", "RGBA"):
        return picture.convert("RGBA" if alpha else "RGB")
    return picture


def _bytes(picture: PILImage.Image, kind: str, **options) -> bytes:
    if kind in ("JPEG", "WEBP"):
        options["quality"] = _QUALITY
    if kind == "JPEG":
        options.update(optimize=True, progressive=True)
    buffer = BytesIO()
    picture.save(buffer, kind, **{key: value for key, value in options.items() if value is not None})
    return buffer.getvalue()


def _store(files: list[tuple[int, int, bytes]], *, stem: str, ext: str) -> list[str]:
    """Each file under ``images/<year>/<month>/``, named so that no two uploads ever share a name."""
    folder = f"images/{timezone.now():%Y/%m}"
    base = f"{folder}/{stem}-{secrets.token_hex(4)}"
    names = []
    try:
        for index, (width, _height, data) in enumerate(files):
            name = f"{base}.{ext}" if index == 0 else f"{base}-{width}w.{ext}"
            names.append(default_storage.save(name, ContentFile(data)))
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise
    return names
