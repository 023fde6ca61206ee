"""A comment's way in: check the thread and the parent, judge it, save it.

Every comment enters through this module. A reader's comment (the form view, any API) goes through
``post_comment``, one at a time and judged by the rules; comments whose status was decided elsewhere
(an importer's, the demo's) go through ``CommentBatch``. Both prepare each comment the same way
(``Comment.prepare_insert``) and both are steps of the one lifecycle (``lifecycle``); the batch only
groups the inserts, as a 100,000-comment import needs.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pnyx.identity.commenter import Commenter
from pnyx.outbox.subscriptions import account_address, subscription_add
from pnyx.precompiled import Precompiled

from .conf import conf
from .lifecycle import Change, comment_create, record
from .models import Comment, Thread
from .rules import CommentRefused, DuplicateComment, RateLimited, Submission, Verdict, judge
from .rules.content import refuse_repeat

__all__ = ["CommentRefused", "DuplicateComment", "RateLimited", "post_comment"]


PARENT_GONE = gettext_lazy("The comment you replied to is no longer available.")


@dataclass(frozen=True)
class Client:
    """The request details moderators see next to a comment."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Client":
        user_agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:500]  # PostgreSQL refuses NUL
        return cls(ip=client_ip(request), user_agent=user_agent)


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address. Behind ``PNYX_PROXY_COUNT`` trusted proxies it is the address the outermost
    of them saw, counted from the right of X-Forwarded-For: entries further left are the client's own
    claims and could be forged.
    """
    proxies = settings.PNYX_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR") or None
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Outcome:
    comment: Comment
    verdict: Verdict
    pages_read: bool = False
    """Whether the thread's pages were read under the lock the comment was written in (PostgreSQL)."""

    @property
    def is_public(self) -> bool:
        return self.verdict.is_public

    def place(self) -> str:
        """The comment's address: the page of its thread that holds it, and its anchor.

        Where ``post_comment`` read the thread's pages under its lock, a held comment's page is known
        without reading the thread again. A public comment moved the pages' bounds itself
        (``lifecycle.record``), and on SQLite nothing was read under the lock: the pages are read now.
        """
        thread = self.comment.thread
        if self.is_public or not self.pages_read:
            _read_pages(thread, locked=False)
        return self.comment.url_in(thread)


# A comment POST's thread queries, the same shape for every comment: compiled once per process
# (``pnyx.precompiled``), as building and compiling them cost more than running them.
_post_threads = Precompiled(lambda pk: Thread.objects.select_related("post").filter(pk=pk, post__isnull=False))


def _pages_of(pk: int, *, locked: bool) -> QuerySet:
    threads = Thread.objects.select_for_update() if locked else Thread.objects
    return threads.filter(pk=pk).only("revision", "page_starts")


_thread_pages = Precompiled(_pages_of)


def _read_pages(thread: Thread, *, locked: bool) -> None:
    """Where ``thread``'s pages start now, read plainly or under the thread's row lock."""
    pages = _thread_pages.first(thread.pk, locked=locked)
    thread.revision, thread.page_starts = pages.revision, pages.page_starts


def post_thread(thread_id: int) -> Thread | None:
    """The thread under a post that ``thread_id`` names, its post with it; None for any other."""
    return _post_threads.first(thread_id)


def parent_comment(parent_id: int | None) -> Comment | None:
    """The comment a reply answers, by the id the form sent; CommentRefused if it no longer exists."""
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id).first()
    if parent is None:
        raise CommentRefused(PARENT_GONE)
    return parent


def check_open(thread: Thread, parent: Comment | None) -> None:
    """Raise CommentRefused if readers may not comment in ``thread`` under ``parent`` now."""
    if thread.post_id is not None and not thread.post.is_published:
        raise CommentRefused(_("This post is not published."))
    if not thread.is_open:
        raise CommentRefused(_("Comments are closed on this post."))
    if parent is not None and (parent.thread_id != thread.pk or not parent.is_public):
        raise CommentRefused(PARENT_GONE)


def post_comment(
    *,
    thread: Thread,
    parent: Comment | None,
    commenter: Commenter,
    body: str,
    client: Client,
    honeypot: str = "",
    notify_replies: bool = False,
    follow: bool = False,
    follow_blog: bool = False,
) -> Outcome:
    """Take one reader's comment: returns what became of it, or raises CommentRefused (``RateLimited``
    and ``DuplicateComment`` among them: the rules refuse too). ``follow`` and ``follow_blog`` subscribe
    the commenter to the thread's new comments and to the blog's new posts (``subscribe``)."""
    check_open(thread, parent)
    comment = _new_comment(thread, parent, commenter, body, client)
    comment.notify_replies = notify_replies and may_notify(commenter)
    # Judged before the write transaction: the rules only read, and a spam engine may take seconds to
    # answer. On SQLite a transaction holds the one write lock, which every other comment, vote and
    # moderation step waits for; the write below holds it for the insert alone.
    submission = Submission(comment=comment, commenter=commenter, honeypot=honeypot)
    verdict = judge(submission)
    pages_read = connection.features.has_select_for_update
    with transaction.atomic():
        # One comment at a time per thread, so that a double click's second request sees the first here
        # and stores nothing. On PostgreSQL a row lock, whose read is the thread's pages as this comment
        # finds them (where it lands, ``Outcome.place``, needs no other read). SQLite's transaction
        # already holds its one write lock, which every other write waits for: nothing more is read in it.
        if pages_read:
            _read_pages(thread, locked=True)
        comment.created_at = timezone.now()  # its time is when it is written, after every comment before it
        refuse_repeat(submission, fresh=True)
        comment_create(comment=comment, status=verdict.status, reason=verdict.reason, via=Comment.Via.RULES)
        if verdict.status in (Comment.Status.APPROVED, Comment.Status.PENDING):
            subscribe(commenter, thread=thread if follow else None, blog=follow_blog)
    return Outcome(comment=comment, verdict=verdict, pages_read=pages_read)


def may_notify(commenter: Commenter) -> bool:
    """Replies are mailed only to an address known to be the reader's: a signed-in account's, or a guest's
    that this browser confirmed; never to an address anyone could have typed."""
    if commenter.user is not None:
        return bool(getattr(commenter.user, "email", ""))
    return bool(commenter.email) and commenter.confirmed_address()


def subscribe(commenter: Commenter, *, thread: Thread | None, blog: bool) -> None:
    """The commenter's ticked subscriptions: at once for an address known to be theirs (an account's
    verified one, or one this browser confirmed), else waiting for the link mailed to it. A comment the
    rules called spam subscribes nobody: its address may be anyone's."""
    if thread is None and not blog:
        return
    if commenter.user is not None:
        email, proven = account_address(commenter.user)
    else:
        email, proven = commenter.email, commenter.confirmed_address()
    if not email:
        return
    topics = ([thread] if thread is not None else []) + ([None] if blog else [])
    for topic in topics:
        subscription_add(email=email, topic=topic, proven=proven)


def _new_comment(thread: Thread, parent: Comment | None, commenter: Commenter, body: str, client: Client) -> Comment:
    return Comment(
        thread=thread,
        parent=Comment.reply_parent(parent, max_depth=conf.THREAD_DEPTH),
        user=commenter.user,
        author_name="" if commenter.user else commenter.name,
        author_email=getattr(commenter.user, "email", "") if commenter.user else commenter.email,
        author_url="" if commenter.user else commenter.url,
        body=body,
        ip=client.ip,
        user_agent=client.user_agent,
    )


class CommentBatch:
    """Comments whose status was decided elsewhere (an import, the demo), prepared one by one like a
    reader's and inserted in batches, each batch one step of the lifecycle (``lifecycle.record``).

    Parents must be added before their replies. A source's own comment id is kept when it is free here
    *when the batch is inserted*, so that old ``#comment-N`` links land on the same comment; otherwise
    the old anchor is kept beside a new id. Kept ids are inserted first and the id sequence is moved past
    them before any id is given automatically, so an id given automatically never collides with a kept
    one, whatever was written before, in between, or by readers meanwhile. An importer that knows the
    highest source id to come calls ``reserve`` first, so no id given automatically takes one a later
    comment could keep.
    """

    def __init__(self, *, size: int = 2000) -> None:
        self.size = size
        self.waiting: list[tuple[Comment, int | None]] = []
        self.taken: set[int] = set()
        self.anchored = 0
        """How many comments kept their source id only as an anchor (the id was taken here)."""
        self.written = 0

    def expect(self, source_ids: Iterable[int]) -> None:
        """Learn in one query which of the source ids about to be added are taken (saves a query each)."""
        wanted = set(source_ids) - self.taken
        self.taken |= set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))

    def reserve(self, highest: int) -> None:
        """Move the id sequence past ``highest``, the largest source id about to be added.

        Otherwise a comment whose own id is taken, or a reader's written meanwhile, is given the next
        free id, which is often the id of a comment further on in the file: that one then loses its id
        too, and on its page the old anchor ``#comment-N`` would stand beside a comment with id N.
        """
        with transaction.atomic():
            _move_id_sequence(past=highest)

    def add(self, comment: Comment, *, source_id: int | None = None) -> None:
        # A reply may wait beside its parent when the parent keeps its source id (the reply already points
        # at it); a parent that will be given an id on insert must be inserted first.
        if comment.parent is not None and comment.parent.pk is None:
            self.flush()
        comment.status_via = Comment.Via.IMPORT
        comment.prepare_insert()
        comment.pk = None
        if source_id is not None and source_id not in self.taken:  # ``flush`` checks again, in its transaction
            comment.pk = source_id
            self.taken.add(source_id)
        self.waiting.append((comment, source_id))
        if len(self.waiting) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Insert what waits, in one transaction: kept ids first, then the sequence, then new ids."""
        if not self.waiting:
            return
        with transaction.atomic():
            wanted = [c.pk for c, _source in self.waiting if c.pk is not None]
            taken_now = set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            keep, new = [], []
            for comment, source_id in self.waiting:
                if comment.pk in taken_now:  # taken since it was added: by a reader, or another import
                    comment.pk = None
                if source_id is not None and comment.pk is None:
                    comment.legacy_anchor = f"comment-{source_id}"
                    self.anchored += 1
                (keep if comment.pk is not None else new).append(comment)
            if any(c.parent is not None and c.parent.pk is None for c in keep + new):
                self._one_by_one()
                return
            if keep:
                Comment.objects.bulk_create(keep)
                _move_id_sequence(past=max(c.pk for c in keep))
            if new:
                Comment.objects.bulk_create(new)
            self.taken.update(c.pk for c in new)
            record(Change(c.pk, c.thread_id, None, c.status, Comment.Via.IMPORT) for c in keep + new)
        self.written += len(self.waiting)
        self.waiting = []

    def _one_by_one(self) -> None:
        """A parent lost its source id in this very batch (rare: taken since it was added), so its replies
        point at nothing yet: insert in order, parents first, each reply pointing at its parent's new id."""
        _move_id_sequence(past=max((c.pk for c, _s in self.waiting if c.pk is not None), default=0))
        for comment, _source_id in self.waiting:
            if comment.parent is not None:
                comment.parent_id = comment.parent.pk
            Comment.objects.bulk_create([comment])
            self.taken.add(comment.pk)
        record(Change(c.pk, c.thread_id, None, c.status, Comment.Via.IMPORT) for c, _s in self.waiting)
        self.written += len(self.waiting)
        self.waiting = []

    def finish(self) -> None:
        self.flush()
        if self.written:
            _tell_the_planner()


def _tell_the_planner() -> None:
    """Have PostgreSQL count the comments anew after a batch, as autovacuum would when it comes round.

    Why: on PostgreSQL what a connection runs often is prepared (``pnyx.postgresql``), and a prepared
    query's generic plan is made from the table's planner statistics. Until they are renewed (autovacuum
    does it a while after a big write, and never where it is switched off) they describe the table before
    the import; on a new site, an empty one. Planned for an empty table, the rules' query for a guest's
    earlier comments read every guest comment through the index on ``user_id``: 2 ms a comment at first,
    8 ms after 3,000 (bench/README.md). PostgreSQL plans its prepared queries again once the statistics
    change. SQLite's plans do not depend on statistics it was never given, so it is left alone.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Comment._meta.db_table)}")


def _move_id_sequence(*, past: int) -> None:
    """Make the next id given automatically larger than ``past`` (and than every id in use); never lower it.

    PostgreSQL's sequence does not see ids inserted explicitly, and setting it back to the largest id
    visible here could hand out an id a reader's comment, not yet committed, already has. SQLite gives
    max(``sqlite_sequence``, largest id) + 1 (the column is AUTOINCREMENT), so only the reservation is stored.
    """
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            largest = f"(SELECT MAX(id) FROM {connection.ops.quote_name(table)})"  # noqa: S608 (the model's table)
            cursor.execute(
                f"SELECT setval(s, GREATEST(%s, {largest}, pg_sequence_last_value(s)))"  # noqa: S608
                " FROM (SELECT CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS s) AS q",
                [past, table],
            )
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [past, table])
            if cursor.rowcount == 0:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, past])
