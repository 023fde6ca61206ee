"""Every mail pnyx sends is a row first: the delivery log staff read, and what a worker delivers.

A row is written in the transaction that decided the mail and handed to the task queue once that
transaction has committed (``services.email_queue``); the task takes only the row's id
(``tasks.deliver``). An address that said "no more" is kept in ``Unsubscribe``; one that asked for news
of something (a post's comments, the blog's new posts) in ``Subscription``.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import cached_property
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
    FOLLOW = "follow", _("new comments on posts you follow")
    NEW_POST = "new-post", _("new posts")
    SUBSCRIBE = "subscribe", _("links to confirm a subscription")
    MANAGE = "manage", _("links to manage your mail")
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


class SubscriptionQuerySet(models.QuerySet):
    def of_topic(self, topic: models.Model | None) -> "SubscriptionQuerySet":
        """Subscriptions to ``topic``: an object (a discussion), or None for the whole blog."""
        if topic is None:
            return self.filter(topic_type__isnull=True)
        return self.filter(topic_type=ContentType.objects.get_for_model(topic), topic_id=topic.pk)

    def confirmed(self) -> "SubscriptionQuerySet":
        return self.filter(confirmed_at__isnull=False)


class Subscription(models.Model):
    """An address that asked for news of a topic: the comments of one discussion, or (no topic) every new
    post of the blog. Keyed by content type and id, so the outbox needs to know nothing of what it is.

    A guest's subscription waits unconfirmed until the address's owner opens the emailed link and presses
    the button (double opt-in); only confirmed ones are mailed.
    """

    email = models.CharField(max_length=254)
    topic_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    topic_id = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "topic_type", "topic_id"],
                condition=models.Q(topic_type__isnull=False),
                name="outbox_subscription_once",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=models.Q(topic_type__isnull=True), name="outbox_subscription_blog_once"
            ),
        ]
        indexes = [models.Index(fields=["topic_type", "topic_id"], name="outbox_subscription_topic")]

    def __str__(self) -> str:
        return f"{self.email}: {self.topic_key}"

    @property
    def topic_key(self) -> str:
        return topic_key(self.topic_type_id, self.topic_id)

    @cached_property
    def topic(self) -> models.Model | None:
        """The object followed (None for the blog, or for an object since deleted); read once a row."""
        if self.topic_type_id is None:
            return None
        return self.topic_type.model_class()._default_manager.filter(pk=self.topic_id).first()


def topic_key(type_id: int | None, object_id: int) -> str:
    """A topic as text, for a link's token: "blog", or "<content type id>-<object id>"."""
    return "blog" if type_id is None else f"{type_id}-{object_id}"


class Mailed(models.Model):
    """How far the news of a topic has been mailed to its subscribers: a post announced (the row's
    existence), or a discussion's comments up to ``through``. Claimed with one conditional write, so two
    workers, or a task run twice, never mail the same news twice."""

    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    about_id = models.PositiveBigIntegerField()
    through = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["about_type", "about_id"], name="outbox_mailed_once")]

    def __str__(self) -> str:
        return f"{self.about_type_id}-{self.about_id} through {self.through}"
