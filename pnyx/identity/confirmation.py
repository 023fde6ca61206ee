"""The second way a guest proves an email address: a link sent to it.

A regular commenter on a new device has no cookie, so their comment is held like a stranger's. When a
held guest comment uses an address that already has approved comments, pnyx mails that address a
signed link; opening it (and pressing the button, so that mail scanners which follow links approve
nothing) publishes the comment and makes that browser a proven one.
"""

import logging
import smtplib

from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from pnyx.discussion.models import Comment

logger = logging.getLogger(__name__)

_SALT = "pnyx.identity.confirmation"
MAX_AGE = 7 * 24 * 3600
"""A confirmation link works for a week."""


def needs_confirmation(comment: Comment) -> bool:
    """A held guest comment under an address with approved comments: probably a regular, unproven here."""
    return (
        comment.status == Comment.Status.PENDING
        and comment.user_id is None
        and bool(comment.author_email)
        and Comment.objects.public().filter(author_email__iexact=comment.author_email).exists()
    )


def confirmation_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.pk, "e": comment.author_email.lower()}, salt=_SALT, compress=True)


def comment_for_token(token: str) -> Comment | None:
    """The held comment a link confirms; None for a forged, expired or already used link."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Comment.objects.select_related("post")
        .filter(pk=data.get("c"), author_email__iexact=data.get("e", ""), status=Comment.Status.PENDING)
        .first()
    )


def send_confirmation(request: HttpRequest, comment: Comment) -> bool:
    """Mail the link; a mail server that is down leaves the comment held for a moderator, never lost."""
    context = {
        "comment": comment,
        "post": comment.post,
        "url": request.build_absolute_uri(reverse("identity:confirm", args=[confirmation_token(comment)])),
    }
    subject = render_to_string("identity/confirm_subject.txt", context).strip()
    message = render_to_string("identity/confirm_message.txt", context)
    try:
        send_mail(subject, message, None, [comment.author_email])
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send the confirmation link for comment %s", comment.pk)
        return False
    return True
