"""A provider's picture of a reader, fetched once by the server and kept here.

The comment form shows the picture of the account a reader signed in with. Loading it from the provider
would tell the provider every page the reader opens, so the server fetches it once, at the first
sign-in, and the site serves it (``views.avatar``). Only small raster images are kept, recognised by
their bytes (never SVG, which can carry script); anything else leaves the reader without a picture.
"""

import logging

import requests
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from .models import Avatar

logger = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024
TIMEOUT = 5
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def _content_type(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in _SIGNATURES.items() if data.startswith(signature)), None)


def _fetch(url: str, *, redirects: bool) -> bytes | None:
    """The image's bytes, or None if it is missing, too big, slow or not an image."""
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=redirects) as response:
            response.raise_for_status()
            data = b""
            for chunk in response.iter_content(16 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    return None
            return data
    except requests.RequestException as error:
        logger.info("avatar not fetched from %s: %s", url, error)
        return None


def keep(*, user: AbstractBaseUser, url: str | None, redirects: bool = True) -> None:
    """Fetch ``url`` once for ``user``; a user who already has a picture keeps it. ``redirects=False`` for a
    provider anyone can run (Mastodon): its address was checked, where a redirect would lead was not."""
    if not url or not url.startswith(("https://", "http://")) or Avatar.objects.filter(user=user).exists():
        return
    data = _fetch(url, redirects=redirects)
    content_type = _content_type(data or b"")
    if data is None or content_type is None:
        return
    Avatar.objects.update_or_create(user=user, defaults={"image": data, "content_type": content_type, "source": url})


def url_of(user: AbstractBaseUser) -> str | None:
    """Where this site serves ``user``'s picture; None without one."""
    if not Avatar.objects.filter(user=user).exists():
        return None
    return reverse("identity:avatar", args=[user.pk])
