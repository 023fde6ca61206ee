"""A thread's comments, ready for the template: one query, then a flat list the template walks.

Templates do no work (no recursion, no queries): each item says how deep it sits, whether a list of
replies opens after it, and how many lists close after it.
"""

from dataclasses import dataclass

from .conf import conf
from .models import Comment, Thread


@dataclass
class ThreadItem:
    comment: Comment | None  # None: a removed comment that still has visible replies
    depth: int
    reply_to: int | None = None  # the comment a Reply link answers (the parent, at the deepest level)
    opens_replies: bool = False
    closes: int = 0

    @property
    def close_range(self) -> range:
        return range(self.closes)


def public_thread(thread: Thread) -> list[ThreadItem]:
    """The public comments of ``thread`` in reading order, in one indexed query."""
    comments = thread.comments.public().in_thread_order().select_related("user")
    return build_thread(list(comments), max_depth=conf.THREAD_DEPTH)


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
                items.append(ThreadItem(comment=None, depth=len(open_paths)))
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
