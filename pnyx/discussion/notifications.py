"""Who hears of a comment by mail, decided at the lifecycle's after-commit point.

- A reader's new held comment: the moderators (staff with an address), with one-click links; and the
  address itself when it looks like a regular on a new browser (``confirmation``). The held comments one
  task run finds reach each moderator as one mail: a wave of them is a few mails listing them, not one
  each, which the hourly limit would cut off after twenty.
- A comment readers can now see (posted straight through, or approved from held): the author of the
  comment it answers, if they asked for replies, and the post's author. One mail per address, the most
  specific reason first, and never one to the comment's own author about their own comment; then, by a
  task, the post's followers (``following``), of what none of these mails told them.
- A held comment a moderator approved: its author, when the address is known to be theirs (a signed-in
  account, or a guest who asked for replies from a browser that confirmed it).

Every mail is decided by the notice task after the change commits and written into the outbox, then
sent by the worker. A change marks its line in the comment's history until its mails are written, so a
comment POST pays a look at the queue, and the worker one task for many changes. An address turns a
reason off with the unsubscribe link of any such mail (for a post's author, that is the per-author
setting). Imported comments mail nobody.
"""

import logging
import uuid
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from pnyx.identity.confirmation import may_send_confirmation
from pnyx.outbox.conf import conf as outbox_conf
from pnyx.outbox.models import Reason
from pnyx.outbox.services import email_queue, one_line
from pnyx.outbox.subscriptions import subscribers
from pnyx.precompiled import Precompiled

from .conf import conf
from .confirmation import confirmation_queue, mail_name, needs_confirmation
from .lifecycle import Change
from .models import Comment, CommentEvent, ModerationSettings
from .moderation import moderator_accounts
from .moderation_links import moderation_url

logger = logging.getLogger(__name__)


def on_comment_changed(sender, *, changes: list[Change], **kwargs) -> None:
    """A change that mails someone was marked in its transaction (``Change.notice``, on its line of the
    comment's history); once it has committed, the notice task is called to write the mails."""
    if any(change.notice for change in changes):
        notices_ring()


_rung: tuple[str, str] | None = None
"""The task backend (``PNYX_TASKS``) and id of the notice task this process queued last."""


def notices_ring() -> None:
    """Have the notice task write the mails the marked changes owe: queue one, unless the one this process
    queued last has not started yet, since it will find this change's mark when it starts.

    The task waits ``NOTICE_DELAY`` (a second) before it starts, so the changes of that second, from
    every process, are told in one run: under a wave, a task per comment that found the last one already
    started cost RQ's worker 2 ms of CPU a comment and the web 1 ms to queue it (``bench/front.py``,
    2026-11-25), and every run mailed each moderator the held comments it found.

    Why not a task per change: queuing one was a sixth of a comment POST's CPU on RQ (0.65 of 3.8 ms), and
    running one cost the worker more than writing the mail; in a wave of held comments, the worker now
    runs one task for many. When the queue cannot be asked or cannot take the task, the mails are written
    here instead: late is fine, lost is not.
    """
    global _rung
    from .tasks import notify_changes  # the tasks build on this module

    try:
        if _rung is not None and _rung[0] == settings.PNYX_TASKS and _not_started(_rung[1]):
            return
        task = notify_changes
        if conf.NOTICE_DELAY:
            task = task.using(run_after=timezone.now() + timedelta(seconds=conf.NOTICE_DELAY))
        _rung = (settings.PNYX_TASKS, task.enqueue().id)
    except Exception:
        _rung = None
        logger.exception("could not queue the notice task; writing the mails now")
        notices_write()


def _not_started(task_id: str) -> bool:
    """Whether a task is still waiting in the queue: one read (the backends' ``get_result`` reads much more).

    Every comment POST that mails someone asks this, so on the database backend the read is compiled once
    per process (``Precompiled``): the ORM's ``exists()`` compiled it anew each time, 0.37 ms of a POST's
    5 ms of CPU (bench/README.md, 2026-11-25)."""
    if settings.PNYX_TASKS == "redis":
        from rq.job import Job, JobStatus

        from pnyx.rediscache import queue_client

        status = queue_client().hget(Job.key_for(task_id), "status")
        return status in (JobStatus.QUEUED.value.encode(), JobStatus.SCHEDULED.value.encode())
    return _waiting_task.first(uuid.UUID(task_id)) is not None


def _waiting(task_id: uuid.UUID) -> QuerySet:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.READY).values_list("pk")[:1]


_waiting_task = Precompiled(_waiting)


def notices_write(*, batch: int = 100) -> int:
    """Write the mails that every marked change owes, oldest first; returns how many changes were done.

    The changes of a batch are claimed together (``_claim``: their marks read and cleared in one short
    transaction), and then their mails are written: two workers at it never write a change's mails twice.
    Each batch's claim is a short write of its own, not one transaction around the mails: SQLite's
    transaction holds the database's one write lock, and held while the worker (at a lower priority than
    the web) waited for the CPU, twenty changes' mails made comment POSTs wait 600 ms (``bench/front.py``).
    Until 2026-11-25 each change was claimed by an UPDATE of its own: half of the worker's CPU for a held
    comment, and one more turn at SQLite's write lock each. The held comments of a batch are told of
    together (``held_notify``). A worker killed between a claim and the mails loses those changes' mails,
    as a task lost with them always did.
    """
    done = 0
    while True:
        owed = _claim(batch)
        held = []
        for comment_id, kind in owed:
            if kind == "held":
                held.append(comment_id)
            else:
                comment_notify(comment_id=comment_id, kind=kind)
        if held:
            held_notify(held, moderators())
        done += len(owed)
        if len(owed) < batch:
            return done


def _claim(batch: int) -> list[tuple[int, str]]:
    """Take the mails of up to ``batch`` marked changes for this run, oldest first: ``(comment, kind)``
    for each, its mark cleared. A change another run holds is skipped on PostgreSQL (its row is
    locked until that run's claim commits, and then it is no longer marked); on SQLite the transaction
    holds the one write lock, and the other run waits for it and then finds the marks cleared."""
    with transaction.atomic():
        owed = CommentEvent.objects.select_for_update(skip_locked=True).exclude(notice="").order_by("pk")
        owed = list(owed.values_list("pk", "comment_id", "notice")[:batch])
        if owed:
            CommentEvent.objects.filter(pk__in=[pk for pk, _comment_id, _kind in owed]).update(notice="")
    return [(comment_id, kind) for _pk, comment_id, kind in owed]


def notices_requeue_stale() -> None:
    """Queue the notice task if a change's mails have waited ``STALE_AFTER`` (its task was lost: a worker
    killed, a queue emptied); the worker looks when it starts and every few minutes."""
    from .tasks import notify_changes

    cutoff = timezone.now() - timedelta(seconds=outbox_conf.STALE_AFTER)
    if CommentEvent.objects.exclude(notice="").filter(at__lt=cutoff).exists():
        notify_changes.enqueue()


def comment_notify(*, comment_id: int, kind: str) -> None:
    """Write the mails of one change that made a comment public (``Change.notice``: published or
    approved), as the comment is now."""
    comment = _published_comment.first(comment_id)
    if comment is None or not comment.is_public:  # hidden again before the task ran: nobody is told of it
        return
    comment_published_notify(comment)
    if kind == "approved":
        comment_approved_notify(comment)


# The task runs the queries below for every change, each the same shape every time: they are compiled
# once per process (``pnyx.precompiled``). Building and compiling them was most of a held comment's task
# (9 ms of CPU with nobody to mail, beside the comment POST's 14.5 ms on the same machine).
# A held comment's notices name its thread and author only; a published one's reach the post's author and
# the replied-to too. Each row joined costs the worker its columns and its object.
_held_comments = Precompiled(
    lambda *pks: Comment.objects.select_related("thread", "user").filter(pk__in=pks).order_by("pk")
)
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


HELD_LIST = 20
"""At most this many held comments in one mail to a moderator, each with its links; the desk lists them all."""


def held_notify(comment_ids: list[int], team: list[AbstractBaseUser]) -> None:
    """Tell of held comments that still wait: each moderator in ``team`` by one mail (``held`` for one
    comment, ``held_list`` for several), never about a comment under their own address; and a regular on
    a new browser, by a link to confirm it (``confirmation``)."""
    comments = [comment for comment in _held_comments(*comment_ids) if comment.status == Comment.Status.PENDING]
    threads = {}
    for comment in comments:
        # One object per thread, so that its pages' bounds (``url_in``) are read once, not once a comment.
        comment.thread = threads.setdefault(comment.thread_id, comment.thread)
        if needs_confirmation(comment) and may_send_confirmation(comment.author_email):
            confirmation_queue(comment)
    # A comment's lines are made once for every moderator it goes to, and only if it is listed (20 of a batch).
    describe = cache(mail_context)
    for moderator in team:
        theirs = moderator.email.strip().lower()
        waiting = [comment for comment in comments if own_address(comment) != theirs]
        if len(waiting) == 1:
            [comment] = waiting
            context = {**describe(comment), **_moderation_links(comment, moderator)}
            email_queue(
                to=moderator.email, reason=Reason.HELD, template="discussion/mail/held", context=context, about=comment
            )
        elif waiting:
            listed = [
                {**describe(c), "excerpt": one_line(c.body, limit=200), **_moderation_links(c, moderator)}
                for c in waiting[:HELD_LIST]
            ]
            context = {
                "count": len(waiting),
                "comments": listed,
                "more": len(waiting) - len(listed),
                "desk_url": settings.PNYX_BASE_URL + reverse("desk:index"),
            }
            email_queue(to=moderator.email, reason=Reason.HELD, template="discussion/mail/held_list", context=context)


def _moderation_links(comment: Comment, moderator: AbstractBaseUser) -> dict[str, str]:
    return {f"{action}_url": moderation_url(comment, action, moderator) for action in ("approve", "spam", "trash")}


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
