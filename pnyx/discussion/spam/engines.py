"""The engines switched on in the moderation settings, asked about one comment; and what they are told
when a moderator overrules them (Akismet learns from ``submit-spam`` / ``submit-ham``)."""

import logging
from collections.abc import Callable

from django.conf import settings

from ..lifecycle import Change
from ..models import Comment
from ..rulebook import ModerationSettings, rulebook
from . import Answer, spamd
from .akismet import Akismet, fields_of

logger = logging.getLogger(__name__)

Engine = tuple[str, Callable[[Comment], Answer]]


def _permalink(comment: Comment) -> str:
    return settings.PNYX_BASE_URL.rstrip("/") + comment.thread.path


def akismet_of(config: ModerationSettings) -> Akismet:
    return Akismet(
        endpoint=config.akismet_endpoint,
        key=config.akismet_key,
        blog=settings.PNYX_BASE_URL,
        timeout=config.engine_timeout,
    )


def _ask_spamd(config: ModerationSettings) -> Callable[[Comment], Answer]:
    def ask(comment: Comment) -> Answer:
        message = spamd.message_of(
            name=comment.display_name,
            email=comment.author_email,
            url=comment.author_url,
            ip=comment.ip,
            body=comment.body,
            title=str(comment.thread),
            when=comment.created_at,
        )
        return spamd.check(message, host=config.spamd_host, port=config.spamd_port, timeout=config.engine_timeout)

    return ask


def _ask_akismet(config: ModerationSettings) -> Callable[[Comment], Answer]:
    client = akismet_of(config)
    return lambda comment: client.comment_check(fields_of(comment=comment, permalink=_permalink(comment)))


def engines(config: ModerationSettings) -> list[Engine]:
    """The engines switched on, cheapest first: spamd on the same network, then Akismet over the Internet."""
    chosen = []
    if config.spamd_enabled:
        chosen.append(("SpamAssassin", _ask_spamd(config)))
    if config.akismet_enabled and config.akismet_key:
        chosen.append(("Akismet", _ask_akismet(config)))
    return chosen


def on_comment_changed(sender, *, changes: list[Change], **kwargs) -> None:
    """A moderator marking spam what was not, or rescuing what was: Akismet is told, so it learns."""
    overruled = {
        c.comment_id: ("submit_spam" if c.new == Comment.Status.SPAM else "submit_ham")
        for c in changes
        if c.via == Comment.Via.MODERATOR
        and c.old is not None
        and ((c.new == Comment.Status.SPAM) != (c.old == Comment.Status.SPAM))
        and c.new in (Comment.Status.SPAM, Comment.PUBLIC)
    }
    if not overruled:  # nearly every change (each new comment): no need to read the settings
        return
    config = rulebook().settings
    if not (config.akismet_enabled and config.akismet_key):
        return
    client = akismet_of(config)
    for comment in Comment.objects.filter(pk__in=overruled).select_related("thread", "user"):
        try:
            getattr(client, overruled[comment.pk])(fields_of(comment=comment, permalink=_permalink(comment)))
        except Exception:  # the moderator's change is made; a lesson not sent is logged, never an error
            logger.warning("could not tell Akismet about comment %s", comment.pk, exc_info=True)
