"""Signing in with Mastodon, on the server the reader names: a real Mastodon-speaking server on loopback
(app registration, OAuth 2, verify_credentials), through the real allauth flow with Django's test client."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from pnyx.discussion.models import Comment
from pnyx.identity.models import MastodonInstance
from pnyx.identity.social.mastodon import instances
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


def _target(page) -> str:
    return unescape(re.search(r'content="0;url=([^"]+)"', page.content.decode()).group(1))


def _ask_for_server(client, post, **fields):
    data = {"login": "mastodon", "login_page": post.get_absolute_url(), **fields}
    connecting = client.post(reverse("identity:login"), data, **SAME_ORIGIN)
    assert "Connecting to Mastodon…" in connecting.content.decode()
    form = client.get(_target(connecting))
    assert form.status_code == 200 and 'name="instance"' in form.content.decode()
    return form


def _name_server(client, host, *, next_url="/you/back/?popup=1", process="login"):
    return client.post(reverse("mastodon_login"), {"instance": host, "next": next_url, "process": process})


def _authorize(client, server, connecting, *, answer="yes"):
    target = _target(connecting)
    assert target.startswith(f"{server.url}/oauth/authorize?")
    fields = dict(parse_qsl(urlsplit(target).query))
    assert fields["scope"] == "read:accounts"
    approved = requests.get(target, allow_redirects=False, timeout=5)  # the server's page, or its error
    if approved.status_code != 302:
        approved = requests.post(
            f"{server.url}/oauth/authorize", {**fields, "answer": answer}, allow_redirects=False, timeout=5
        )
    callback = urlsplit(approved.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def test_a_reader_names_their_server_and_signs_in_with_their_mastodon_account(client, mastodon_on, mastodon_server):
    post = PostFactory()
    _ask_for_server(client, post, popup="1")
    connecting = _name_server(client, mastodon_server.host)
    assert "Connecting to" in connecting.content.decode()
    done = _authorize(client, mastodon_server, connecting)
    assert 'data-outcome="signed-in"' in done.content.decode()

    account = SocialAccount.objects.get(provider="mastodon")
    assert account.uid == f"109@{mastodon_server.host}" and account.user.get_full_name() == "Ada on Mastodon"
    assert account.user.email == "" and str(account.get_provider_account()) == f"@ada@{mastodon_server.host}"
    mine = client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["account"]
    assert mine["provider"] == "Mastodon" and mine["name"] == "Ada on Mastodon"
    assert client.get(mine["avatar"]).content.startswith(b"\x89PNG")

    client.post(reverse("discussion:post", args=[post.thread.pk]), {"comment": "Tooted here."}, **SAME_ORIGIN)
    comment = Comment.objects.get()
    assert comment.user == account.user and comment.status == "pending"


def test_pnyx_registers_on_a_server_once_with_its_callback_and_the_accounts_scope(client, mastodon_on, mastodon_server):
    for _ in range(2):
        _authorize(client, mastodon_server, _name_server(client, mastodon_server.host))
        client.post(reverse("identity:logout"), **SAME_ORIGIN)
    assert mastodon_server.requests.count("POST /api/v1/apps") == 1
    [app] = mastodon_server.apps.values()
    assert app["scopes"] == "read:accounts"
    assert app["redirect_uri"] == f"http://testserver/accounts/mastodon/login/callback/{mastodon_server.host}/"
    stored = MastodonInstance.objects.get()
    assert stored.host == mastodon_server.host and stored.client_id in mastodon_server.apps
    assert SocialAccount.objects.count() == 1


def test_the_same_account_id_on_another_server_is_another_person(client, mastodon_on, mastodon_server):
    from tests.identity.oauth2 import serve

    other, other_http = serve("mastodon")
    try:
        _authorize(client, mastodon_server, _name_server(client, mastodon_server.host))
        client.post(reverse("identity:logout"), **SAME_ORIGIN)
        _authorize(client, other, _name_server(client, other.host))
    finally:
        other_http.shutdown()
        other_http.server_close()
    first, second = SocialAccount.objects.order_by("pk")
    assert first.user != second.user and {first.uid, second.uid} == {f"109@{mastodon_server.host}", f"109@{other.host}"}


@pytest.mark.parametrize(
    "typed",
    ["https://mastodon.social/@ada", "mastodon social", "-bad-.example", "10.0.0.1", "[::1]", "localhost", ""],
)
def test_only_a_host_name_is_taken_for_a_server(client, mastodon_on, typed):
    answer = _name_server(client, typed)
    assert answer.status_code == 400
    assert 'class="form-errors"' in answer.content.decode()
    assert not MastodonInstance.objects.exists()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "fd00::1"])
def test_a_name_that_resolves_to_this_machine_or_a_private_network_is_refused(monkeypatch, settings, address):
    settings.PNYX_LOGIN_MASTODON_LOOPBACK = False
    monkeypatch.setattr(instances.socket, "getaddrinfo", lambda *a, **k: [(None, None, None, "", (address, 443))])
    with pytest.raises(instances.InstanceError, match="is not a public server"):
        instances.clean_host("mastodon.example")


def test_without_the_tests_switch_a_loopback_server_is_refused(client, settings, mastodon_on, mastodon_server):
    settings.PNYX_LOGIN_MASTODON_LOOPBACK = False
    answer = _name_server(client, mastodon_server.host)
    assert answer.status_code == 400 and mastodon_server.requests == []


def test_a_server_that_is_not_mastodon_gets_a_clear_message(client, mastodon_on, mastodon_server):
    mastodon_server.not_mastodon = True
    answer = _name_server(client, mastodon_server.host)
    assert answer.status_code == 400
    assert "did not answer as a Mastodon server does" in answer.content.decode()
    assert not MastodonInstance.objects.exists()


def test_a_server_that_does_not_answer_gets_a_clear_message(client, mastodon_on):
    import socket

    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host = f"127.0.0.1:{silent.getsockname()[1]}"
        from pnyx.identity.conf import _Conf

        original = _Conf.MASTODON_TIMEOUT
        _Conf.MASTODON_TIMEOUT = 0.5
        try:
            answer = _name_server(client, host)
        finally:
            _Conf.MASTODON_TIMEOUT = original
    assert answer.status_code == 400 and "did not answer in time" in answer.content.decode()


def test_an_error_from_the_server_signs_nobody_in(client, mastodon_on, mastodon_server):
    mastodon_server.error = "server_error"
    done = _authorize(client, mastodon_server, _name_server(client, mastodon_server.host))
    assert 'data-outcome="failed"' in done.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_return_address_off_this_site_is_dropped(client, mastodon_on, mastodon_server):
    connecting = _name_server(client, mastodon_server.host, next_url="https://evil.example/")
    done = _authorize(client, mastodon_server, connecting)
    assert all("evil.example" not in url for url, _status in done.redirect_chain)


def test_mastodon_is_offered_only_when_switched_on(client, settings, mastodon_on):
    post = PostFactory()
    assert 'value="mastodon"' in client.get(post.get_absolute_url()).content.decode()
    assert "pnyx/login/mastodon.svg" in client.get(post.get_absolute_url()).content.decode()


def test_mastodon_is_not_offered_by_default(client):
    assert 'value="mastodon"' not in client.get(PostFactory().get_absolute_url()).content.decode()
    assert client.get(reverse("mastodon_login")).status_code == 404


def test_staff_see_the_servers_pnyx_registered_on_but_never_their_secret(admin_client, mastodon_on, mastodon_server):
    from django.test import Client

    reader = Client()
    _authorize(reader, mastodon_server, _name_server(reader, mastodon_server.host))
    server = MastodonInstance.objects.get()
    listing = admin_client.get(reverse("admin:identity_mastodoninstance_changelist")).content.decode()
    assert mastodon_server.host in listing
    page = admin_client.get(reverse("admin:identity_mastodoninstance_change", args=[server.pk])).content.decode()
    assert server.client_id in page and server.secret not in page


def test_a_reader_may_name_only_so_many_servers_a_minute(mastodon_on):
    """Counted per address, so this reader has one of their own: the other tests name servers from the
    test client's, in this process or the other one, which shares the cache when it is Redis."""
    reader = Client(REMOTE_ADDR="192.0.2.41")
    answers = [_name_server(reader, "not a server").status_code for _ in range(11)]
    assert answers == [400] * 10 + [429]
    assert _name_server(Client(REMOTE_ADDR="192.0.2.42"), "not a server").status_code == 400


def test_the_post_page_is_the_same_for_a_reader_signed_in_with_mastodon(client, mastodon_on, mastodon_server):
    post = PostFactory()
    anonymous = client.get(post.get_absolute_url())
    _authorize(client, mastodon_server, _name_server(client, mastodon_server.host))
    signed_in = client.get(post.get_absolute_url())
    assert signed_in.wsgi_request.user.is_authenticated
    assert anonymous.content == signed_in.content
    assert b"Ada on Mastodon" not in signed_in.content and mastodon_server.host.encode() not in signed_in.content


def test_a_picture_that_redirects_is_not_followed(client, mastodon_on, mastodon_server):
    mastodon_server.user["avatar_static"] = f"{mastodon_server.url}/elsewhere.png"
    post = PostFactory()
    _authorize(client, mastodon_server, _name_server(client, mastodon_server.host))
    assert client.get(reverse("discussion:mine"), {"thread": post.thread.pk}).json()["account"]["avatar"] is None
    assert "GET /elsewhere.png" in mastodon_server.requests and "GET /picture.png" not in mastodon_server.requests


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        ("https://files.example/a.png", True),
        ("http://files.example/a.png", False),
        ("https://files.example:8443/a.png", False),
        ("https://127.0.0.1/a.png", False),
        ("https://10.0.0.8/a.png", False),
    ],
)
def test_a_picture_is_fetched_only_from_a_public_https_address(monkeypatch, settings, url, fetched):
    settings.PNYX_LOGIN_MASTODON_LOOPBACK = False
    public = [(None, None, None, "", ("93.184.216.34", 443))]
    monkeypatch.setattr(
        instances.socket,
        "getaddrinfo",
        lambda host, *a, **k: public if host == "files.example" else [(None, None, None, "", (host, 443))],
    )
    assert instances.fetchable(url) is fetched
