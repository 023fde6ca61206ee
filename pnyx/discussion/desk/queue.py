"""What the desk lists: one status, narrowed by the filters a moderator typed. Reads only."""

from dataclasses import dataclass, fields

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict

from ..models import Comment, CommentEvent

TABS = [Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.TRASH]


@dataclass(frozen=True)
class Filters:
    """The desk's filters as typed; each empty one narrows nothing."""

    post: str = ""
    author: str = ""
    email: str = ""
    ip: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "Filters":
        return cls(**{f.name: query.get(f.name, "").replace("\x00", "").strip()[:200] for f in fields(cls)})

    def items(self) -> list[tuple[str, str]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    def apply(self, comments: QuerySet) -> QuerySet:
        if self.post:
            by_post = Q(thread__title__icontains=self.post) | Q(thread__path__icontains=self.post)
            comments = comments.filter(Q(thread_id=self.post) if self.post.isdigit() else by_post)
        if self.author:
            comments = comments.filter(Q(author_name__icontains=self.author) | Q(user__username__icontains=self.author))
        if self.email:
            comments = comments.filter(Q(author_email__icontains=self.email) | Q(user__email__icontains=self.email))
        if self.ip:
            comments = comments.filter(ip__startswith=self.ip)
        if self.q:
            comments = comments.filter(body__icontains=self.q)
        return comments


def status_of(tab: str) -> str:
    return tab if tab in TABS else Comment.Status.PENDING


def counts() -> dict[str, int]:
    """How many comments each tab holds, whatever the filters: one query."""
    found = dict(Comment.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {tab: found.get(tab, 0) for tab in TABS}


def listing(*, status: str, filters: Filters) -> QuerySet:
    """The comments of one tab, newest first, with what each row shows fetched up front."""
    comments = filters.apply(Comment.objects.filter(status=status))
    return (
        comments.select_related("thread", "user", "parent", "parent__user")
        .prefetch_related(Prefetch("events", queryset=CommentEvent.objects.select_related("actor")))
        .order_by("-created_at", "-pk")
    )
