"""Discussions and their comments.

A ``Thread`` is a discussion known by its address (a URL path), so a discussion can exist for a page
that is not a post here: an imported Isso or Disqus thread, or later a static site's page served through
the API. A post has exactly one thread. What a comment's fields may hold is decided here, once, for
every way in (the form, each importer, the demo): ``Comment.prepare_insert``.
"""

import secrets
from bisect import bisect_right
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pnyx.blog.models import Post
from pnyx.markup import render_comment, web_address

from .conf import conf
from .fragments import meta_key, render_meta
from .rulebook import ModerationSettings, rulebook

__all__ = ["Comment", "ModerationSettings", "Thread"]

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


class ThreadQuerySet(models.QuerySet):
    def for_post(self, post: Post) -> "Thread":
        """The thread of ``post``, kept at its address and under its title; created with the post.

        A discussion that already lives at the post's address (an imported thread whose page was not
        here yet) becomes the post's, comments and all.
        """
        path, title = post.get_absolute_url(), post.title[:300]
        closes_at = rulebook().closes_at(post.published_at)
        thread = self.filter(post=post).first()
        changed = thread is None or thread.title != title or thread.closes_at != closes_at
        if thread is None:
            thread = self.filter(site="", path=path, post__isnull=True).first() or Thread(path=path)
            thread.post = post
        if thread.path != path:
            if (other := self.filter(site="", path=path, post__isnull=True).first()) is not None:
                other.comments.update(thread=thread)
                other.delete()
            thread.path, changed = path, True
        if changed:
            thread.title, thread.closes_at = title, closes_at
            thread.save()
            thread.recount()
        return thread

    def close_after(self, days: int) -> int:
        """Set when each post's thread closes by itself: ``days`` after the post was published (0: never)."""
        if not days:
            return self.exclude(closes_at=None).update(closes_at=None)
        published = Post.objects.filter(pk=OuterRef("post_id")).values("published_at")[:1]
        closes = ExpressionWrapper(
            Subquery(published) + Value(timedelta(days=days)), output_field=models.DateTimeField()
        )
        return self.filter(post__isnull=False).update(closes_at=closes)

    def recount_comments(self) -> int:
        """Set each thread's ``comment_count`` to its public comments: one UPDATE, for one thread or thousands."""
        public = (
            Comment.objects.public().filter(thread=OuterRef("pk")).order_by().values("thread").annotate(n=Count("pk"))
        )
        return self.update(
            comment_count=Coalesce(Subquery(public.values("n")), 0), page_starts=None, revision=F("revision") + 1
        )


class Thread(models.Model):
    """A discussion under one address. ``site`` is empty for this site; it leaves room for several."""

    site = models.CharField(max_length=100, blank=True, default="", help_text=_("Empty for this site."))
    path = models.CharField(max_length=1000, help_text=_("The address of the page the discussion is under."))
    title = models.CharField(max_length=300, blank=True)
    is_open = models.BooleanField(default=True, verbose_name=_("open for comments"))
    closes_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When comments close by themselves: Moderation settings' close_after_days after publishing."),
    )
    slow_mode = models.BooleanField(
        default=False,
        help_text=_("One comment per commenter per few seconds (Moderation settings say how many)."),
    )
    post = models.OneToOneField(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="thread")
    comment_count = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Public comments, recounted by every change of a comment's status.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Counts the changes to what readers see of the thread.")
    )
    page_starts = models.JSONField(
        null=True,
        editable=False,
        help_text=_("Where each page of the thread starts (Thread.page_bounds); worked out again after a change."),
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "path"], name="thread_site_path")]

    def __str__(self) -> str:
        return self.title or self.path

    def get_absolute_url(self) -> str:
        return self.path

    def accepts_comments(self) -> bool:
        """Open by hand (``is_open``), and not past the time it closes by itself (``closes_at``)."""
        return self.is_open and (self.closes_at is None or timezone.now() < self.closes_at)

    @staticmethod
    def path_of(url: str) -> str:
        """The address a thread is known by: the path and query of ``url``, without host or fragment."""
        parts = urlsplit(url.replace("\x00", "").strip())
        path = "/" + parts.path.lstrip("/")
        return (f"{path}?{parts.query}" if parts.query else path)[:1000]

    def recount(self) -> None:
        Thread.objects.filter(pk=self.pk).recount_comments()
        self.refresh_from_db(fields=["comment_count", "revision", "page_starts"])

    def page_bounds(self) -> list[str]:
        """The path of the top-level comment that starts each page after the first, in order.

        A thread is paged by top-level comment, each with all its replies, so page N holds the public
        comments whose path lies from ``bounds[N-2]`` (inclusive) up to ``bounds[N-1]``: one range read
        of the (thread, status, path) index, as cheap for page 200 as for page 1. The bounds are worked
        out after each change readers can see (``recount_comments`` forgets them) and stored with the
        page size they were made for; a stale bound only makes one page a little longer or shorter,
        never loses a comment.
        """
        per_page = conf.COMMENTS_PER_PAGE
        if self.page_starts and self.page_starts.get("per_page") == per_page:
            return self.page_starts["paths"]
        # Top-level paths have no "/": the filter reads the index alone, with no row for each comment.
        tops = self.comments.public().exclude(path__contains="/").order_by("path").values_list("path", flat=True)
        paths = list(tops)[per_page::per_page]
        self.page_starts = {"per_page": per_page, "paths": paths}
        # Kept only if no change came in meanwhile: a change bumps the revision after forgetting the bounds.
        Thread.objects.filter(pk=self.pk, revision=self.revision).update(page_starts=self.page_starts)
        return paths

    def page_of(self, path: str) -> int:
        """The page that holds the comment with ``path`` (a reply is on its top-level comment's page)."""
        return bisect_right(self.page_bounds(), path.split("/", 1)[0]) + 1

    def page_url(self, number: int) -> str:
        """Page 1 is the thread's own address; page N adds ``cpage=N`` (WordPress's name for it)."""
        if number <= 1:
            return self.path
        return f"{self.path}{'&' if '?' in self.path else '?'}cpage={number}"


class CommentQuerySet(models.QuerySet):
    def public(self) -> "CommentQuerySet":
        """What every reader sees and what counts. The one definition, with ``Comment.is_public``."""
        return self.filter(status=Comment.PUBLIC)

    def in_thread_order(self) -> "CommentQuerySet":
        return self.order_by("path")

    def under_email(self, email: str) -> "CommentQuerySet":
        """Comments written under ``email``, case aside (``same_email``)."""
        return self.filter(same_email(email))


def same_email(email: str) -> Q:
    """The one way the rules and notices match a typed address: lower-cased on both sides, as the
    (email, time) index has it. A case-blind ``iexact`` matches the same rows but reads every comment."""
    return Q(Exact(Lower("author_email"), email.lower()))


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        SPAM = "spam", _("spam")
        TRASH = "trash", _("trash")

    PUBLIC = Status.APPROVED
    """The one status readers see."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        PINGBACK = "pingback", _("pingback")
        TRACKBACK = "trackback", _("trackback")

    class Via(models.TextChoices):
        """Who or what gave a comment its status: kept, because a browser proof counts only some of them."""

        RULES = "rules", _("the moderation rules")
        MODERATOR = "moderator", _("a moderator")
        LINK = "link", _("an emailed confirmation link")
        IMPORT = "import", _("an import")
        AUTHOR = "author", _("the comment's author")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
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
    meta_html = models.TextField(
        editable=False, default="", help_text=_("Avatar, name and date as a page shows them (discussion.fragments).")
    )
    meta_key = models.CharField(
        max_length=16, editable=False, default="", help_text=_("What meta_html was rendered with; stale if it differs.")
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.CharField(
        max_length=200, blank=True, help_text=_("Why the comment has its status: the rule that decided.")
    )
    status_via = models.CharField(max_length=10, choices=Via.choices, default=Via.RULES, editable=False)
    notify_replies = models.BooleanField(
        default=False,
        help_text=_(
            "Mail the author when someone replies (ticked in the form, by a signed-in reader or a guest "
            "whose address this browser confirmed)."
        ),
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
        indexes = [
            models.Index(fields=["thread", "status", "path"]),
            # What the rules count (``rules.limits``, ``rules.content``): recent comments from one address,
            # into one thread, or under one email (compared lower-cased: ``same_email``).
            models.Index(fields=["ip", "created_at"], name="comment_ip_time"),
            models.Index(fields=["thread", "created_at"], name="comment_thread_time"),
            models.Index(Lower("author_email"), "created_at", name="comment_email_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["import_ref"], condition=~Q(import_ref=""), name="comment_import_ref")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} on {self.thread}"

    META_FIELDS = frozenset({"user", "author_name", "author_email", "author_url", "created_at"})
    """What the stored ``meta_html`` shows, besides settings (``fragments.meta_key``)."""

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if self._state.adding:
            self.prepare_insert()
        else:  # a moderation step names its fields and leaves what the page shows alone
            derived = set()
            if update_fields is None or "body" in update_fields:
                self.body_html = render_comment(self.body)
                derived.add("body_html")
            if update_fields is None or self.META_FIELDS & set(update_fields):
                self.refresh_meta()
                derived |= {"meta_html", "meta_key"}
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The comment's place: the page of its thread that holds it, read afresh (a comment just
        written may have started a new page), and its anchor."""
        return self.url_in(Thread.objects.only("path", "revision", "page_starts").get(pk=self.thread_id))

    def url_in(self, thread: "Thread") -> str:
        """The comment's place by the pages of ``thread`` (its own) as the caller read them."""
        return f"{thread.page_url(thread.page_of(self.path))}#{self.anchor}"

    @property
    def is_public(self) -> bool:
        return self.status == self.PUBLIC

    def prepare_insert(self) -> None:
        """What every new comment goes through before its insert, saved alone or in a batch (bulk_create
        skips ``save``): fields it may hold, a place in its thread, its HTML."""
        self.normalize_fields()
        if not self.path:
            self.place_in_thread()
        self.body_html = render_comment(self.body)
        self.refresh_meta()

    def refresh_meta(self) -> str:
        """Render the stored avatar, name and date again (``discussion.fragments``); returns the HTML."""
        self.meta_html = render_meta(
            name=self.display_name, email=self.author_email, url=self.author_url, created_at=self.created_at
        )
        self.meta_key = meta_key()
        return self.meta_html

    def normalize_fields(self) -> None:
        """The one rule per field, whatever the way in.

        Text PostgreSQL can store (no NUL) and no longer than its column; a name on one line (it goes
        into mail subjects and pages); an email address that is one, or nothing; a website that is an
        http(s) URL, or nothing (``markup.web_address``).
        """
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
                value = value.replace("\x00", "")
                if field.max_length:
                    value = value[: field.max_length]
                setattr(self, field.attname, value)
        self.author_name = " ".join(self.author_name.split())
        self.author_email = self.author_email.strip()
        try:
            validate_email(self.author_email)
        except ValidationError:
            self.author_email = ""
        self.author_url = web_address(self.author_url)

    def place_in_thread(self) -> None:
        """Set depth and ordering key from the parent (no deeper than MAX_STORED_DEPTH)."""
        self.parent = self.reply_parent(self.parent, max_depth=MAX_STORED_DEPTH)
        self.depth = 0 if self.parent is None else self.parent.depth + 1
        prefix = "" if self.parent is None else self.parent.path + "/"
        self.path = prefix + path_segment(self.created_at)

    @staticmethod
    def reply_parent(parent: "Comment | None", *, max_depth: int) -> "Comment | None":
        """The comment a reply to ``parent`` answers when replies nest at most ``max_depth`` levels.

        The one rule for reply depth: a reply to the deepest level joins that level, answering the same
        parent (as WordPress does). The page's Reply links, the posting flow and storage all use it.
        """
        while parent is not None and not parent.takes_replies(max_depth=max_depth):
            parent = parent.parent
        return parent

    def takes_replies(self, *, max_depth: int) -> bool:
        """Whether a reply to this comment may nest under it, with replies at most ``max_depth`` deep."""
        return self.depth < max_depth - 1

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.author_name or _("Anonymous")

    @property
    def feed_id(self) -> str:
        """The comment's id in feeds, never changing: a tag URI (RFC 4151) of this site and its day."""
        host = urlsplit(settings.PNYX_BASE_URL).hostname or "localhost"
        return f"tag:{host},{self.created_at:%Y-%m-%d}:comment-{self.pk}"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class CommentEvent(models.Model):
    """One step of a comment's history, for moderators: who or which rule, what, when, from which status
    to which. Written by the lifecycle in the transaction of the change it records, so there is no change
    without its line here. An edit keeps the text it replaced. A change that mails someone is marked
    (``notice``) until a task takes it to write its mails: a task lost before it leaves the mark, and the
    worker finds it (``notifications``).

    Imported comments have no creation line (``CommentBatch`` skips it: a 100,000-comment import would
    write 100,000 more rows to say "imported", which the comment's own ``status_via`` already says).
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Comment.Via.choices)
    old_status = models.CharField(max_length=10, blank=True, help_text=_("Empty when the comment was new."))
    new_status = models.CharField(max_length=10)
    what = models.CharField(max_length=200, blank=True, help_text=_("The reason given, or what was done."))
    old_body = models.TextField(blank=True, help_text=_("For an edit: the text before it."))
    notice = models.CharField(
        max_length=10,
        blank=True,
        default="",
        editable=False,
        help_text=_("The mails this change still owes (held, published, approved); empty once they are written."),
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["comment", "at"]),
            # The changes whose mails are still to be written (``notifications.notices_write``): a few rows
            # at any time, among every comment's history.
            models.Index(fields=["id"], condition=~Q(notice=""), name="commentevent_notice_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.old_status or 'new'} -> {self.new_status} ({self.what})"

    @property
    def is_edit(self) -> bool:
        return self.old_status == self.new_status
