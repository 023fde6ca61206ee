from datetime import timedelta

import pytest
from django.utils import timezone

from pnyx.blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "hours_from_now"),
    [
        (Post.Status.PUBLISHED, -1),
        (Post.Status.PUBLISHED, 1),
        (Post.Status.SCHEDULED, -1),
        (Post.Status.SCHEDULED, 1),
        (Post.Status.DRAFT, -1),
        (Post.Status.PRIVATE, -1),
    ],
)
def test_a_loaded_post_is_published_exactly_when_the_published_queryset_holds_it(status, hours_from_now):
    post = PostFactory(status=status, published_at=timezone.now() + timedelta(hours=hours_from_now))
    assert post.is_published == Post.objects.published().filter(pk=post.pk).exists()
