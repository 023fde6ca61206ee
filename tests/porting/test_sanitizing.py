import re
from html.parser import HTMLParser

import pytest

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment
from pnyx.porting.detect import import_file

from .conftest import wxr_comment, wxr_document, wxr_item

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every element and attribute as a browser would see them (values unescaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def _payloads(shared_data) -> list[str]:
    lines = []
    for path in sorted((shared_data / "xss").glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return [line.replace("]]>", "]]]]><![CDATA[>") for line in lines]


def _assert_harmless(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in ("script", "iframe", "object", "embed", "style"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            scheme = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            assert not scheme.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)


def test_xss_payloads_in_imported_posts_and_comments_never_reach_a_page(shared_data, write_file, client, settings):
    settings.PNYX_COMMENTS_PER_PAGE = 10_000  # every comment on the one page checked
    payloads = _payloads(shared_data)
    assert len(payloads) > 400
    comments = "".join(wxr_comment(n, content=p) for n, p in enumerate(payloads, start=1))
    items = wxr_item(1, slug="hostile", content="\n\n".join(payloads), comments=comments)
    import_file(write_file(wxr_document(items)))
    post = Post.objects.get()
    _assert_harmless(post.body_html)
    for body_html in Comment.objects.values_list("body_html", flat=True):
        _assert_harmless(body_html)
    # The page carries exactly the checked HTML, nothing of the payloads besides.
    page = client.get(post.get_absolute_url()).content.decode()
    assert post.body_html in page
    shown = Comment.objects.public().values_list("body_html", flat=True)
    assert shown and all(body_html in page for body_html in shown)
