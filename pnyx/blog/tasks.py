"""The blog's background task: a post's announcement to the blog's subscribers, by the post's id."""

from django_tasks import task

from .announce import post_announce


@task()
def announce(post_id: int) -> int:
    return post_announce(post_id=post_id)
