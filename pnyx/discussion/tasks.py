"""The discussion's background tasks: they take ids only, and decide everything when they run."""

from django_tasks import task

from pnyx.outbox.services import sent_here

from .following import followers_notify
from .notifications import notices_write


@task()
def notify_followers(thread_id: int, comment_id: int | None = None) -> int:
    return followers_notify(thread_id=thread_id, comment_id=comment_id)


@task()
def notify_changes() -> int:
    with sent_here():  # the mails it wrote: a task each would cost the worker more than sending them
        return notices_write()
