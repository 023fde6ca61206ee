"""One lifecycle for a comment: how it comes into being and how its status changes.

Every way in goes through here: a reader's POST (``posting``), the emailed confirmation link, a
moderator's action in the admin (list actions and the edit form alike) or on the desk (``desk``), the
author's own edit or deletion (``own``), and an import (``CommentBatch``).
The thread's count follows in the same transaction as the change, and so does the line the change
leaves in the comment's history (``CommentEvent``: who or which rule, from which status to which, an
edit's old text, and the mails it still owes), except for an import's comments (see ``CommentEvent``).
Then, once that transaction has committed, every change reaches one point: the ``comment_changed``
signal, sent with ``changes=[Change(...), ...]``. What reacts to a change (the mails, page purges, the
spam engine's lessons) connects to that signal, so it never acts on a change that was rolled back, and
no change can happen without it.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal

from .models import Comment, CommentEvent, Thread

logger = logging.getLogger(__name__)

comment_changed = Signal()
"""Sent after commit, with ``changes``: the list of ``Change`` one transaction made."""


@dataclass(frozen=True, slots=True)
class Change:
    """This comment, from this status to that, by whom or what. Ids only: an import makes thousands."""

    comment_id: int
    thread_id: int
    old: str | None  # None: the comment is new
    new: str
    via: str
    edited: bool = False  # the text changed (old and new are then the same status)

    @property
    def changes_what_readers_see(self) -> bool:
        """Whether readers start or stop seeing the comment: what moves the thread's count."""
        return (self.old == Comment.PUBLIC) != (self.new == Comment.PUBLIC)

    @property
    def changes_pages(self) -> bool:
        """Whether the pages showing the thread must be rendered again: the above, or a public text edited."""
        return self.changes_what_readers_see or (self.edited and self.new == Comment.PUBLIC)

    @property
    def notice(self) -> str:
        """What the change is to the mail (``notifications``): a reader's new comment held ("held"), a
        comment readers can now see ("published"), one a moderator approved from held ("approved":
        published, and its author told), or nothing (""). An import's comments mail nobody."""
        if self.via == Comment.Via.IMPORT:
            return ""
        if self.old is None and self.new == Comment.Status.PENDING and self.via == Comment.Via.RULES:
            return "held"
        if self.new == Comment.PUBLIC and self.old in (None, Comment.Status.PENDING):
            moderated = self.old == Comment.Status.PENDING and self.via == Comment.Via.MODERATOR
            return "approved" if moderated else "published"
        return ""


Actor = AbstractBaseUser | None


def comment_create(*, comment: Comment, status: str, reason: str, via: str, actor: Actor = None) -> Change:
    """Save a new comment with the status that was decided for it."""
    comment.status, comment.status_reason, comment.status_via = status, reason[:200], via
    # No savepoint inside a caller's transaction (a reader's POST, the admin's save): nobody catches an
    # error between the three writes, so the caller's transaction rolls back whole, and a savepoint
    # would only cost two more statements.
    with transaction.atomic(savepoint=False):
        comment.save()
        change = Change(comment.pk, comment.thread_id, None, status, via)
        _audit(comment, change, actor=actor, what=reason)
        record([change])
    return change


def comment_set_status(*, comment: Comment, status: str, reason: str, via: str, actor: Actor = None) -> Change | None:
    """Move a comment to ``status``; None if it already had it (nothing changes, nothing is sent)."""
    with transaction.atomic():
        old = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).first()
        if old is None or old == status:
            return None
        comment.status, comment.status_reason, comment.status_via = status, reason[:200], via
        comment.save(update_fields=["status", "status_reason", "status_via"])
        change = Change(comment.pk, comment.thread_id, old, status, via)
        _audit(comment, change, actor=actor, what=reason)
        record([change])
    return change


def comment_set_body(*, comment: Comment, body: str, what: str, via: str, actor: Actor = None) -> Change | None:
    """Replace a comment's text, keeping the old one in its history; None if the text is the same.

    The text must already have passed the field's rules (``forms.clean_body``); its status stays: a
    caller that judges the new text again changes the status through ``comment_set_status``.
    """
    with transaction.atomic():
        row = Comment.objects.select_for_update().filter(pk=comment.pk).values_list("body", "status").first()
        if row is None or row[0] == body:
            return None
        old_body, status = row
        comment.body, comment.status = body, status
        comment.save(update_fields=["body"])
        change = Change(comment.pk, comment.thread_id, status, status, via, edited=True)
        _audit(comment, change, actor=actor, what=what, old_body=old_body)
        record([change])
    return change


def _audit(comment: Comment, change: Change, *, actor: Actor, what: str, old_body: str = "") -> None:
    CommentEvent.objects.create(
        comment=comment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        via=change.via,
        old_status=change.old or "",
        new_status=change.new,
        what=what[:200],
        old_body=old_body,
        notice=change.notice,
    )


def record(changes: Iterable[Change]) -> None:
    """Move the counts of the threads whose public comments changed, and send the changes once committed.

    Must run inside the transaction that made the changes.
    """
    changes = list(changes)
    deltas: dict[int, int] = defaultdict(int)
    for change in changes:
        if change.changes_what_readers_see:
            deltas[change.thread_id] += 1 if change.new == Comment.PUBLIC else -1
    # The pages' bounds are forgotten with the count (``Thread.page_bounds`` works them out again).
    # By how much, not by counting again: a recount reads every comment of the thread, and a reader's
    # comment on a 20,000-comment thread must not pay for that. One UPDATE per distinct step.
    by_step: dict[int, list[int]] = defaultdict(list)
    for thread_id, delta in deltas.items():
        if delta:
            by_step[delta].append(thread_id)
    for delta, thread_ids in by_step.items():
        for start in range(0, len(thread_ids), 500):
            Thread.objects.filter(pk__in=thread_ids[start : start + 500]).update(
                comment_count=F("comment_count") + delta, page_starts=None, revision=F("revision") + 1
            )
    if changes:
        transaction.on_commit(lambda: _send(changes))


def _send(changes: list[Change]) -> None:
    """A receiver that fails is logged, never turned into an error for the reader whose change committed."""
    for receiver, error in comment_changed.send_robust(sender=Comment, changes=changes):
        if isinstance(error, Exception):
            logger.error("comment_changed receiver %r failed", receiver, exc_info=error)
