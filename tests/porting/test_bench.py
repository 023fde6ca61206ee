import pytest

from bench.import_wxr import write_wxr
from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file

pytestmark = pytest.mark.django_db


def test_benchmark_file_imports_whole_with_batched_threads(tmp_path):
    """The benchmark's own file, small: the batched path places every reply under its parent."""
    write_wxr(tmp_path / "bench.xml", posts=20, comments=500)
    report = import_file(tmp_path / "bench.xml")
    assert Post.objects.count() == 20 and Comment.objects.count() == 500
    assert report.created["comments (pending)"] == 60
    replies = Comment.objects.filter(parent__isnull=False).select_related("parent")
    assert replies.count() == 160
    assert all(r.depth == 1 and r.path.startswith(r.parent.path + "/") for r in replies)
    assert Post.objects.get(import_ref__endswith=":post:1").thread.comment_count == 22
