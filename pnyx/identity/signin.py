"""What a browser's session carries across signing in: how it signed in, and the comment it was writing.

A full-page sign-in leaves the post page for the provider's; whatever the reader typed must come back
with them. It travels in the session, never in a URL (a URL ends up in logs, histories and the
provider's referrer records), and only as far as this browser. Signing in keeps the session's data
(Django cycles the key, not the content); pnyx's own logout before a change of provider is followed by
putting the draft back (``views.login``).
"""

from dataclasses import asdict, dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import avatars, providers

_VIA = "pnyx.signin.via"
_DRAFT = "pnyx.signin.draft"
LOCAL = ""
"""``via`` of a session signed in with a local account (email and password)."""

DRAFT_MAX_LENGTH = 100_000
"""Longer than any comment pnyx takes, so the comment view, not this one, says what is too long."""


def record(request: HttpRequest, *, provider: str) -> None:
    """This session signed in through ``provider`` (an allauth provider id), or a local account."""
    request.session[_VIA] = provider


def via(request: HttpRequest) -> str:
    """The provider id this session signed in through; ``LOCAL`` for a local account."""
    return request.session.get(_VIA, LOCAL)


def local_path(request: HttpRequest, value: str) -> str:
    """``value`` if it is a path on this site, else empty: a draft only ever goes back where it came from."""
    if not value.startswith("/") or not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return ""
    return value


@dataclass(frozen=True)
class Draft:
    """A comment being written when its author left to sign in."""

    page: str
    """The post page's path."""
    action: str
    """Where the comment form posts (the thread's comment URL)."""
    text: str
    parent: str
    """The comment it replies to, as the form's hidden field held it ("" for none)."""
    js: bool
    """Whether the page's script ran: it restores the draft itself from the reader's JSON."""

    def reply_query(self) -> str:
        return f"?replytocom={self.parent}" if self.parent.isdigit() else ""


def keep_draft(request: HttpRequest, draft: Draft) -> None:
    request.session[_DRAFT] = asdict(draft)


def _stored(request: HttpRequest) -> Draft | None:
    data = request.session.get(_DRAFT)
    if not isinstance(data, dict):
        return None
    try:
        return Draft(**data)
    except TypeError:
        return None


def peek_draft(request: HttpRequest) -> Draft | None:
    return _stored(request)


def take_draft(request: HttpRequest, *, page: str) -> Draft | None:
    """The draft written on ``page``, handed over once: after that the page's own copy is the draft."""
    draft = _stored(request)
    if draft is None or draft.page != page:
        return None
    del request.session[_DRAFT]
    return draft


def account_of(request: HttpRequest) -> dict | None:
    """What the comment form shows of a signed-in reader: "You are commenting using your <provider>
    account", their name and picture (served from this site), and where Log Out goes."""
    user = request.user
    if not user.is_authenticated:
        return None
    return {
        "provider": providers.name_of(via(request), request),
        "provider_id": via(request) or providers.LOCAL,
        "name": user.get_full_name() or user.get_username(),
        "avatar": avatars.url_of(user),
        "logout": reverse("identity:logout"),
    }


def draft_for(request: HttpRequest, *, page: str) -> dict | None:
    """The draft left on ``page`` by a full-page sign-in, for the page's script to put back once."""
    draft = take_draft(request, page=page)
    return {"text": draft.text, "parent": draft.parent} if draft is not None else None
