"""Password-protected posts, as WordPress has them: the post's page asks for the password, and the
password opens it in this browser.

The locked page is the same for everyone, so it is kept like any page. Opening it sets a signed,
HTTP-only cookie naming the post and a digest of its password (a new password locks every browser
out again); a request that carries the cookie bypasses the front (``COOKIE``) and gets the post
rendered for it alone, never kept. Its comments are behind the password too.
"""

import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .models import Post

COOKIE = "pnyx_postpass"
"""The front sends a request carrying this cookie to Django, uncached (``pnyx.wsgi``)."""

_SALT = "pnyx.blog.protection"
_MAX_POSTS = 20  # the cookie stays small whatever a reader opens
_DAYS = 10  # as WordPress keeps its post password cookie


def _digest(post: Post) -> str:
    return hashlib.blake2b(f"{post.pk}:{post.password}".encode(), digest_size=12).hexdigest()


def _opened(request: HttpRequest) -> dict[str, str]:
    try:
        opened = signing.loads(request.COOKIES.get(COOKIE, ""), salt=_SALT, max_age=_DAYS * 86400)
    except signing.BadSignature:
        return {}
    return opened if isinstance(opened, dict) else {}


def is_locked(request: HttpRequest, post: Post) -> bool:
    """Whether ``post`` has a password this browser has not given (since it last changed)."""
    if not post.password:
        return False
    return not hmac.compare_digest(_opened(request).get(str(post.pk), ""), _digest(post))


def post_unlock(request: HttpRequest, response: HttpResponse, *, post: Post, password: str) -> bool:
    """Open ``post`` in this browser if ``password`` is its password; False (and nothing set) if not."""
    if not post.password or not hmac.compare_digest(password.encode(), post.password.encode()):
        return False
    opened = _opened(request)
    opened.pop(str(post.pk), None)
    opened[str(post.pk)] = _digest(post)
    opened = dict(list(opened.items())[-_MAX_POSTS:])
    response.set_cookie(
        COOKIE,
        signing.dumps(opened, salt=_SALT, compress=True),
        max_age=_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return True
