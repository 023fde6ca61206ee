"""Disqus XML export: threads by their link (an imported post's, when one is there), then every comment in them.

A Disqus comment is known by ``disqus:<dsq:id>``; importing the export again adds only new comments.
Disqus lists replies and their parents in no promised order, so a reply whose parent has not come yet
waits for it.
"""

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pnyx.discussion.models import Comment, Thread

from . import legacy
from .comments import CommentWriter, ip_or_none
from .content import comment_text
from .report import PortingError, Report
from .xmlstream import Progress, events, local_name

NAME = "Disqus export"
_INTERNALS = "{http://disqus.com/disqus-internals}id"


def detect(head: bytes) -> bool:
    return b"<disqus" in head and b"disqus.com" in head


def import_file(path: Path, *, report: Report, progress: Progress | None = None) -> None:
    """Import every thread and comment of a Disqus export: onto the post at a thread's link, else kept under it.

    The whole file is checked first, so a bad one is refused before anything is written; then each
    batch of comments is written in a short transaction of its own.
    """
    check(path, progress=progress)
    _DisqusImport(path, report).run(progress)


def check(path: Path, *, progress: Progress | None = None) -> None:
    """Read the whole export as the import does, writing nothing; PortingError at the first problem."""
    for name, element in _elements(path, progress):
        if name == "post" and (fields := _post_fields(element))["id"]:
            _created_at(fields, path=path)


def _elements(path: Path, progress: Progress | None) -> Iterator[tuple[str, ET.Element]]:
    """The export's threads and posts (comments), each with its local name, once complete."""
    depth = 0
    root: ET.Element | None = None
    for event, element in events(path, progress=progress):
        if event == "start":
            depth += 1
            if depth == 1:
                if local_name(element.tag)[1] != "disqus":
                    raise PortingError(f"{path.name}: the root element is not <disqus>.")
                root = element
            continue
        if depth == 2 and root is not None:
            yield local_name(element.tag)[1], element
            root.clear()
        depth -= 1


def _created_at(fields: dict, *, path: Path) -> datetime:
    try:
        return datetime.fromisoformat(fields["createdAt"])
    except ValueError:
        raise PortingError(
            f"{path.name}: post dsq:id={fields['id']} has createdAt {fields['createdAt']!r}, which is not a date."
        ) from None


class _DisqusImport:
    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        self.writer = CommentWriter(report)
        self.threads: dict[str, Thread] = {}
        self.comments: dict[str, Comment] = {}
        self.waiting: dict[str, list[dict]] = defaultdict(list)
        self.existing = set(
            Comment.objects.filter(import_ref__startswith="disqus:").values_list("import_ref", flat=True)
        )

    def run(self, progress: Progress | None) -> None:
        for name, element in _elements(self.path, progress):
            if name == "thread":
                self.thread(element)
            elif name == "post":
                self.post(_post_fields(element))
        for children in self.waiting.values():
            for fields in children:
                self.report.notes["replies whose parent is not in the file (shown as top-level comments)"] += 1
                self.add(fields, parent=None)
        self.writer.finish()

    def thread(self, element: ET.Element) -> None:
        thread_id = element.get(_INTERNALS, "")
        link = _child_text(element, "link")
        if not link:
            self.report.skipped["Disqus threads without a link"] += 1
            return
        thread = self.threads[thread_id] = legacy.find_thread(link, title=_child_text(element, "title"))
        if thread.post_id is None:
            self.report.notes["Disqus threads kept under their address (no post there here)"] += 1
        else:
            self.report.notes["Disqus threads matched to a post"] += 1

    def post(self, fields: dict) -> None:
        if not fields["id"]:
            self.report.skipped["Disqus comments without a dsq:id"] += 1
            return
        ref = f"disqus:{fields['id']}"
        if ref in self.existing:
            self.report.existing["comments"] += 1
            return
        if self.threads.get(fields["thread"]) is None:
            self.report.skipped["Disqus comments on a thread missing from the file or without a link"] += 1
            return
        parent_id = fields["parent"]
        if not parent_id:
            self.add(fields, parent=None)
            return
        parent = self.comments.get(parent_id)
        if parent is None and f"disqus:{parent_id}" in self.existing:
            parent = Comment.objects.get(import_ref=f"disqus:{parent_id}")
            self.comments[parent_id] = parent
        if parent is None:
            self.waiting[parent_id].append(fields)
        else:
            self.add(fields, parent=parent)

    def add(self, fields: dict, *, parent: Comment | None) -> None:
        """Write one comment, then any replies that were waiting for it."""
        created_at = _created_at(fields, path=self.path)
        if fields["isDeleted"]:
            status = Comment.Status.TRASH
        elif fields["isSpam"]:
            status = Comment.Status.SPAM
        else:
            status = Comment.Status.APPROVED
        comment = Comment(
            thread=self.threads[fields["thread"]],
            parent=parent,
            author_name=fields["name"],
            author_email=fields["email"],
            body=comment_text(fields["message"]),
            status=status,
            status_reason="imported from Disqus",
            ip=ip_or_none(fields["ipAddress"]),
            created_at=created_at,
            import_ref=f"disqus:{fields['id']}",
        )
        self.writer.add(comment)
        self.comments[fields["id"]] = comment
        for child in self.waiting.pop(fields["id"], []):
            self.add(child, parent=comment)


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if local_name(child.tag)[1] == name:
            return (child.text or "").strip()
    return ""


def _post_fields(element: ET.Element) -> dict:
    fields = {"id": element.get(_INTERNALS, ""), "thread": "", "parent": "", "name": "", "email": ""}
    for child in element:
        name = local_name(child.tag)[1]
        if name in ("thread", "parent"):
            fields[name] = child.get(_INTERNALS, "")
        elif name == "id":
            continue  # the embedding site's own identifier, often empty; the dsq:id attribute is the key
        elif name == "author":
            fields["name"] = _child_text(child, "name") or _child_text(child, "username")
            fields["email"] = _child_text(child, "email")
        else:
            fields[name] = (child.text or "").strip()
    for flag in ("isDeleted", "isSpam"):
        fields[flag] = fields.get(flag, "").lower() == "true"
    fields.setdefault("message", "")
    fields.setdefault("createdAt", "")
    fields.setdefault("ipAddress", "")
    return fields
