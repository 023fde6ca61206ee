"""A thread's comments, ready to show: one query, then a flat list laid out in reading order.

Nothing recurses or queries while the HTML is put together (``fragments.thread_html``): each item says
how deep it sits, whether a list of replies opens after it, and how many lists close after it. A long
thread is shown a page at a time (``thread_page``), each page a range of the ordering key.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from pnyx.precompiled import Precompiled

from .conf import conf
from .fragments import refresh_stale
from .models import Comment, Thread

SHOWN_FIELDS = [
    *["pk", "thread", "parent", "path", "depth", "author_name", "body_html", "meta_html", "meta_key", "legacy_anchor"],
    *["user__first_name", "user__last_name", f"user__{get_user_model().USERNAME_FIELD}"],
]
"""What a page reads of each comment: what it shows and lays out, and no more (a third of the columns)."""


@dataclass
class ThreadItem:
    comment: Comment | None  # None: a removed comment that still has visible replies
    depth: int
    reply_to: int | None = None  # the comment a Reply link answers (the parent, at the deepest level)
    opens_replies: bool = False
    closes: int = 0
    path: str = ""  # a placeholder's: the hidden comment's
    deleted: bool = False  # a placeholder for a comment its author deleted


@dataclass
class ThreadPage:
    """Page ``number`` of ``count`` of a thread, laid out."""

    thread: Thread
    number: int
    count: int
    items: list[ThreadItem] = field(default_factory=list)

    def url(self, number: int) -> str:
        return self.thread.page_url(number)

    @property
    def address(self) -> str:
        """This page's own (and canonical) address."""
        return self.url(self.number)

    @property
    def reply_query(self) -> str:
        """What a Reply link's query starts with, so that replying without JavaScript stays on this page."""
        return f"cpage={self.number}&" if self.number > 1 else ""

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None

    @property
    def previous_url(self) -> str | None:
        return self.url(self.previous) if self.previous else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.next) if self.next else None

    def links(self, *, around: int = 2) -> list[tuple[int, str] | None]:
        """(number, URL) of the pages to link: the first, the last and ``around`` either side of this
        one, with None where a run of pages is left out."""
        shown = sorted({1, self.count, *range(max(1, self.number - around), min(self.count, self.number + around) + 1)})
        out: list[tuple[int, str] | None] = []
        for number in shown:
            if out and number - out[-1][0] > 1:
                out.append(None)
            out.append((number, self.url(number)))
        return out


def thread_page(thread: Thread, number: int) -> ThreadPage | None:
    """Page ``number`` of ``thread``'s public comments in one range query; None if there is no such page."""
    bounds = thread.page_bounds()
    if not 1 <= number <= len(bounds) + 1:
        return None
    after = [bounds[number - 2]] if number > 1 else []  # the page's first path
    before = [bounds[number - 1]] if number <= len(bounds) else []  # the next page's
    comments = _page_comments(thread.pk, *after, *before, after=bool(after), before=bool(before))
    for comment in comments:
        Comment.thread.field.set_cached_value(comment, thread)  # as thread.comments would have
    refresh_stale(comments)
    items = build_thread(comments, max_depth=conf.THREAD_DEPTH)
    _mark_deleted(thread, items)
    return ThreadPage(thread, number, len(bounds) + 1, items)


def _page_rows(thread_id: int, *bounds: str, after: bool, before: bool) -> QuerySet:
    """A page of a thread: from a bound (the page's first path) when ``after``, up to one (the next
    page's) when ``before``; ``bounds`` holds those given, in that order."""
    comments = Comment.objects.filter(thread=thread_id).public().in_thread_order()
    comments = comments.select_related("user").only(*SHOWN_FIELDS)
    if after:
        comments = comments.filter(path__gte=bounds[0])
    if before:
        comments = comments.filter(path__lt=bounds[-1])
    return comments


_page_comments = Precompiled(_page_rows)
"""Compiled once per process and shape (``pnyx.precompiled``): every page miss runs it."""


def _mark_deleted(thread: Thread, items: list[ThreadItem]) -> None:
    """Say which placeholders stand for a comment its author deleted (``own.comment_delete_own``): one
    query, and only on a page that has placeholders at all."""
    hidden = [item.path for item in items if item.comment is None]
    if not hidden:
        return
    deleted = set(
        thread.comments.filter(path__in=hidden, status=Comment.Status.TRASH, status_via=Comment.Via.AUTHOR).values_list(
            "path", flat=True
        )
    )
    for item in items:
        item.deleted = item.comment is None and item.path in deleted


def build_thread(comments: list[Comment], *, max_depth: int) -> list[ThreadItem]:
    """Lay out comments sorted by ``path`` as nested lists no deeper than ``max_depth``.

    A visible reply whose parent is hidden (pending, spam or trashed later) keeps its place under a
    placeholder, so a moderator's decision never re-parents somebody's answer.
    """
    items: list[ThreadItem] = []
    open_paths: list[str] = []  # the chain of ancestors of the next item, as stored paths
    for comment in comments:
        segments = comment.path.split("/")
        ancestors = ["/".join(segments[: i + 1]) for i in range(len(segments) - 1)]
        while open_paths and (len(open_paths) > len(ancestors) or open_paths[-1] != ancestors[len(open_paths) - 1]):
            open_paths.pop()
        while len(open_paths) < len(ancestors):
            # Ancestor missing from the visible set: stand a placeholder in for it.
            if len(open_paths) < max_depth - 1:
                items.append(ThreadItem(comment=None, depth=len(open_paths), path=ancestors[len(open_paths)]))
            open_paths.append(ancestors[len(open_paths)])
        depth = min(len(ancestors), max_depth - 1)
        reply_to = comment.pk if comment.takes_replies(max_depth=max_depth) else comment.parent_id
        items.append(ThreadItem(comment=comment, depth=depth, reply_to=reply_to))
        open_paths.append(comment.path)

    for index, item in enumerate(items):
        next_depth = items[index + 1].depth if index + 1 < len(items) else 0
        if next_depth > item.depth:
            item.opens_replies = True
        else:
            item.closes = item.depth - next_depth
    return items
