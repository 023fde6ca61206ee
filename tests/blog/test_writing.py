"""The writer's desk (/write/): each role writes what it may, the preview renders as the site does, and
autosave keeps the text aside without touching a post's live text."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from pnyx.blog.models import Draft, Post, Term
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _write(client, url="/write/new/", **fields):
    data = {"title": "A first post", "slug": "", "standfirst": "", "body": "Hello *world*.", "tags": ""}
    return client.post(url, {"status": "published", "password": "", **data, **fields})


def test_the_desk_is_for_staff_whose_role_writes(client):
    assert client.get("/write/").status_code == 302  # to sign in
    client.force_login(UserFactory(username="reader"))
    assert client.get("/write/").status_code == 302
    client.force_login(_member("Moderator", "mo"))
    assert client.get("/write/").status_code == 403
    client.force_login(_member("Author", "ana"))
    response = client.get("/write/")
    assert response.status_code == 200 and "New post" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in client.get("/write/new/").content.decode()


def test_writers_list_their_own_posts_and_editors_everyones(client):
    ana = _member("Author", "ana")
    PostFactory(title="Ana's own", author=ana, status=Post.Status.DRAFT)
    other = PostFactory(title="Somebody else's")
    client.force_login(ana)
    listing = client.get("/write/").content.decode()
    assert "Ana&#x27;s own" in listing and "Somebody else" not in listing
    assert client.get(f"/write/{other.pk}/").status_code == 404
    assert _write(client, f"/write/{other.pk}/", title="Taken over").status_code == 404
    client.force_login(_member("Editor", "ed"))
    listing = client.get("/write/").content.decode()
    assert "Ana&#x27;s own" in listing and "Somebody else" in listing
    assert client.get(f"/write/{other.pk}/").status_code == 200


def test_an_author_publishes_a_post_with_a_slug_from_its_title_and_terms(client):
    news = Term.objects.create(taxonomy="category", name="News", slug="news")
    client.force_login(_member("Author", "ana"))
    response = _write(client, categories=[news.pk], tags="tea, Long reads, tea")
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/write/{post.pk}/"
    assert (post.slug, post.status, post.author.username) == ("a-first-post", "published", "ana")
    assert post.is_published and "<em>world</em>" in post.body_html
    assert sorted(post.terms.values_list("name", flat=True)) == ["Long reads", "News", "tea"]
    _write(client, title="A first post")
    assert Post.objects.filter(slug="a-first-post-2").exists()


def test_a_post_is_scheduled_for_a_future_time_and_not_for_a_past_one(client):
    client.force_login(_member("Author", "ana"))
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = _write(client, status="scheduled", publish_at=past)
    assert refused.status_code == 200 and "must be in the future" in refused.content.decode()
    assert not Post.objects.exists()
    assert _write(client, status="scheduled", publish_at="").status_code == 200
    later = timezone.localtime() + timedelta(days=2)
    assert _write(client, status="scheduled", publish_at=later.strftime("%Y-%m-%dT%H:%M")).status_code == 302
    post = Post.objects.get()
    assert post.status == "scheduled" and not post.is_published
    assert abs(post.published_at - later) < timedelta(minutes=1)


def test_a_contributor_cannot_publish_and_sends_posts_for_review(client):
    client.force_login(_member("Contributor", "cy"))
    editor = client.get("/write/new/").content.decode()
    assert 'value="pending"' in editor and 'value="published"' not in editor
    refused = _write(client)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Post.objects.exists()
    assert _write(client, tags="brand-new").status_code == 200  # no new tags without add_term
    assert _write(client, status="pending").status_code == 302
    post = Post.objects.get()
    assert (post.status, post.author.username, post.is_published) == ("pending", "cy", False)


def test_a_contributor_editing_a_published_post_cannot_keep_it_published(client):
    cy = _member("Contributor", "cy")
    post = PostFactory(author=cy)
    client.force_login(cy)
    assert 'value="pending" selected' in client.get(f"/write/{post.pk}/").content.decode()
    assert _write(client, f"/write/{post.pk}/", status="published").status_code == 200
    post.refresh_from_db()
    assert post.status == "published"


def test_autosave_keeps_a_draft_without_touching_the_live_post(client):
    ana = _member("Author", "ana")
    post = PostFactory(author=ana, body="The live text.")
    client.force_login(ana)
    response = client.post("/write/autosave/", {"post": post.pk, "title": post.title, "body": "Half a thought"})
    assert response.status_code == 200 and response.json()["saved_at"]
    client.post("/write/autosave/", {"post": post.pk, "title": post.title, "body": "Half a thought, finished"})
    post.refresh_from_db()
    assert post.body == "The live text." and "Half a thought" not in post.body_html
    assert Draft.objects.get(post=post, author=ana).fields["body"] == "Half a thought, finished"
    editor = client.get(f"/write/{post.pk}/").content.decode()
    assert "Half a thought, finished" in editor  # offered for restoring (writing.js)
    _write(client, f"/write/{post.pk}/", title=post.title, slug=post.slug, body="Saved at last.")
    post.refresh_from_db()
    assert post.body == "Saved at last." and not Draft.objects.exists()


def test_autosave_of_a_new_post_and_its_discard(client):
    ana = _member("Author", "ana")
    client.force_login(ana)
    client.post("/write/autosave/", {"title": "Not yet", "body": "Draft one"})
    client.post("/write/autosave/", {"title": "Not yet", "body": "Draft two"})
    assert Draft.objects.get(post=None, author=ana).fields["body"] == "Draft two"
    assert "Draft two" in client.get("/write/new/").content.decode()
    assert client.post("/write/discard/", {}).status_code == 204
    assert not Draft.objects.exists() and not Post.objects.exists()


def test_autosave_refuses_others_posts_and_oversized_text(client):
    other = PostFactory()
    client.force_login(_member("Author", "ana"))
    assert client.post("/write/autosave/", {"post": other.pk, "body": "mine now"}).status_code == 404
    assert client.post("/write/autosave/", {"post": "x", "body": "?"}).status_code == 403
    assert client.post("/write/autosave/", {"body": "x" * 1_000_001}).status_code == 400
    assert client.get("/write/autosave/").status_code == 405
    assert not Draft.objects.exists()


def test_the_preview_endpoint_renders_with_the_sites_markdown(client):
    client.force_login(_member("Contributor", "cy"))
    response = client.post("/write/preview/", {"body": "Some **bold**\n\n<script>alert(1)</script>"})
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html and "<script>" not in html
    assert client.post("/write/preview/", {"body": "x", "body_format": "pdf"}).status_code == 400


def test_the_preview_button_without_javascript_shows_the_form_again_with_the_preview(client):
    client.force_login(_member("Author", "ana"))
    response = client.post("/write/new/", {"title": "T", "body": "An _idea_", "preview": "1", "status": "draft"})
    page = response.content.decode()
    assert response.status_code == 200 and "<em>idea</em>" in page and "An _idea_" in page
    assert not Post.objects.exists()


def test_the_preview_page_shows_an_unpublished_post_to_its_writer_and_editors_only(client):
    ana = _member("Author", "ana")
    post = PostFactory(author=ana, status=Post.Status.DRAFT, title="Not out yet", body="Secret *plans*")
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(ana)
    response = client.get(f"/write/{post.pk}/preview/")
    assert response.status_code == 200 and "<em>plans</em>" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Pnyx-Page" not in response
    client.force_login(_member("Author", "bo"))
    assert client.get(f"/write/{post.pk}/preview/").status_code == 404
    client.force_login(_member("Editor", "ed"))
    assert client.get(f"/write/{post.pk}/preview/").status_code == 200
