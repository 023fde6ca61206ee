"""Who hears of a comment by mail, decided at the lifecycle's after-commit point.

- A reader's new held comment: the moderators (staff with an address), with one-click links; and the
  address itself when it looks like a regular on a new browser (``confirmation``).
- A comment readers can now see (posted straight through, or approved from held): the author of the
  comment it answers, if they asked for replies, and the post's author. One mail per address, the most
  specific reason first, and never one to the comment's own author about their own comment; then, by a
  task, the post's followers (``following``), of what none of these mails told them.
- A held comment a moderator approved: its author, when the address is known to be theirs (a signed-in
  account, or a guest who asked for replies from a browser that confirmed it).

Every mail is decided by a task after the change commits (a comment POST pays one queued task) and
written into the outbox, then sent by the worker; an address turns a reason off with
the unsubscribe link of any such mail (for a post's author, that is the per-author setting). Imported
comments mail nobody.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from pnyx.identity.confirmation import may_send_confirmation
from pnyx.outbox.conf import conf as outbox_conf
from pnyx.outbox.models import Reason
from pnyx.outbox.services import email_queue, one_line
from pnyx.outbox.subscriptions import subscribers
from pnyx.precompiled import Precompiled

from .confirmation import confirmation_queue, mail_name, needs_confirmation
from .lifecycle import Change
from .models import Comment, ModerationSettings
from .moderation import moderator_accounts
from .moderation_links import moderation_url

logger = logging.getLogger(__name__)


def on_comment_changed(sender, *, changes: list[Change], **kwargs) -> None:
    """Hand each change that mails someone to a task (``tasks.notify_comment``): the request that made it
    pays one queued task whoever is to be mailed, and the task decides and writes the mails. When the
    queue cannot take the task, the mails are decided here instead: late is fine, lost is not."""
    from .tasks import notify_comment  # the tasks build on this module

    for change in changes:
        if (kind := _kind(change)) is None:
            continue
        try:
            notify_comment.enqueue(change.comment_id, kind)
        except Exception:
            logger.exception("could not queue the mails of comment %s; deciding them now", change.comment_id)
            comment_notify(comment_id=change.comment_id, kind=kind)


def _kind(change: Change) -> str | None:
    """What a change is to the mail: a reader's new comment held ("held"), a comment readers can now see
    ("published"), or one a moderator approved from held ("approved": published, and its author told)."""
    if change.via == Comment.Via.IMPORT:
        return None
    if change.old is None and change.new == Comment.Status.PENDING and change.via == Comment.Via.RULES:
        return "held"
    if change.new == Comment.PUBLIC and change.old in (None, Comment.Status.PENDING):
        moderated = change.old == Comment.Status.PENDING and change.via == Comment.Via.MODERATOR
        return "approved" if moderated else "published"
    return None


def comment_notify(*, comment_id: int, kind: str) -> None:
    """Write the mails of one change (``_kind``) into the outbox, as the comment is now."""
    comment = (_held_comment if kind == "held" else _published_comment).first(comment_id)
    if comment is None:
        return
    if kind == "held":
        if comment.status == Comment.Status.PENDING:  # approved or binned meanwhile: nothing waits
            comment_held_notify(comment)
        return
    if not comment.is_public:  # hidden again before the task ran: nobody is told of it
        return
    comment_published_notify(comment)
    if kind == "approved":
        comment_approved_notify(comment)


# The task runs the queries below for every comment, each the same shape every time: they are compiled
# once per process (``pnyx.precompiled``). Building and compiling them was most of a held comment's task
# (9 ms of CPU with nobody to mail, beside the comment POST's 14.5 ms on the same machine).
# A held comment's notices name its thread and author only; a published one's reach the post's author and
# the replied-to too. Each row joined costs the worker its columns and its object.
_held_comment = Precompiled(lambda pk: Comment.objects.select_related("thread", "user").filter(pk=pk))
_published_comment = Precompiled(
    lambda pk: Comment.objects.select_related("thread__post__author", "user", "parent__user").filter(pk=pk)
)


def _with_address():
    return moderator_accounts().exclude(email="").order_by("pk")


_staff_with_address = Precompiled(_with_address)
_named_with_address = Precompiled(lambda: _with_address().filter(moderator_of__pk=1))
_naming = Precompiled(lambda: ModerationSettings.objects.filter(pk=1, moderators__isnull=False).values_list("pk")[:1])


def moderators() -> list[AbstractBaseUser]:
    """Who is mailed about held comments: the moderators (``moderation.may_moderate``) with an address
    that the admin named in the moderation settings, or, when it named none, every one of them."""
    return _named_with_address() if _naming.first() is not None else _staff_with_address()


def own_address(comment: Comment) -> str:
    return ((comment.user.email if comment.user_id else comment.author_email) or "").strip().lower()


def mail_context(comment: Comment) -> dict:
    return {
        "title": one_line(comment.thread.title, limit=100),
        "name": mail_name(comment.display_name),
        "excerpt": one_line(comment.body, limit=500),
        # Its thread came with it (``comment_notify``, ``following``), read after the change committed.
        "url": settings.PNYX_BASE_URL + comment.url_in(comment.thread),
        "reason": comment.status_reason,
    }


def comment_held_notify(comment: Comment) -> None:
    if needs_confirmation(comment) and may_send_confirmation(comment.author_email):
        confirmation_queue(comment)
    context = mail_context(comment)
    own = own_address(comment)
    for moderator in moderators():
        if moderator.email.strip().lower() == own:
            continue
        links = {f"{action}_url": moderation_url(comment, action, moderator) for action in ("approve", "spam", "trash")}
        email_queue(
            to=moderator.email,
            reason=Reason.HELD,
            template="discussion/mail/held",
            context={**context, **links},
            about=comment,
        )


def direct_recipients(comment: Comment) -> dict[str, tuple[str, str]]:
    """Who hears of a comment readers can now see by name, each address once with its most specific
    reason (and template): the replied-to, then the post's author. Never the comment's own author; the
    post's followers hear after these, of what none of these reasons covered (``following``)."""
    recipients: dict[str, tuple[str, str]] = {}
    parent = comment.parent
    if parent is not None and parent.notify_replies and parent.is_public:
        recipients.setdefault(own_address(parent), (Reason.REPLY, "discussion/mail/reply"))
    post = comment.thread.post
    if post is not None and post.author is not None and post.author.email:
        recipients.setdefault(post.author.email.strip().lower(), (Reason.NEW_COMMENT, "discussion/mail/new_comment"))
    recipients.pop(own_address(comment), None)
    recipients.pop("", None)
    return recipients


def comment_published_notify(comment: Comment) -> None:
    """One mail per address for a comment readers can now see, the most specific reason first; the
    post's followers through a task (``following``)."""
    followers_queue(comment)
    recipients = direct_recipients(comment)
    if not recipients:
        return
    parent = comment.parent
    context = mail_context(comment)
    if parent is not None:
        context["parent_name"] = mail_name(parent.display_name)
    for to, (reason, template) in recipients.items():
        email_queue(to=to, reason=reason, template=template, context=context, about=comment)


def followers_queue(comment: Comment) -> None:
    """A task for the post's followers, if it has any (one query here; the task does the rest)."""
    if not subscribers(comment.thread).exists():
        return
    from .tasks import notify_followers  # the task builds on this module (``following``)

    minutes = outbox_conf.DIGEST_MINUTES
    try:
        if minutes:
            notify_followers.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue(comment.thread_id)
        else:
            notify_followers.enqueue(comment.thread_id, comment.pk)
    except Exception:  # the queue is down: a digest's next task covers this comment too; the others go on
        logger.exception("could not queue the followers' mail for comment %s", comment.pk)


def comment_approved_notify(comment: Comment) -> None:
    """Tell the author their held comment is up; only at an address known to be theirs, never one anyone
    could have typed into the form."""
    if comment.user_id is None and not comment.notify_replies:
        return
    if to := own_address(comment):
        email_queue(
            to=to,
            reason=Reason.APPROVED,
            template="discussion/mail/approved",
            context=mail_context(comment),
            about=comment,
        )
