import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file
from pnyx.porting.export import export_wxr
from pnyx.porting.models import LegacyPath
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

_IDS = re.compile(r"<wp:(post_id|term_id|author_id)>\d+<|/\?p=\d+<|<wp:comment_user_id>[1-9]\d*<")


def _export() -> str:
    out = io.StringIO()
    export_wxr(out, base_url="https://pnyx.example")
    return out.getvalue()


def _normalized(wxr: str) -> str:
    """The export without what a new site numbers afresh (database ids, the export's own date), and
    without blank lines between tags, which sanitizing leaves where it removed an element."""
    wxr = re.sub(r"<pubDate>[^<]*</pubDate>", "", wxr, count=1)
    wxr = re.sub(r">\n\s*\n\s*<", ">\n<", wxr)
    return _IDS.sub(lambda m: m.group(0).split(">")[0] + ">ID<" if "<wp:" in m.group(0) else "/?p=ID<", wxr)


def _empty_the_site() -> None:
    Comment.objects.all().delete()
    LegacyPath.objects.all().delete()
    Post.objects.all().delete()
    Term.objects.all().delete()
    get_user_model().objects.all().delete()


def test_round_trip_export_import_export_gives_the_same_content(import_theme_unit_test, tmp_path):
    import_theme_unit_test()
    first = _export()
    (tmp_path / "first.xml").write_text(first, encoding="utf-8")
    _empty_the_site()
    import_file(tmp_path / "first.xml")
    second = _export()
    assert _normalized(second) == _normalized(first)
    assert second.count("<wp:comment>") == 33 and second.count("<wp:post_type>page<") == 21


def test_export_is_wxr_that_keeps_statuses_parents_and_terms(tmp_path):
    post = PostFactory(slug="tea", status=Post.Status.SCHEDULED)
    post.terms.add(Term.objects.create(taxonomy=Term.Taxonomy.TAG, name="Leaves", slug="leaves"))
    parent = CommentFactory(post=post, body="First")
    CommentFactory(post=post, parent=parent, body="Second", status=Comment.Status.SPAM)
    call_command("export", "-o", str(tmp_path / "out.xml"), "--base-url", "https://pnyx.example/", verbosity=0)
    wp = "{http://wordpress.org/export/1.2/}"
    channel = ET.parse(tmp_path / "out.xml").getroot().find("channel")  # noqa: S314 (the file we just wrote)
    assert channel.findtext(f"{wp}wxr_version") == "1.2"
    item = channel.find("item")
    assert item.findtext("link") == "https://pnyx.example/posts/tea/"
    assert item.findtext(f"{wp}status") == "future"
    assert item.find("category").get("nicename") == "leaves"
    first, second = item.findall(f"{wp}comment")
    assert first.findtext(f"{wp}comment_approved") == "1"
    assert second.findtext(f"{wp}comment_approved") == "spam"
    assert second.findtext(f"{wp}comment_parent") == first.findtext(f"{wp}comment_id")


def test_export_writes_to_standard_output(capsys):
    PostFactory(title="On stdout")
    call_command("export", verbosity=0)
    assert "<title><![CDATA[On stdout]]></title>" in capsys.readouterr().out


def test_comments_written_in_the_same_instant_export_in_the_same_order_every_time():
    from django.utils import timezone

    post = PostFactory()
    instant = timezone.now().replace(microsecond=0)
    written = [CommentFactory(post=post, created_at=instant, body=f"same instant {n}") for n in range(6)]
    exports = []
    for _ in range(2):
        out = io.StringIO()
        export_wxr(out, base_url="https://blog.example")
        exports.append(re.findall(r"same instant (\d)", out.getvalue()))
    assert exports[0] == exports[1] == [str(n) for n in range(6)]
    assert [c.pk for c in written] == sorted(c.pk for c in written)
