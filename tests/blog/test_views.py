import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import set_script_prefix
from django.utils import timezone

from pnyx.blog.context_processors import site
from pnyx.blog.models import Post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_posts_with_standfirst_and_comment_count(client):
    post = PostFactory(title="Tea is better than coffee", standfirst="A hill to die on.")
    CommentFactory.create_batch(2, post=post)
    page = client.get("/").content.decode()
    assert "Tea is better than coffee" in page
    assert "A hill to die on." in page
    assert "2 comments" in page


def test_home_hides_drafts_private_and_future_scheduled_posts(client):
    PostFactory(title="Visible one")
    PostFactory(title="Still a draft", status=Post.Status.DRAFT)
    PostFactory(title="Private notes", status=Post.Status.PRIVATE)
    PostFactory(title="Not yet", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1))
    PostFactory(title="Time has come", status=Post.Status.SCHEDULED, published_at=timezone.now() - timedelta(minutes=1))
    page = client.get("/").content.decode()
    assert "Visible one" in page and "Time has come" in page
    assert "Still a draft" not in page and "Private notes" not in page and "Not yet" not in page


def test_home_is_paginated_newest_first(client):
    now = timezone.now()
    for n in range(12):
        PostFactory(title=f"Numbered post {n:02d}", published_at=now - timedelta(days=n))
    first = client.get("/").content.decode()
    assert "Numbered post 00" in first and "Numbered post 09" in first and "Numbered post 10" not in first
    assert first.index("Numbered post 00") < first.index("Numbered post 01")
    second = client.get("/?page=2").content.decode()
    assert "Numbered post 10" in second and "Numbered post 11" in second
    assert client.get("/?page=abc").status_code == 200


def test_post_page_shows_title_standfirst_author_date_and_rendered_body(client):
    post = PostFactory(title="On bridges", standfirst="Why they matter", body="We *need* them.")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<h1 class="entry-title">On bridges</h1>' in page
    assert "Why they matter" in page
    assert post.author.get_full_name() in page
    assert post.published_at.strftime("%B") in page
    assert "We <em>need</em> them." in page


def test_post_page_names_its_canonical_address_and_describes_itself(client):
    post = PostFactory(standfirst="Short & sweet")
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="{post.get_absolute_url()}">' in page
    assert '<meta name="description" content="Short &amp; sweet">' in page


def test_draft_post_page_is_not_found(client):
    post = PostFactory(status=Post.Status.DRAFT)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_the_home_page_is_headed_by_the_site_name_and_a_post_page_by_its_title(client, settings):
    settings.PNYX_SITE_NAME = "Agora"
    post = PostFactory(title="On bridges")
    home = client.get("/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", home) == ['<a href="/">Agora</a>']
    page = client.get(post.get_absolute_url()).content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == ["On bridges"]


def test_the_frames_links_follow_the_address_the_site_is_mounted_at(rf):
    """The frame's links are worked out once per process for each mount point, not once for all."""
    try:
        for prefix in ("/", "/blog/", "/"):
            set_script_prefix(prefix)  # as Django's WSGI handler does for each request, from SCRIPT_NAME
            frame = site(rf.get("/"))["frame"]
            assert (frame["home"], frame["feed"], frame["mine"]) == (
                prefix,
                f"{prefix}feed/",
                f"{prefix}comments/mine/",
            )
    finally:
        set_script_prefix("/")


def test_publication_times_are_valid_html_datetimes_in_whole_seconds(client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    post = PostFactory(published_at=datetime(2024, 3, 5, 9, 30, 15, 123456, tzinfo=UTC))
    for url in ("/", post.get_absolute_url()):
        page = client.get(url).content.decode()
        assert re.findall(r'<time[^>]* datetime="([^"]*)"', page) == ["2024-03-05T09:30:15Z"], url
