import pytest

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file
from pnyx.porting.models import LegacyPath

from .conftest import wxr_comment, wxr_document, wxr_item

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return Post.objects.count(), Comment.objects.count(), Term.objects.count(), LegacyPath.objects.count()


def test_reimporting_the_same_file_creates_nothing(import_theme_unit_test):
    import_theme_unit_test()
    before = _counts()
    report = import_theme_unit_test()
    assert _counts() == before
    assert not any(key in report.created for key in ("posts", "pages", "comments (approved)"))
    assert report.existing["comments"] == 33


def test_newer_export_adds_only_the_new_post_and_the_new_reply(write_file):
    first = wxr_item(1, comments=wxr_comment(10))
    import_file(write_file(wxr_document(first), "old.xml"))
    Post.objects.filter(import_ref__endswith=":post:1").update(title="Edited here since")
    newer = wxr_item(1, comments=wxr_comment(10) + wxr_comment(11, parent=10)) + wxr_item(2, title="New one")
    report = import_file(write_file(wxr_document(newer), "new.xml"))
    assert report.created["posts"] == 1 and report.created["comments (approved)"] == 1
    assert Post.objects.get(import_ref__endswith=":post:1").title == "Edited here since"
    reply = Comment.objects.get(pk=11)
    assert reply.parent_id == 10 and reply.path.startswith(reply.parent.path + "/")
    assert Post.objects.get(import_ref__endswith=":post:1").thread.comment_count == 2


def test_dry_run_checks_everything_and_keeps_nothing(shared_data):
    report = import_file(shared_data / "theme-preview.xml", dry_run=True)
    assert report.created["posts"] + report.created["pages"] > 0
    assert _counts() == (0, 0, 0, 0)
