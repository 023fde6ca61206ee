"""Who is commenting, and what they have proven.

A typed email proves nothing: anyone can type a regular's address (WordPress and Isso let such a
comment straight through). A guest proves an identity with the signed cookie that the browser which
wrote an approved comment carries: it lists the comments written in that browser, and a later
comment goes live only if one of *those* comments, under the same email, was approved.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponse

from pnyx.discussion.conf import conf

_SALT = "pnyx.identity.commenter"


@dataclass
class Commenter:
    """The author of a comment being written: a signed-in user, or a guest with typed details."""

    user: AbstractBaseUser | None = None
    name: str = ""
    email: str = ""
    url: str = ""
    own_comment_ids: list[int] = field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        return bool(self.user is not None and self.user.is_staff)

    def has_approved_comment(self) -> bool:
        """Has this identity, proven (by account, or by this browser's cookie), been approved before?"""
        from pnyx.discussion.models import Comment

        if self.user is not None:
            return Comment.objects.public().filter(user=self.user).exists()
        if not self.email or not self.own_comment_ids:
            return False
        return (
            Comment.objects.public()
            .filter(pk__in=self.own_comment_ids, author_email__iexact=self.email, user__isnull=True)
            .exists()
        )


def read_cookie(request: HttpRequest) -> dict:
    """The browser's remembered details and own comment ids; empty if absent, forged or expired."""
    raw = request.COOKIES.get(conf.COOKIE_NAME)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=_SALT, max_age=conf.COOKIE_MAX_AGE)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def own_comment_ids(request: HttpRequest) -> list[int]:
    ids = read_cookie(request).get("c", [])
    return [i for i in ids if isinstance(i, int)]


def commenter_for(request: HttpRequest, *, name: str = "", email: str = "", url: str = "") -> Commenter:
    """The commenter behind a request: the signed-in user, or a guest with the details typed."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        return Commenter(user=user, own_comment_ids=own_comment_ids(request))
    return Commenter(name=name, email=email, url=url, own_comment_ids=own_comment_ids(request))


def remember(response: HttpResponse, request: HttpRequest, *, commenter: Commenter, comment_id: int) -> None:
    """Add a new comment to this browser's signed cookie, with the guest's details for next time."""
    ids = [*own_comment_ids(request), comment_id][-conf.COOKIE_MAX_COMMENTS :]
    data = {"c": ids}
    if commenter.user is None:
        data.update(n=commenter.name, e=commenter.email, u=commenter.url)
    response.set_cookie(
        conf.COOKIE_NAME,
        signing.dumps(data, salt=_SALT, compress=True),
        max_age=conf.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
