"""A comment's HTML: the costly part rendered once when the comment is written, the thread put together
around it in Python.

A thousand comments through Django's template engine (an include each, the localized ``date``
filter, the keyed avatar colour) cost a fifth of a second per cold render. What depends on the comment
alone (avatar, name with its link, the localized date) is rendered from ``_comment_meta.html`` when the
comment is saved and stored on it (``Comment.meta_html``), like its ``body_html``. What depends on the
page (depth, Reply links, the thread being open, the page number) is joined around the stored parts
here, every variable part escaped.

A stored fragment stays right because it carries a key (``meta_key``): a digest of everything it was
rendered with besides the comment (language, time zone, the template's source, Django's version, the
secret the avatar colour is keyed with). A page that meets a comment whose key differs renders it
again and stores it (``refresh_stale``), so changing ``PNYX_LANGUAGE`` or the template needs no
command; a signed-in commenter's new name is rendered into their comments when it is saved
(``on_user_saved``).
"""

import hashlib
import hmac
import logging
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import django
from django.conf import settings
from django.db import OperationalError
from django.dispatch import Signal
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import Comment
    from .threads import ThreadItem

logger = logging.getLogger(__name__)

META_TEMPLATE = "discussion/_comment_meta.html"

meta_rerendered = Signal()
"""Sent with ``thread_ids`` when stored fragments changed outside a comment's own save (a commenter's
new name): those threads' pages show something new."""


def meta_key() -> str:
    """The key of every fragment rendered now; a stored fragment with another key is out of date."""
    return _key(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _key(language: str, time_zone: str, secret: str) -> str:
    source = get_template(META_TEMPLATE).template.source
    material = "\0".join([language, time_zone, secret, django.get_version(), source])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def render_meta(*, name: str | Promise, email: str, url: str, created_at: datetime) -> str:
    """The avatar, the name (linked to the commenter's website) and the date, in the site's language
    and time zone whatever the request that happens to save the comment."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        return _render_meta(str(name), email, url, created_at)


def _render_meta(name: str, email: str, url: str, created_at: datetime) -> str:
    words = [w for w in name.split() if w[:1].isalnum()]
    source = (email or name).strip().lower()
    # Keyed with the site secret, so the page never carries a hash anyone could match to an email.
    digest = hmac.new(settings.SECRET_KEY.encode(), source.encode(), hashlib.sha256).digest()
    context = {
        "initials": "".join(w[0] for w in words[:2]).upper() or "?",
        "hue": digest[0] % 12,  # one of twelve colours, a CSS class (no inline style)
        "name": name,
        "url": url,
        "iso": created_at.isoformat(timespec="seconds"),  # validators refuse microseconds
        "created_at": created_at,
    }
    return render_to_string(META_TEMPLATE, context).strip()


def refresh_stale(comments: Iterable["Comment"]) -> None:
    """Render again the fragments of ``comments`` rendered under other settings, and store them.

    ``comments`` may have been read with only the fields a page shows: the stale ones are read again
    whole, in one query. Storing is a courtesy to the next page view: when the database is busy the
    fresh fragments are still shown, and stored by a later view.
    """
    from .models import Comment

    key = meta_key()
    stale = {comment.pk: comment for comment in comments if comment.meta_key != key}
    if not stale:
        return
    fresh = list(Comment.objects.filter(pk__in=stale).select_related("user"))
    for comment in fresh:
        stale[comment.pk].meta_html, stale[comment.pk].meta_key = comment.refresh_meta(), key
    try:
        Comment.objects.bulk_update(fresh, ["meta_html", "meta_key"], batch_size=500)
    except OperationalError:
        logger.warning("fragments of %d comments not stored: the database was busy", len(fresh))


def on_user_saved(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """A signed-in commenter's name is in their comments' fragments: render them again when it changes.

    A login saves the user too (``last_login``), so a save that names its fields and no name field is
    passed over, and one comment tells whether the name shown changed at all before touching the rest.
    """
    from .models import Comment

    if raw or (
        update_fields is not None and not {"first_name", "last_name", instance.USERNAME_FIELD} & set(update_fields)
    ):
        return
    comments = Comment.objects.filter(user=instance).select_related("user")
    first = comments.first()
    if first is None:
        return
    shown = (first.meta_html, first.meta_key)
    if (first.refresh_meta(), first.meta_key) == shown:
        return
    changed, threads = [], set()
    for comment in comments.iterator(chunk_size=500):
        comment.refresh_meta()
        changed.append(comment)
        threads.add(comment.thread_id)
    Comment.objects.bulk_update(changed, ["meta_html", "meta_key"], batch_size=500)
    meta_rerendered.send(sender=Comment, thread_ids=sorted(threads))


class _Words:
    """The page's translated words, looked up once per page rather than once per comment."""

    def __init__(self) -> None:
        self.reply = escape(gettext("Reply"))
        self.reply_to = gettext("Reply to %(name)s")
        self.awaiting = escape(gettext("Your comment is awaiting moderation."))
        self.removed = escape(gettext("This comment is no longer available."))
        self.deleted = escape(gettext("This comment was deleted."))


def comment_html(
    comment: "Comment",
    *,
    depth: int = 0,
    reply_to: int | None = None,
    reply_query: str = "",
    awaiting: bool = False,
    words: _Words | None = None,
) -> str:
    """One comment's ``<li>`` (left open, for its replies) around its stored fragment and body.

    ``reply_to`` is the comment its Reply link answers (None: no link); ``reply_query`` what the link's
    query starts with (the page, ``cpage=N&``) so that a reply without JavaScript stays on this page.
    """
    words = words or _Words()
    pk = comment.pk
    byline, _sep, date = comment.meta_html.rpartition("<time ")
    legacy = f'<span id="{escape(comment.legacy_anchor)}"></span>' if comment.legacy_anchor else ""
    note = f'\n      <p class="comment-awaiting-moderation">{words.awaiting}</p>' if awaiting else ""
    reply = ""
    if reply_to is not None:
        label = escape(words.reply_to % {"name": comment.display_name})
        reply = (
            f'<p class="reply"><a rel="nofollow" class="comment-reply-link" href="?{escape(reply_query)}'
            f'replytocom={reply_to}#respond" data-reply-to="{reply_to}" data-below="{pk}" aria-label="{label}">'
            f"{words.reply}</a></p>"
        )
    return (
        f'<li id="li-comment-{pk}" class="comment depth-{depth}{" awaiting" if awaiting else ""}">\n'
        f'  <article id="comment-{pk}" class="comment-body">{legacy}\n'
        f'    <footer class="comment-meta">\n'
        f"      {byline}"
        f'<a class="comment-permalink" href="#comment-{pk}"><time {date}</a>{note}\n'
        f"    </footer>\n"
        f'    <div class="comment-content">{comment.body_html}</div>\n'
        f"    {reply}\n"
        f"  </article>"
    )


def thread_html(items: list["ThreadItem"], *, is_open: bool, reply_query: str = "") -> SafeString:
    """The nested ``<ol>`` of a laid-out thread (``threads.build_thread``), without the template engine."""
    words = _Words()
    parts = ['<ol class="comment-list">']
    for item in items:
        if item.comment is None:
            parts.append(
                f'<li class="comment removed depth-{item.depth}"><div class="comment-body">'
                f'<p class="comment-removed">{words.deleted if item.deleted else words.removed}</p></div>'
            )
        else:
            reply_to = item.reply_to if is_open else None
            parts.append(
                comment_html(item.comment, depth=item.depth, reply_to=reply_to, reply_query=reply_query, words=words)
            )
        parts.append('<ol class="children">' if item.opens_replies else "</li>")
        parts.append("</ol></li>" * item.closes)
    parts.append("</ol>")
    return mark_safe("\n".join(parts))  # noqa: S308 (stored fragments and escaped values only)
