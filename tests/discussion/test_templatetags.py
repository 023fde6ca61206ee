"""The post page's discussion as the ``{% discussion %}`` tag lays it out; its empty form is kept per process."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _page(client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_each_thread_gets_a_form_that_posts_to_it(client):
    first, second = PostFactory(), PostFactory()
    for post in (first, second, first):
        assert f'action="{reverse("discussion:post", args=[post.thread.pk])}"' in _page(client, post)


def test_closing_a_thread_replaces_its_kept_form_at_once(client):
    post = PostFactory()
    assert 'id="commentform"' in _page(client, post)
    post.thread.is_open = False
    post.thread.save()
    page = _page(client, post)
    assert 'id="commentform"' not in page
    assert "Comments are closed." in page


def test_a_provider_added_in_the_admin_appears_in_the_kept_form(client):
    post = PostFactory()
    assert "Log in with your Elsewhere ID account" not in _page(client, post)
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="elsewhere",
        name="Elsewhere ID",
        client_id="id",
        secret="secret",
        settings={"server_url": "https://id.example.org"},
    )
    assert "Log in with your Elsewhere ID account" in _page(client, post)
