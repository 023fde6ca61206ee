from pathlib import Path

import pytest

from pnyx.porting.detect import import_file


@pytest.fixture
def import_theme_unit_test(db, shared_data):
    """Import WordPress's theme unit test export and hand back the report."""

    def _import():
        return import_file(shared_data / "themeunittestdata.wordpress.xml")

    return _import


def wxr_document(items: str, *, version: str = "1.2", site: str = "https://old.example", channel: str = "") -> str:
    """A small WXR file around ``items``, for edge cases the real exports do not have."""
    ns = f"http://wordpress.org/export/{version}/"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{ns}excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}">
<channel>
<title>Old blog</title><link>{site}</link>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url><wp:base_blog_url>{site}</wp:base_blog_url>
<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ada</wp:author_login>
<wp:author_email>ada@old.example</wp:author_email><wp:author_display_name>Ada L.</wp:author_display_name>
<wp:author_first_name>Ada</wp:author_first_name><wp:author_last_name>Lovelace</wp:author_last_name></wp:author>
{channel}
{items}
</channel>
</rss>
"""


def wxr_item(
    post_id: int,
    *,
    title: str = "A post",
    slug: str = "",
    content: str = "Words.",
    status: str = "publish",
    post_type: str = "post",
    link: str = "",
    comments: str = "",
    extra: str = "",
) -> str:
    slug = slug or f"post-{post_id}"
    link = link or f"https://old.example/2015/12/03/{slug}/"
    return f"""<item><title>{title}</title><link>{link}</link><dc:creator>ada</dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id><wp:post_date>2015-12-03 10:00:00</wp:post_date>
<wp:post_date_gmt>2015-12-03 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>{slug}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>{post_type}</wp:post_type>
{extra}{comments}</item>"""


def wxr_comment(
    comment_id: int, *, parent: int = 0, content: str = "Agreed.", approved: str = "1", user_id: int = 0, when: str = ""
) -> str:
    when = when or f"2015-12-04 10:{comment_id % 60:02d}:00"
    return f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>
<wp:comment_author>Reader {comment_id}</wp:comment_author>
<wp:comment_author_email>r{comment_id}@example.org</wp:comment_author_email>
<wp:comment_author_url>https://r{comment_id}.example.org/</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>
<wp:comment_date>{when}</wp:comment_date><wp:comment_date_gmt>{when}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>{user_id}</wp:comment_user_id></wp:comment>"""


@pytest.fixture
def write_file(tmp_path):
    def _write(text: str, name: str = "export.xml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
