import pytest
from django.core.management import CommandError, call_command

from pnyx.blog.models import Post
from pnyx.porting.detect import import_file
from pnyx.porting.report import PortingError

from .conftest import wxr_document, wxr_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.xml", "not well-formed XML: mismatched tag at line 90, column 3"),
        ("malformed-simple.xml", "not well-formed XML: no element found at line 14"),
        ("invalid-version-tag.xml", "<wp:wxr_version> is 'abc'; pnyx reads WXR 1.0, 1.1, 1.2"),
        ("missing-version-tag.xml", "no <wp:wxr_version> in the channel"),
        ("crazy-cdata.xml", "not well-formed XML"),
    ],
)
def test_bad_wordpress_file_fails_with_one_clear_message(shared_data, name, message):
    with pytest.raises(CommandError) as error:
        call_command("import", str(shared_data / "wordpress-importer" / name))
    assert message in str(error.value) and name in str(error.value)
    assert "Nothing was imported." in str(error.value)
    assert not Post.objects.exists()


def test_file_of_another_kind_is_refused_by_content(shared_data):
    with pytest.raises(PortingError, match="not a file pnyx can import"):
        import_file(shared_data / "blns.json")


def test_error_late_in_the_file_leaves_nothing_half_imported(write_file):
    good = "".join(wxr_item(n) for n in range(1, 30))
    text = wxr_document(good + "<item><title>Cut off")
    with pytest.raises(PortingError, match=r"line \d+, column \d+"):
        import_file(write_file(text.replace("</channel>\n</rss>", "")))
    assert not Post.objects.exists()


def test_broken_disqus_export_is_refused_with_its_position(shared_data):
    with pytest.raises(
        PortingError, match="not well-formed XML: not well-formed \\(invalid token\\) at line 1, column 1"
    ):
        import_file(shared_data / "disqus" / "remark42-disqus.xml")


def test_command_prints_a_summary(shared_data, capsys):
    call_command("import", str(shared_data / "theme-preview.xml"))
    out = capsys.readouterr().out
    assert "Imported from theme-preview.xml (WordPress export (WXR))" in out and "posts" in out
