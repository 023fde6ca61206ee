from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pnyx.markup import render_markdown, sanitize_html
from pnyx.media.markup import responsive
from pnyx.media.models import Image
from pnyx.precompiled import Precompiled


class PostQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> "PostQuerySet":
        """What readers may see: published, or scheduled with its time come (by ``now``, the present unless
        given: a precompiled query passes it as a value).

        The one definition of "published": the home page, post pages, the discussion and importers share it.
        """
        return self.filter(status__in=Post.READER_STATUSES, published_at__lte=now or timezone.now())

    def with_shown(self) -> "PostQuerySet":
        """With what every page showing a post shows beside it, in the same query: the writer's name, the
        featured image and the discussion's thread (its count)."""
        return self.select_related("author", "thread", "featured_image")


class Term(models.Model):
    """A category (hierarchical) or a tag, as WordPress has them."""

    class Taxonomy(models.TextChoices):
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")

    taxonomy = models.CharField(max_length=20, choices=Taxonomy.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["taxonomy", "name"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "slug"], name="term_taxonomy_slug")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("post")
        PAGE = "page", _("page")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING = "pending", _("pending review")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        PRIVATE = "private", _("private")

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        HTML = "html", _("HTML")

    READER_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)
    """With ``published_at`` come, what readers may see (``PostQuerySet.published``, ``is_published``)."""

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    standfirst = models.TextField(blank=True, help_text=_("The short line under the title."))
    body = models.TextField(blank=True)
    body_format = models.CharField(max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN)
    body_html = models.TextField(editable=False, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    terms = models.ManyToManyField(Term, blank=True, related_name="posts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    import_ref = models.CharField(
        max_length=300,
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "Where an imported post came from (source and its id), so a re-import finds it instead of adding it again."
        ),
    )

    password = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Readers must type it to read the post and its comments (as on WordPress). Empty: none."),
    )
    is_sticky = models.BooleanField(
        default=False, verbose_name=_("sticky"), help_text=_("Shown before every other post on the home page.")
    )
    guid = models.CharField(
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text=_("The id feeds knew an imported post by at its old site, kept so no feed reader shows it twice."),
    )

    featured_image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown above the post and in the lists of posts, and in previews of a shared link."),
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # The roles (``roles``): who may publish, and who may edit posts that are not theirs.
        permissions = [("publish_post", "Can publish posts"), ("edit_others_posts", "Can edit others' posts")]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.UniqueConstraint(fields=["import_ref"], condition=~Q(import_ref=""), name="post_import_ref")
        ]

    def __str__(self) -> str:
        return self.title or f"({self.slug})"

    def save(self, *args, **kwargs) -> None:
        self.body_html = self.render_body()
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.PAGE:
            return reverse("blog:page", kwargs={"slug": self.slug})
        return reverse("blog:post", kwargs={"slug": self.slug})

    @classmethod
    def shown(cls, slug: str, kind: str) -> "Post | None":
        """The published post (or page) at ``slug``, with what its page shows beside it: the author, the
        featured image and the discussion's thread. Compiled once per process, since every page miss asks."""
        return _shown_posts.first(slug, kind, timezone.now())

    @cached_property
    def shown_terms(self) -> list["Term"]:
        """The post's categories and tags, in their order, for its page (compiled once per process)."""
        return _terms_of(self.pk)

    @property
    def is_published(self) -> bool:
        """``PostQuerySet.published`` for a post already loaded: no query (the comment POST checks it)."""
        return self.status in self.READER_STATUSES and self.published_at <= timezone.now()

    @property
    def feed_id(self) -> str:
        """The post's id in feeds, never changing: the old site's GUID, else a tag URI (RFC 4151) of this
        site's address and the day the post was created, which no new slug or title can change."""
        if self.guid:
            return self.guid
        host = urlsplit(settings.PNYX_BASE_URL).hostname or "localhost"
        return f"tag:{host},{self.created_at:%Y-%m-%d}:post-{self.pk}"

    def render_body(self) -> str:
        """The body as readers get it; images of the library get their smaller copies (``srcset``)."""
        if self.body_format == self.BodyFormat.HTML:
            return responsive(sanitize_html(self.body))
        return responsive(render_markdown(self.body))

    @property
    def published_iso(self) -> str:
        """When it was published, in UTC to the second, as a ``<time>`` element's ``datetime`` wants it
        (the validators refuse microseconds); a string method, not the template's localized filters."""
        return self.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def is_protected(self) -> bool:
        """A password guards the text and the comments (``protection``); the title stays public."""
        return bool(self.password)

    @property
    def author_page(self) -> str | None:
        """The writer's archive; None for an account name no address can hold (a WordPress login with a space)."""
        if self.author is None:
            return None
        try:
            return reverse("blog:author", kwargs={"author": self.author.get_username()})
        except NoReverseMatch:
            return None

    @property
    def author_name(self) -> str:
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.get_username()


def writers():
    """Accounts with a published post: the only ones an author page or feed names (neither may confirm
    that any other account exists)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(posts__in=Post.objects.published()).distinct()


_shown_posts = Precompiled(
    lambda slug, kind, now: Post.objects.with_shown().published(now).filter(slug=slug, kind=kind)[:1]
)
_terms_of = Precompiled(lambda post_id: Term.objects.filter(posts=post_id))


def next_scheduled():
    """When the next scheduled post goes out, if one is waiting: pages that list posts are kept until then."""
    upcoming = Post.objects.filter(status=Post.Status.SCHEDULED, published_at__gt=timezone.now())
    return upcoming.order_by("published_at").values_list("published_at", flat=True).first()


class SearchDocument(models.Model):
    """A post's words as plain text, which the database indexes for search (``search``)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class Draft(models.Model):
    """What a writer typed in the writer's desk and has not saved yet, kept every few seconds (``writing``).

    Apart from the post on purpose: autosaving never changes a post's live text; only Save or Publish does,
    and then the draft goes. One per writer and post, and one per writer for a post not created yet.
    """

    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_drafts")
    fields = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "author"], condition=Q(post__isnull=False), name="draft_one_per_post_and_author"
            ),
            models.UniqueConstraint(fields=["author"], condition=Q(post__isnull=True), name="draft_one_new_per_author"),
        ]

    def __str__(self) -> str:
        return str(self.fields.get("title") or self.post or "")
