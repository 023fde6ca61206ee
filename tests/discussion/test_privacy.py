"""A reader asks what the site holds about their address, or that it forget them."""

import json

import pytest
from django.contrib.auth.models import Permission

from pnyx.discussion.lifecycle import comment_set_body
from pnyx.discussion.models import Comment, CommentEvent
from pnyx.discussion.privacy import ERASED, address_export, address_forget
from pnyx.identity.models import Address, revoked_at
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVACY = "/admin/discussion/comment/privacy/"


@pytest.fixture
def asked():
    """Two comments of ana@example.org (one typed in capitals, one from her account), a reply to one of
    them by somebody else, and a comment of another reader."""
    post = PostFactory()
    account = UserFactory(username="ana", email="ana@example.org")
    guest = CommentFactory(
        post=post,
        author_name="Ana",
        author_email="Ana@Example.org",
        author_url="https://ana.example",
        ip="192.0.2.7",
        user_agent="Firefox",
        body="My first thought.",
    )
    signed_in = CommentFactory(post=post, user=account, author_email="", body="A second thought.")
    reply = CommentFactory(
        post=post, parent=guest, author_name="Bo", author_email="bo@example.org", body="Quoting Ana."
    )
    other = CommentFactory(post=post, author_name="Cy", author_email="cy@example.org", ip="192.0.2.9")
    return post, guest, signed_in, reply, other


def test_the_export_holds_every_comment_written_under_the_address_and_nothing_else(asked):
    _post, guest, signed_in, _reply, _other = asked
    data = address_export(email="ana@example.org")
    assert [c["id"] for c in data["comments"]] == [guest.pk, signed_in.pk]
    first = data["comments"][0]
    assert (first["name"], first["ip"], first["user_agent"], first["text"]) == (
        "Ana",
        "192.0.2.7",
        "Firefox",
        "My first thought.",
    )
    assert data["comments"][1]["account"] == "ana"


def test_forgetting_anonymizes_the_comments_keeps_their_text_and_the_thread_and_revokes_proofs(asked, client):
    post, guest, signed_in, reply, other = asked
    count_before = post.thread.comment_count
    done = address_forget(email="ANA@example.org")
    assert done.comments == 2
    for comment in (guest, signed_in):
        comment.refresh_from_db()
        assert (comment.author_name, comment.author_email, comment.author_url) == ("", "", "")
        assert (comment.ip, comment.user_agent, comment.user_id) == (None, "", None)
        assert comment.display_name == "Anonymous"
    assert guest.body == "My first thought."
    reply.refresh_from_db()
    other.refresh_from_db()
    assert (reply.parent_id, reply.author_name, other.ip) == (guest.pk, "Bo", "192.0.2.9")
    post.thread.refresh_from_db()
    assert post.thread.comment_count == count_before
    assert revoked_at("ana@example.org") is not None
    page = client.get(post.get_absolute_url()).content.decode()
    assert "My first thought." in page and "Anonymous" in page and ">Ana<" not in page


def test_erasing_replaces_the_text_and_leaves_the_replies(asked):
    _post, guest, _signed_in, reply, _other = asked
    address_forget(email="ana@example.org", erase_text=True)
    guest.refresh_from_db()
    assert guest.body == ERASED and "My first thought" not in guest.body_html
    assert Comment.objects.filter(pk=reply.pk, parent=guest).exists()


def test_the_history_is_exported_with_earlier_texts_and_erased_with_the_text(asked):
    _post, guest, signed_in, _reply, _other = asked
    account = signed_in.user
    comment_set_body(comment=guest, body="My first thought, fixed.", what="edited by its author", via="author")
    comment_set_body(comment=signed_in, body="A second one.", what="edited by its author", via="author", actor=account)
    history = address_export(email="ana@example.org")["comments"][0]["history"]
    assert [(h["from"], h["to"], h.get("text_before")) for h in history] == [
        ("approved", "approved", "My first thought.")
    ]
    address_forget(email="ana@example.org", erase_text=True)
    events = CommentEvent.objects.filter(comment__in=[guest, signed_in])
    assert list(events.values_list("old_body", "actor")) == [("", None), ("", None)]


def test_staff_export_an_address_as_a_json_download(asked, admin_client):
    response = admin_client.post(PRIVACY, {"email": "ana@example.org", "action": "export"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert len(json.loads(response.content)["comments"]) == 2


def test_forgetting_in_the_admin_asks_first_and_acts_only_once_confirmed(asked, admin_client):
    _post, guest, *_rest = asked
    asking = admin_client.post(PRIVACY, {"email": "ana@example.org", "action": "anonymize"})
    assert "2 comments were written under ana@example.org" in asking.content.decode()
    assert "ana" in asking.content.decode()  # the account, named so staff can remove it if asked
    guest.refresh_from_db()
    assert guest.author_name == "Ana"
    done = admin_client.post(PRIVACY, {"email": "ana@example.org", "action": "anonymize", "confirm": "on"})
    assert done.status_code == 302
    guest.refresh_from_db()
    assert guest.author_name == ""


def test_a_bad_address_gets_the_form_again_with_its_error(admin_client):
    response = admin_client.post(PRIVACY, {"email": "not an address", "action": "export"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_staff_who_may_only_view_comments_cannot_forget_anyone(asked, client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    assert client.get(PRIVACY).status_code == 200
    response = client.post(PRIVACY, {"email": "ana@example.org", "action": "anonymize", "confirm": "on"})
    assert response.status_code == 403
    assert not Address.objects.exists()


def test_readers_cannot_reach_the_privacy_page(client):
    client.force_login(UserFactory())
    assert client.get(PRIVACY).status_code == 302  # to the admin's login


def test_the_addresss_subscriptions_are_exported_and_ended_when_it_is_forgotten(asked):
    from pnyx.outbox.models import Subscription
    from pnyx.outbox.subscriptions import subscription_add

    post = asked[0]
    subscription_add(email="ana@example.org", topic=post.thread, proven=True)
    subscription_add(email="ana@example.org", topic=None, proven=True)
    subscription_add(email="bo@example.org", topic=None, proven=True)
    exported = address_export(email="Ana@example.org")["subscriptions"]
    assert sorted(s["title"] for s in exported) == sorted([post.title, "new posts"])
    address_forget(email="ANA@example.org")
    assert list(Subscription.objects.values_list("email", flat=True)) == ["bo@example.org"]
