"""What a post page tells link previews and search engines, and the files crawlers ask for."""

import json
import re
from xml.etree import ElementTree

import pytest

from pnyx.blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_post_page_carries_open_graph_tags_and_a_blog_posting(client, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    post = PostFactory(title="Tea </script><b>", standfirst="Why green.")
    page = client.get(post.get_absolute_url(), HTTP_HOST="testserver").content.decode()
    url = f"https://blog.example.org{post.get_absolute_url()}"
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:title" content="Tea &lt;/script&gt;&lt;b&gt;">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "</script>" not in raw and "<b>" not in raw
    data = json.loads(raw)
    assert (data["@type"], data["headline"], data["url"], data["description"]) == (
        "BlogPosting",
        "Tea </script><b>",
        url,
        "Why green.",
    )
    assert data["author"]["name"] == post.author_name


def test_the_sitemap_lists_published_posts_and_pages_under_the_sites_address(client, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    shown, page = PostFactory(), PostFactory(kind=Post.Kind.PAGE)
    PostFactory(status=Post.Status.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["X-Pnyx-Page"] == "page"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ElementTree.fromstring(response.content)  # noqa: S314 (our own page)
    locations = [loc.text for loc in sitemap.findall("s:url/s:loc", ns)]
    base = "https://blog.example.org"
    assert sorted(locations) == sorted([f"{base}/", base + shown.get_absolute_url(), base + page.get_absolute_url()])


def test_robots_keep_crawlers_out_of_private_pages_and_name_the_sitemap(client, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text and "Disallow: /comments/mine/" in text
    assert "Sitemap: https://blog.example.org/sitemap.xml" in text


def test_the_manifest_names_the_site_with_a_local_icon(client, settings):
    settings.PNYX_SITE_NAME = "Tea Talk"
    data = json.loads(client.get("/manifest.webmanifest").content)
    assert data["name"] == "Tea Talk" and data["icons"][0]["src"].startswith("/static/")
    assert 'rel="manifest"' in client.get("/").content.decode()
