from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Writer{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"A post worth arguing about, part {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    standfirst = "The short line under the title."
    body = "Some *opinion*, firmly held.\n\nA second paragraph."
    author = factory.SubFactory(UserFactory)
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment
        skip_postgeneration_save = True

    post = factory.SubFactory(PostFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "I see it differently."
    status = Comment.Status.APPROVED

    @factory.post_generation
    def recount(comment, create, extracted, **kwargs):
        if create:
            comment.post.refresh_comment_count()
