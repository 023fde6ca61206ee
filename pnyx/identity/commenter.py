"""Who is commenting, and what they have proven. The one place that says what each proof is worth.

A typed name or email proves nothing: anyone can type a regular's address (WordPress and Isso let
such a comment straight through). pnyx knows three proofs, each reaching only as far as written here.

1. **An account.** A signed-in reader is their account, whatever they type. It reaches the comments
   written while signed in. It lasts as long as the session; a moderator revokes it by deactivating
   the account, the reader by logging out.
2. **This browser's own comments.** A signed, HttpOnly cookie lists the comments written in this
   browser. Once a *moderator* approved one of them (or the rules approved it because the browser was
   already proven), this browser is proven for that comment's address, under that comment's name. A
   comment published through an emailed link proves nothing to the browser that wrote it: the link
   proved the address to whoever opened it, and a stranger may have typed a regular's address.
3. **A confirmed address.** Opening a confirmation link and pressing *publish* proves the address to
   *the browser in which that was done*, under the name of the comment it confirmed; the cookie
   records the address, the name and when. It lasts a year (``conf.ADDRESS_PROOF_MAX_AGE``).

What a proof allows is decided by the moderation rules (``pnyx.discussion.rules``): a proven identity
whose comment was approved before posts live, as long as it writes under its proven name; anything
else is held. Revoking: the commenter can make this browser forget them (``/you/forget/``), and can
answer a confirmation link with "It wasn't me", which revokes every proof of that address issued until
then, in every browser (``models.revoke``); a moderator revokes an address the same way, and marking
spam a comment that went live through a proof does it by itself. The cookie itself lasts a year from
the last comment.
"""

import time
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .conf import conf
from .models import revoked_at

_SALT = "pnyx.identity.commenter"


def same_name(a: str, b: str) -> bool:
    """Names compare as a reader would read them: case and spacing aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass
class Commenter:
    """The author of a comment being written: a signed-in user, or a guest with typed details and
    whatever this browser proves."""

    user: AbstractBaseUser | None = None
    name: str = ""
    email: str = ""
    url: str = ""
    written: list[int] = field(default_factory=list)
    """Ids of the comments this browser wrote (proof 2); the rules look at what became of them."""
    confirmed: dict[str, list] = field(default_factory=dict)
    """Addresses confirmed in this browser (proof 3): lower-cased address -> [name, unix time]."""

    @property
    def is_staff(self) -> bool:
        return bool(self.user is not None and self.user.is_staff)

    def confirmed_address(self) -> bool:
        """Has this browser confirmed the typed address, under the typed name, and is that still valid?"""
        entry = self.confirmed.get(self.email.strip().lower())
        if not entry or not same_name(entry[0], self.name):
            return False
        issued = entry[1]
        if time.time() - issued > conf.ADDRESS_PROOF_MAX_AGE:
            return False
        revoked = revoked_at(self.email)
        return revoked is None or revoked.timestamp() < issued


def read_cookie(request: HttpRequest) -> dict:
    """The browser's remembered details and proofs; empty if absent, forged or expired."""
    raw = request.COOKIES.get(conf.COOKIE_NAME)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=_SALT, max_age=conf.COOKIE_MAX_AGE)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def _written(data: dict) -> list[int]:
    ids = data.get("c", [])
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _confirmed(data: dict) -> dict[str, list]:
    entries = data.get("a", {})
    if not isinstance(entries, dict):
        return {}
    return {
        email: entry
        for email, entry in entries.items()
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], int)
    }


def written_ids(request: HttpRequest) -> list[int]:
    """The ids of the comments this browser wrote."""
    return _written(read_cookie(request))


def commenter_for(request: HttpRequest, *, name: str = "", email: str = "", url: str = "") -> Commenter:
    """The commenter behind a request: the signed-in user, or a guest with the details typed."""
    data = read_cookie(request)
    proofs = {"written": _written(data), "confirmed": _confirmed(data)}
    if request.user.is_authenticated:
        return Commenter(user=request.user, **proofs)
    return Commenter(name=name, email=email, url=url, **proofs)


def _store(response: HttpResponse, data: dict) -> None:
    response.set_cookie(
        conf.COOKIE_NAME,
        signing.dumps(data, salt=_SALT, compress=True),
        max_age=conf.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=conf.COOKIE_SECURE,
    )


def remember(response: HttpResponse, request: HttpRequest, *, commenter: Commenter, comment_id: int) -> None:
    """Add a comment to this browser's cookie, with the guest's details for next time."""
    data = read_cookie(request)
    data["c"] = [*_written(data), comment_id][-conf.COOKIE_MAX_WRITTEN :]
    if commenter.user is None:
        data.update(n=commenter.name, e=commenter.email, u=commenter.url)
    _store(response, data)


def prove_address(response: HttpResponse, request: HttpRequest, *, email: str, name: str) -> None:
    """Record in this browser's cookie that the address was confirmed here, now, under ``name``."""
    data = read_cookie(request)
    confirmed = _confirmed(data)
    confirmed[email.strip().lower()] = [name, int(time.time())]
    data["a"] = dict(sorted(confirmed.items(), key=lambda item: item[1][1])[-conf.COOKIE_MAX_WRITTEN :])
    data.setdefault("n", name)
    data.setdefault("e", email)
    _store(response, data)


def forget(response: HttpResponse) -> None:
    """This browser forgets the commenter: details and every proof it held."""
    response.delete_cookie(conf.COOKIE_NAME, samesite="Lax")
