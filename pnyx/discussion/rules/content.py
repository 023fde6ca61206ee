"""What the comment says and where it comes from: closed threads, copies, blocklists, links."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from ..conf import conf
from ..models import Comment
from .base import OWN_RECENT, CommentRefused, DuplicateComment, Submission, Verdict

# What readers' comments link with: a web address in the text (Markdown's [text](url) and <url> included,
# as both hold one) or a bare www. name, which renders as a link too.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.I)


def links(text: str) -> list[str]:
    return _LINK.findall(text)


def _host(link: str) -> str:
    return (urlsplit(link if "://" in link else "http://" + link).hostname or "").lower()


def closed(sub: Submission) -> None:
    """A post's comments close ``close_after_days`` after it was published (off unless set)."""
    thread = sub.comment.thread
    if sub.book is None or thread.post_id is None or not sub.book.settings.close_after_days:
        return None
    closes = sub.book.closes_at(thread.post.published_at)
    if closes is not None and sub.at >= closes:
        raise CommentRefused(_("Comments are closed on this post."))
    return None


def _same(text: str) -> str:
    return " ".join(text.split()).casefold()


def same_text(sub: Submission) -> Verdict | None:
    """The same text (case and spacing aside) from the same identity: in the same thread within
    ``conf.DUPLICATE_WINDOW`` it is refused (``refuse_repeat``); in another thread within
    ``conf.COPY_WINDOW`` it is spam (a bot's round of the blog)."""
    refuse_repeat(sub)
    text = _same(sub.comment.body)
    if sub.identity() is None or sub.commenter.is_staff or len(text) < conf.COPY_MIN_LENGTH:
        return None
    thread_id = sub.comment.thread_id
    own = sub.own_recent()  # all of them, as there are few; else the newest outside this thread
    if own is None:
        since = sub.at - timedelta(seconds=conf.COPY_WINDOW)
        own = sub.own(since=since, elsewhere_than=thread_id, limit=OWN_RECENT)
    if any(_same(earlier.body) == text for earlier in own if earlier.thread_id != thread_id):
        return Verdict(Comment.Status.SPAM, "the same text was posted in another thread")
    return None


def refuse_repeat(sub: Submission, *, fresh: bool = False) -> None:
    """DuplicateComment if the same identity wrote the same text in the same thread within
    ``conf.DUPLICATE_WINDOW``: a double click, or a bot repeating itself (staff included).

    Posting asks again under the thread's lock, where the second request of a double click sees the
    first: ``fresh`` asks the database then, never what the rules read before (``own_recent``).
    It asks for the identity's comments in every thread, as the rules do, and keeps this thread's:
    asked for this thread's alone, PostgreSQL's planner, its statistics behind a thread taking
    hundreds of comments a minute, read every one of the thread's last ten minutes under the lock
    (2.6 ms for 4,000) where the identity's own index finds its few.
    """
    if sub.identity() is None:
        return
    since = sub.at - timedelta(seconds=conf.DUPLICATE_WINDOW)
    thread_id = sub.comment.thread_id
    own = sub.own_few(since) if fresh else sub.own_recent()
    if own is None:  # an identity writing a stream: this thread's only
        own = sub.own(since=since, thread_id=thread_id)
    text = _same(sub.comment.body)
    repeats = [e.pk for e in own if e.thread_id == thread_id and e.created_at >= since and _same(e.body) == text]
    if repeats:  # the first of them: ``own`` is newest first
        raise DuplicateComment(Comment.objects.get(pk=repeats[-1]))


def blocklists(sub: Submission) -> Verdict | None:
    """Words, addresses, IP ranges and link domains from the settings; the allowlist always passes."""
    book, comment = sub.book, sub.comment
    if book is None or book.allows(email=comment.author_email, ip=comment.ip):
        return None
    reason = None
    if book.email_blocked(comment.author_email):
        reason = "email address is on the blocklist"
    elif book.ip_blocked(comment.ip):
        reason = f"IP address {comment.ip} is on the blocklist"
    elif book.words is not None and (match := book.words.search(f"{comment.author_name}\n{comment.body}")):
        reason = f"blocked word: {match.group(0)[:50]}"
    elif any(book.domain_blocked(_host(link)) for link in [*links(comment.body), comment.author_url] if link):
        reason = "links to a blocked domain"
    return Verdict(book.settings.blocklist_outcome, reason) if reason else None


def too_many_links(sub: Submission) -> Verdict | None:
    """More than ``max_links`` links is held for a moderator: spam's favourite shape, a regular's rare one."""
    if sub.book is None or sub.commenter.is_staff:
        return None
    count = len(links(sub.comment.body))
    if count > sub.book.settings.max_links:
        return Verdict(Comment.Status.PENDING, f"{count} links (more than {sub.book.settings.max_links})")
    return None
