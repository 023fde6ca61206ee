"""The roles as groups: authors publish their own posts, contributors submit theirs for review, editors
handle everyone's, moderators moderate."""

import pytest
from django.contrib.auth.models import Group

from pnyx.blog.models import Post
from pnyx.blog.roles import ROLES
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/blog/post/add/"


def _member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _new_post(client, **fields):
    data = {
        "title": "A new post",
        "slug": "a-new-post",
        "body": "Words.",
        "body_format": "markdown",
        "kind": "post",
        "status": "published",
        "published_at_0": "2026-01-01",
        "published_at_1": "10:00:00",
        "thread-TOTAL_FORMS": "0",
        "thread-INITIAL_FORMS": "0",
        **fields,
    }
    return client.post(ADD, data)


def test_every_role_exists_as_a_group_with_its_permissions():
    assert set(ROLES) <= set(Group.objects.values_list("name", flat=True))
    editor = Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
    assert {"publish_post", "edit_others_posts", "change_comment"} <= set(editor)
    assert "publish_post" not in Group.objects.get(name="Contributor").permissions.values_list("codename", flat=True)


def test_an_author_publishes_their_own_post(client):
    client.force_login(_member("Author", "ana"))
    response = _new_post(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="a-new-post")
    assert (post.status, post.author.username) == (Post.Status.PUBLISHED, "ana")


def test_a_contributor_cannot_publish_and_sends_posts_for_review(client):
    client.force_login(_member("Contributor", "cy"))
    refused = _new_post(client)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Post.objects.exists()
    _new_post(client, status="pending")
    post = Post.objects.get(slug="a-new-post")
    assert (post.status, post.author.username) == (Post.Status.PENDING, "cy")
    assert not post.is_published


def test_writers_see_and_change_only_their_own_posts_and_editors_everyones(client):
    theirs = PostFactory(title="Somebody else's")
    ana = _member("Author", "ana")
    own = PostFactory(title="Ana's own", author=ana)
    client.force_login(ana)
    listing = client.get("/admin/blog/post/").content.decode()
    assert "Ana&#x27;s own" in listing and "Somebody else" not in listing
    assert client.get(f"/admin/blog/post/{theirs.pk}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/blog/post/{own.pk}/change/").status_code == 200
    client.force_login(_member("Editor", "ed"))
    assert client.get(f"/admin/blog/post/{theirs.pk}/change/").status_code == 200


def test_a_moderator_moderates_comments_and_writes_no_posts(client):
    client.force_login(_member("Moderator", "mo"))
    assert client.get("/admin/discussion/comment/").status_code == 200
    assert client.get(ADD).status_code == 403
