from datetime import timedelta
from io import BytesIO

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.posting import CommentBatch
from pnyx.media.images import image_create
from pnyx.media.models import Image


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Writer{n}")


class ModeratorFactory(UserFactory):
    """Staff allowed to change comments (``moderation.may_moderate``), as the Moderator role makes them."""

    class Meta:
        skip_postgeneration_save = True  # the permission is a row of its own

    is_staff = True

    @factory.post_generation
    def may_moderate(user, create: bool, extracted, **kwargs) -> None:  # noqa: N805 (factory_boy's hook)
        if create:
            user.user_permissions.add(
                Permission.objects.get(codename="change_comment", content_type__app_label="discussion")
            )


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"A post worth arguing about, part {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    standfirst = "The short line under the title."
    body = "Some *opinion*, firmly held.\n\nA second paragraph."
    author = factory.SubFactory(UserFactory)
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def comments_open(post, create, extracted, **kwargs):
        """``PostFactory(comments_open=False)``: the post's discussion is closed."""
        if create and extracted is False:
            post.thread.is_open = False
            post.thread.save(update_fields=["is_open"])


class ThreadFactory(factory.django.DjangoModelFactory):
    """A discussion at an address with no post here (an imported one, or a static site's page)."""

    class Meta:
        model = Thread

    path = factory.Sequence(lambda n: f"/notes/page-{n}/")
    title = factory.Sequence(lambda n: f"A page with a discussion, {n}")


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment in ``thread``, or in the thread of ``post`` (a new post unless one is given)."""

    class Meta:
        model = Comment
        skip_postgeneration_save = True

    class Params:
        post = factory.SubFactory(PostFactory)

    thread = factory.LazyAttribute(lambda c: c.post.thread)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "I see it differently."
    status = Comment.Status.APPROVED

    @factory.post_generation
    def recount(comment, create, extracted, **kwargs):
        if create:
            comment.thread.recount()


def bulk_thread(post: Post, *, top_level: int, replies: int = 0) -> list[list[Comment]]:
    """``top_level`` approved comments under ``post``, each with a chain of ``replies`` (a reply to the
    one before), inserted level by level in batches like an import: a 20,000-comment thread in
    seconds. Returns each top-level comment's family in reading order, the top-level comment first."""
    batch, families = CommentBatch(), [[] for _n in range(top_level)]
    start = timezone.now() - timedelta(days=30)
    for depth in range(replies + 1):
        for n, family in enumerate(families):
            comment = Comment(
                thread=post.thread,
                parent=family[-1] if family else None,
                author_name=f"Reader {n}.{depth}",
                author_email=f"reader{n}@example.org",
                body=f"Comment {n}.{depth}",
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(hours=depth, seconds=n),
            )
            batch.add(comment)
            family.append(comment)
    batch.finish()
    post.thread.refresh_from_db()
    return families


def picture_bytes(
    kind: str = "JPEG", size: tuple[int, int] = (1200, 800), *, mode: str = "RGB", fill: str = "gradient", **options
) -> bytes:
    """A real picture, encoded by Pillow: gradients, so the encoder has something to do; ``fill="noise"``
    for one no encoder can shrink, ``"plain"`` for one that shrinks to nearly nothing. ``options`` go to
    ``save`` (``exif=`` …)."""
    gradient = PILImage.linear_gradient("L").resize(size)
    if fill == "noise":
        picture = PILImage.effect_noise(size, 100).convert(mode)
    elif fill == "plain":
        picture = PILImage.new(mode, size)
    elif mode == "RGB":
        mirrored = gradient.transpose(PILImage.Transpose.FLIP_TOP_BOTTOM)
        picture = PILImage.merge("RGB", (gradient, mirrored, PILImage.new("L", size, 90)))
    else:
        picture = gradient.convert(mode)
    buffer = BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg") -> ContentFile:
    return ContentFile(data, name=name)


def library_image(*, size: tuple[int, int] = (1200, 800), alt: str = "A gradient, dark to light", **kwargs) -> Image:
    """An image stored the way a writer's upload is (``pnyx.media.images``)."""
    return image_create(upload=upload(picture_bytes("JPEG", size)), alt=alt, **kwargs)
