"""Importing into a site that already has comments (issue 13, item 4).

Two real-size exports of different blogs, one after the other, into the demo site: their comment ids
overlap each other's and the demo's, and some replies answer a comment whose old id is taken. Before
the fix the second import ended in ``UNIQUE constraint failed: discussion_comment.id``.
"""

from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse

from pnyx.demo import load_demo
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file

from .conftest import wxr_comment, wxr_document, wxr_item

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def blog_export(path: Path, *, site: str, first_id: int, posts: int, per_post: int) -> dict[int, int]:
    """A WXR file of ``posts`` posts with consecutive comment ids from ``first_id``, every third comment
    answering the one before; returns each comment's parent id (0 for none) by comment id."""
    parents: dict[int, int] = {}
    items = []
    comment_id = first_id
    for n in range(1, posts + 1):
        comments = []
        for k in range(per_post):
            parents[comment_id] = comment_id - 1 if k % 3 == 2 else 0
            comments.append(wxr_comment(comment_id, parent=parents[comment_id]))
            comment_id += 1
        link = f"{site}/{n}/a-post-{n}/"
        items.append(wxr_item(n, slug=f"a-post-{n}", link=link, comments="".join(comments)))
    path.write_text(wxr_document("".join(items), site=site), encoding="utf-8")
    return parents


def test_two_overlapping_exports_then_a_reader_all_land_in_a_site_with_comments(tmp_path, client):
    load_demo()
    demo_ids = set(Comment.objects.values_list("pk", flat=True))
    first = min(demo_ids)  # both files' ids overlap the demo's, and 500 of them each other's
    sources = {
        "https://one.example": blog_export(
            tmp_path / "one.xml", site="https://one.example", first_id=first, posts=50, per_post=20
        ),
        "https://two.example": blog_export(
            tmp_path / "two.xml", site="https://two.example", first_id=first + 500, posts=40, per_post=25
        ),
    }

    for name in ("one.xml", "two.xml"):
        report = import_file(tmp_path / name)
        assert report.created["comments (approved)"] == 1000

    for site, parents in sources.items():
        imported = {
            int(c.import_ref.rsplit(":", 1)[1]): c
            for c in Comment.objects.filter(import_ref__startswith=f"wxr:{site}:comment:")
        }
        assert imported.keys() == parents.keys()
        for source_id, comment in imported.items():
            assert comment.pk == source_id or comment.legacy_anchor == f"comment-{source_id}"
            parent = parents[source_id]
            assert comment.parent_id == (imported[parent].pk if parent else None)
            assert comment.depth == (1 if parent else 0)
    anchored = Comment.objects.exclude(legacy_anchor="").count()
    assert anchored >= len(demo_ids) + 500  # the demo's ids, and the 500 both exports use

    # An old link #comment-N must land on one comment of its page: no anchor twice in one thread.
    per_thread = Counter(
        (thread, f"comment-{pk}") for thread, pk in Comment.objects.values_list("thread", "pk")
    ) + Counter(Comment.objects.exclude(legacy_anchor="").values_list("thread", "legacy_anchor"))
    assert max(per_thread.values()) == 1

    reply_to = Comment.objects.get(import_ref=f"wxr:https://two.example:comment:{first + 999}")
    before = Comment.objects.count()
    response = client.post(
        reverse("discussion:post", args=[reply_to.thread_id]),
        {
            "comment": "Still arguing after the move.",
            "author": "Late Reader",
            "email": "late@example.org",
            "comment_parent": str(reply_to.pk),
        },
        **SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert Comment.objects.count() == before + 1
    mine = Comment.objects.get(author_email="late@example.org")
    assert mine.parent_id == reply_to.pk and mine.pk not in sources["https://two.example"]
    assert client.get(reply_to.thread.get_absolute_url()).content.count(f'id="{reply_to.anchor}"'.encode()) == 1
