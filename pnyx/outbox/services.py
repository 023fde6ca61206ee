"""Writing mails into the outbox and delivering them: the only way pnyx sends mail.

``email_queue`` renders a mail from a template trio (``<name>_subject.txt``, ``<name>_message.txt`` and,
when it exists, ``<name>_message.html``), stores it, and hands its id to the task queue once the caller's
transaction has committed: a mail is never sent for a change that was rolled back, and never inside a
request. ``email_deliver`` is what the worker runs: one SMTP attempt, bounded by ``EMAIL_TIMEOUT``;
a failure the server calls temporary (or no answer at all) is tried again later, with longer waits,
until ``conf.RETRY_DELAYS`` run out; then the mail is kept as failed, with the server's answer, for staff.
A task that writes mails (a comment's notices) sends them itself once it has written them
(``sent_here``): the worker pays one task for a comment, not one more for each of its mails.
"""

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .conf import conf
from .models import Email
from .unsubscribe import manage_token, unsubscribe_token, unsubscribed

logger = logging.getLogger(__name__)


class _WrittenHere:
    """The mails a ``sent_here`` block wrote, for it to send once it is over. A mail committed only after
    that (the block ran inside a longer transaction) goes to the queue, as anywhere else."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.open = True

    def take(self, email_id: int) -> None:
        if self.open:
            self.ids.append(email_id)
        else:
            enqueue(email_id)


_written_here: ContextVar[_WrittenHere | None] = ContextVar("pnyx_outbox_written_here", default=None)


def one_line(text: str, *, limit: int) -> str:
    """Text for a header, one line and at most ``limit`` characters: it can never add a line or a header."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unsubscribe_url(email: str, reason: str) -> str:
    return settings.PNYX_BASE_URL + reverse("outbox:unsubscribe", args=[unsubscribe_token(email, reason)])


def manage_url(email: str) -> str:
    """The page where an address sees and turns off everything it is mailed for."""
    return settings.PNYX_BASE_URL + reverse("outbox:manage", args=[manage_token(email)])


def email_queue(
    *,
    to: str,
    reason: str,
    template: str,
    context: dict,
    about: models.Model | None = None,
    unsubscribe: bool = True,
    stops: str = "",
) -> Email:
    """Store a mail for ``to`` and send it from the worker once the current transaction commits.

    Its one-click link stops ``reason``, or ``stops`` when given (``topic:<key>``: one subscription); its
    footer links to the address's management page. A mail to an address that unsubscribed from
    ``reason``, or that already had ``conf.HOURLY_LIMIT`` mails in the last hour, is stored as not sent,
    with why, and never queued.
    """
    to = to.strip().lower()
    context = {
        "site_name": settings.PNYX_SITE_NAME,
        "base_url": settings.PNYX_BASE_URL,
        "manage_url": manage_url(to),
        **context,
    }
    headers = {}
    if unsubscribe:
        context["unsubscribe_url"] = url = unsubscribe_url(to, stops or reason)
        # RFC 8058: a mail program may offer its own unsubscribe button, which POSTs to the link.
        headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    email = Email(
        to=to,
        reason=reason[:40],
        subject=one_line(render_to_string(f"{template}_subject.txt", context), limit=300),
        body_text=render_to_string(f"{template}_message.txt", context),
        body_html=_render_optional(f"{template}_message.html", context),
        headers=headers,
    )
    if about is not None:
        email.about_type, email.about_id = ContentType.objects.get_for_model(about), str(about.pk)
    if unsubscribe and unsubscribed(to, reason):
        email.status, email.answer = Email.Status.SKIPPED, "not sent: the address unsubscribed"
    elif _over_limit(to):
        email.status, email.answer = Email.Status.SKIPPED, f"not sent: {conf.HOURLY_LIMIT} mails to it in the last hour"
    email.save()
    if email.status == Email.Status.QUEUED:
        here = _written_here.get()
        transaction.on_commit(lambda: enqueue(email.pk) if here is None else here.take(email.pk))
    return email


@contextmanager
def sent_here() -> Iterator[None]:
    """Mails written inside the block (and committed) are sent right after it, by the caller, rather than
    each handed to the task queue: for a task in the worker, whose every task costs as much again as
    the mail. They go in one connection to the mail server. One that cannot be sent now is tried again
    later as any other (``email_deliver``); if the block fails, or a send breaks, what is left goes to
    the queue. Never in a request: the reader would wait for the mail server."""
    written = _WrittenHere()
    token = _written_here.set(written)
    try:
        yield
    except BaseException:
        for email_id in written.ids:
            enqueue(email_id)
        raise
    finally:
        written.open = False
        _written_here.reset(token)
    if not written.ids:
        return
    with mail_server() as connection:
        for n, email_id in enumerate(written.ids):
            try:
                email_deliver(email_id=email_id, connection=connection)
            except Exception:
                logger.exception("could not send mail %s here; queuing it and the rest", email_id)
                for left in written.ids[n:]:
                    enqueue(left)
                return


@contextmanager
def mail_server() -> Iterator[BaseEmailBackend]:
    """One conversation with the mail server for the mails sent in the block (``email_deliver``), so that
    each is not a new connection, greeting and goodbye; it says goodbye at the end."""
    connection = get_connection()
    try:
        yield connection
    finally:
        _hang_up(connection)


def _render_optional(name: str, context: dict) -> str:
    try:
        return render_to_string(name, context)
    except TemplateDoesNotExist:
        return ""


def _over_limit(to: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    return Email.objects.counted().filter(to=to, created_at__gte=since).count() >= conf.HOURLY_LIMIT


def enqueue(email_id: int, *, delay: int = 0) -> None:
    """Hand a stored mail to the task queue; if the queue cannot take it, the row waits for the next
    worker start (``email_requeue_stale``), so the mail is late, never lost."""
    from .tasks import deliver

    try:
        if delay:
            deliver.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(email_id)
        else:
            deliver.enqueue(email_id)
    except Exception:
        logger.exception("could not queue mail %s; it waits for the next worker start", email_id)


def email_deliver(*, email_id: int, connection: BaseEmailBackend) -> str:
    """One attempt at sending one stored mail over ``connection`` (``mail_server``); returns what
    happened, for the task's result.

    The row is claimed with one conditional UPDATE, so two tasks for one mail (a retry by staff while
    the queue still held it, a requeue after a crash) never send it twice. After a failure the connection
    is closed, and the next mail opens a new one.
    """
    claimed = Email.objects.filter(pk=email_id, status__in=(Email.Status.QUEUED, Email.Status.RETRYING)).update(
        status=Email.Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "nothing to send"
    email = Email.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        email.subject, email.body_text, None, [email.to], headers=email.headers, connection=connection
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        connection.open()  # opened here, it stays open after the send (Django closes only what it opened)
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        _hang_up(connection)
        answer, permanent = _failure(error)
        return _failed(email, answer, permanent=permanent)
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT, answer="accepted by the mail server", sent_at=timezone.now(), next_attempt_at=None
    )
    return "sent"


def _hang_up(connection: BaseEmailBackend) -> None:
    with suppress(OSError, smtplib.SMTPException):  # a server that is gone needs no goodbye
        connection.close()


def _failure(error: OSError | smtplib.SMTPException) -> tuple[str, bool]:
    """What to keep of a failed send, and whether it is final (the server said 5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:  # no answer at all: refused, timed out, cut off
        return f"{type(error).__name__}: {error}".strip(": "), False
    return _answer(code, text), 500 <= code < 600


def _answer(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {text}"[:1000]


def _failed(email: Email, answer: str, *, permanent: bool) -> str:
    delays = conf.RETRY_DELAYS
    if permanent or email.attempts > len(delays):
        Email.objects.filter(pk=email.pk).update(status=Email.Status.FAILED, answer=answer, next_attempt_at=None)
        logger.warning("mail %s to %s failed for good: %s", email.pk, email.to, answer)
        return "failed"
    delay = delays[email.attempts - 1]
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.RETRYING, answer=answer, next_attempt_at=timezone.now() + timedelta(seconds=delay)
    )
    enqueue(email.pk, delay=delay)
    return f"retrying in {delay} s"


def email_retry(*, email: Email) -> bool:
    """Staff send a failed (or not sent) mail again, with a fresh set of attempts; False if it is not
    one to retry (sent, or on its way)."""
    retried = Email.objects.filter(pk=email.pk, status__in=(Email.Status.FAILED, Email.Status.SKIPPED)).update(
        status=Email.Status.QUEUED, attempts=0, next_attempt_at=None, updated_at=timezone.now()
    )
    if retried:
        transaction.on_commit(lambda: enqueue(email.pk))
    return bool(retried)


def email_requeue_stale() -> int:
    """Queue again the mails whose task was lost (a worker killed mid-send, a queue that was down when
    they were written); a task that was merely slow finds its mail claimed and does nothing."""
    cutoff = timezone.now() - timedelta(seconds=conf.STALE_AFTER)
    stale = Email.objects.waiting().filter(
        Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, updated_at__lt=cutoff)
    )
    ids = list(stale.values_list("pk", flat=True))
    Email.objects.filter(pk__in=ids, status=Email.Status.SENDING).update(status=Email.Status.RETRYING)
    for email_id in ids:
        enqueue(email_id)
    return len(ids)
