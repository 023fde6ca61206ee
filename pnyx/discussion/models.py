import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pnyx.blog.models import Post
from pnyx.markup import render_comment

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int, width: int) -> str:
    digits = []
    for _i in range(width):
        n, r = divmod(n, 36)
        digits.append(_B36[r])
    return "".join(reversed(digits))


def path_segment(created_at) -> str:
    """One level of a thread's ordering key: creation time, then a random tail for ties.

    Sorting comments of a post by ``path`` gives the thread in reading order (parents before their
    replies, siblings oldest first) straight from an index, with no query per comment.
    """
    micros = max(0, int(created_at.timestamp() * 1_000_000))
    return _base36(micros, 11) + _base36(secrets.randbelow(36**3), 3)


MAX_STORED_DEPTH = 60  # 60 levels of 15 characters fit the 1000-character key.


class CommentQuerySet(models.QuerySet):
    def public(self) -> "CommentQuerySet":
        """What every reader sees and what counts: approved comments. Decided here only."""
        return self.filter(status=Comment.Status.APPROVED)

    def in_thread_order(self) -> "CommentQuerySet":
        return self.order_by("path")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        SPAM = "spam", _("spam")
        TRASH = "trash", _("trash")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        PINGBACK = "pingback", _("pingback")
        TRACKBACK = "trackback", _("trackback")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    path = models.CharField(max_length=1000, editable=False, help_text=_("Thread ordering key."))
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(max_length=254, blank=True)
    author_url = models.URLField(max_length=500, blank=True)

    body = models.TextField()
    body_html = models.TextField(editable=False, default="")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.CharField(
        max_length=200, blank=True, help_text=_("Why the comment has its status: the rule that decided.")
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP address")
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    import_ref = models.CharField(max_length=300, blank=True, default="", editable=False)
    legacy_anchor = models.CharField(
        max_length=40,
        blank=True,
        default="",
        editable=False,
        help_text=_("The #anchor old links use, when the source's id was already taken here."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["post", "status", "path"])]
        constraints = [
            models.UniqueConstraint(fields=["import_ref"], condition=~Q(import_ref=""), name="comment_import_ref")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} on {self.post}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if self._state.adding:
            self.prepare_insert()
        elif update_fields is None or "body" in update_fields:  # a moderation step leaves the body alone
            self.body_html = render_comment(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#{self.anchor}"

    def prepare_insert(self) -> None:
        """What every new comment goes through before its insert, saved alone or in a batch (bulk_create
        skips ``save``): text PostgreSQL can store, a place in its thread, its HTML."""
        for name in ("body", "author_name", "author_email", "author_url", "user_agent"):
            setattr(self, name, getattr(self, name).replace("\x00", ""))
        if not self.path:
            self.place_in_thread()
        self.body_html = render_comment(self.body)

    def place_in_thread(self) -> None:
        """Set depth and ordering key from the parent; past MAX_STORED_DEPTH a reply joins the deepest level."""
        parent = self.parent
        while parent is not None and parent.depth + 1 >= MAX_STORED_DEPTH:
            parent = parent.parent
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1
        prefix = "" if parent is None else parent.path + "/"
        self.path = prefix + path_segment(self.created_at)

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.author_name or _("Anonymous")

    @property
    def avatar_initials(self) -> str:
        words = [w for w in str(self.display_name).split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or "?"

    @property
    def avatar_hue_bucket(self) -> int:
        """One of twelve colours for the locally drawn avatar (a CSS class, so no inline style).

        Keyed with the site secret, so the page never carries a hash anyone could match to an email.
        """
        source = (self.author_email or str(self.display_name)).strip().lower()
        digest = hmac.new(settings.SECRET_KEY.encode(), source.encode(), hashlib.sha256).digest()
        return digest[0] % 12

    @property
    def created_iso(self) -> str:
        """The creation time for ``<time datetime>``: isoformat is far cheaper than the ``date`` filter,
        which matters once per comment on a thousand-comment page."""
        return self.created_at.isoformat()

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"
