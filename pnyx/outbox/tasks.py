"""The outbox's background task: it takes only a mail's id; the row holds everything else."""

from django_tasks import task

from .services import email_deliver, mail_server


@task()
def deliver(email_id: int) -> str:
    with mail_server() as connection:
        return email_deliver(email_id=email_id, connection=connection)
