"""A regular on a new device: their held comment, and the link that lets them publish it.

A held guest comment under an address that already has approved comments is probably a regular whose
browser has no proof yet. The address is mailed a link (``pnyx.identity.confirmation``: at most one per
address per interval, so a flood of comments typed with someone's address never floods their inbox).
Opening it and pressing *publish* publishes that comment and proves the address to that browser only;
"It wasn't me" revokes the address's proofs and keeps the comment for a moderator as spam.

The mail is written into the outbox at the lifecycle's after-commit point (``notifications``) and sent
by the task worker: a mail server that is slow or down never holds the reader's request.
"""

import re

from django.conf import settings
from django.urls import reverse

from pnyx.identity.confirmation import address_token, read_address_token
from pnyx.identity.models import revoke
from pnyx.outbox.models import Email, Reason
from pnyx.outbox.services import email_queue, one_line
from pnyx.precompiled import Precompiled

from .lifecycle import comment_set_status
from .models import Comment


def needs_confirmation(comment: Comment) -> bool:
    """A held guest comment under an address with approved comments: probably a regular, unproven here."""
    return (
        comment.status == Comment.Status.PENDING
        and comment.user_id is None
        and bool(comment.author_email)
        # Lower-cased as ``under_email`` puts it into the statement, where Precompiled finds the value.
        and _approved_under.first(comment.author_email.lower()) is not None
    )


# Asked by the task of every held guest comment: compiled once per process (``pnyx.precompiled``).
_approved_under = Precompiled(lambda email: Comment.objects.public().under_email(email).values_list("pk")[:1])


def comment_for_token(token: str) -> Comment | None:
    """The held comment a link confirms; None for a forged, expired or already used link."""
    proven = read_address_token(token)
    if proven is None:
        return None
    email, comment_id = proven
    return (
        Comment.objects.under_email(email)
        .select_related("thread__post")
        .filter(pk=comment_id, status=Comment.Status.PENDING)
        .first()
    )


def mail_name(name: str) -> str:
    """A typed name as a mail may show it: letters, digits, spaces, apostrophes and hyphens only, so a
    "name" such as ``Visit evil.example/win`` cannot become a link in the reader's mail program."""
    return one_line(re.sub(r"[^\w\s'’-]", "", name), limit=60) or "there"


def confirmation_queue(comment: Comment) -> Email:
    """Write the link's mail into the outbox; a mail server that is down leaves the comment held for a
    moderator, and the mail is tried again later."""
    path = reverse("discussion:confirm", args=[address_token(comment.author_email, comment.pk)])
    context = {
        "name": mail_name(comment.author_name),
        "title": one_line(comment.thread.title, limit=100),
        "url": settings.PNYX_BASE_URL + path,
    }
    return email_queue(
        to=comment.author_email,
        reason=Reason.CONFIRMATION,
        template="discussion/mail/confirm",
        context=context,
        about=comment,
    )


def comment_confirm(*, comment: Comment) -> None:
    """The address's owner says the held comment is theirs: it is published (the browser is the view's)."""
    comment_set_status(
        comment=comment, status=Comment.Status.APPROVED, reason="email address confirmed by link", via=Comment.Via.LINK
    )


def comment_disown(*, comment: Comment) -> None:
    """The address's owner says it was not them: no proof of the address counts any more, anywhere,
    and the comment waits for a moderator as spam."""
    revoke(comment.author_email)
    comment_set_status(
        comment=comment,
        status=Comment.Status.SPAM,
        reason="the address's owner said it was not them",
        via=Comment.Via.LINK,
    )
