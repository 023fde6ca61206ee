"""Every mail pnyx sends is a row first: the delivery log staff read, and what a worker delivers.

A row is written in the transaction that decided the mail and handed to the task queue once that
transaction has committed (``services.email_queue``); the task takes only the row's id
(``tasks.deliver``). An address that said "no more" is kept in ``Unsubscribe``.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailQuerySet(models.QuerySet):
    def waiting(self) -> "EmailQuerySet":
        """Mails a worker still has to deliver (or was delivering when it stopped)."""
        return self.filter(status__in=(Email.Status.QUEUED, Email.Status.RETRYING, Email.Status.SENDING))

    def counted(self) -> "EmailQuerySet":
        """Mails that reach, or will reach, an inbox: what the per-address limit counts."""
        return self.exclude(status=Email.Status.SKIPPED)


class Reason(models.TextChoices):
    """Why an address gets a mail; one unsubscribe link stops one reason."""

    CONFIRMATION = "confirmation", _("links to confirm your comments")
    HELD = "held", _("comments waiting for moderation")
    NEW_COMMENT = "new-comment", _("new comments on your posts")
    REPLY = "reply", _("replies to your comments")
    APPROVED = "approved", _("your comments once approved")
    TEST = "test", _("test mail")


class Email(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    to = models.EmailField(max_length=254, db_index=True)
    reason = models.CharField(max_length=40, choices=Reason.choices)
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    about_id = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    answer = models.TextField(blank=True, help_text=_("What the mail server last said, or why the mail was not sent."))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to", "created_at"], name="outbox_email_to_created")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class Unsubscribe(models.Model):
    """An address that wants no more mail for ``reason`` ("*": none at all). Addresses are lower-cased."""

    ALL = "*"

    email = models.CharField(max_length=254)
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "reason"], name="outbox_unsubscribe_once")]

    def __str__(self) -> str:
        return f"{self.email}: {self.reason}"
