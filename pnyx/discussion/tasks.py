"""The discussion's background tasks: they take ids only, and decide everything when they run."""

from django_tasks import task

from .following import followers_notify


@task()
def notify_followers(thread_id: int, comment_id: int | None = None) -> int:
    return followers_notify(thread_id=thread_id, comment_id=comment_id)
