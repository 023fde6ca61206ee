import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from pnyx.identity.commenter import Commenter, commenter_for, prove_address, read_cookie, remember, written_ids
from pnyx.identity.conf import conf
from pnyx.identity.models import revoke


def _request_with(cookie=None):
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[conf.COOKIE_NAME] = cookie
    return request


def _guest(request, **typed):
    request.user = AnonymousUser()
    return commenter_for(request, **typed)


def test_the_cookie_remembers_a_guest_and_their_comments_signed_and_http_only():
    response = HttpResponse()
    remember(response, _request_with(), commenter=Commenter(name="Ana", email="ana@example.org"), comment_id=7)
    morsel = response.cookies[conf.COOKIE_NAME]
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    request = _request_with(morsel.value)
    assert written_ids(request) == [7]
    assert read_cookie(request)["e"] == "ana@example.org"


def test_the_cookie_is_secure_when_the_site_runs_on_https(settings):
    settings.PNYX_HTTPS = True
    response = HttpResponse()
    remember(response, _request_with(), commenter=Commenter(name="Ana", email="ana@example.org"), comment_id=7)
    assert response.cookies[conf.COOKIE_NAME]["secure"]


def test_the_cookie_keeps_only_the_newest_comments():
    cookie = None
    for comment_id in range(conf.COOKIE_MAX_WRITTEN + 5):
        response = HttpResponse()
        remember(response, _request_with(cookie), commenter=Commenter(name="A", email="a@x.org"), comment_id=comment_id)
        cookie = response.cookies[conf.COOKIE_NAME].value
    ids = written_ids(_request_with(cookie))
    assert len(ids) == conf.COOKIE_MAX_WRITTEN and ids[-1] == conf.COOKIE_MAX_WRITTEN + 4


@pytest.mark.parametrize("cookie", ["", "garbage", "eyJjIjpbMSwyXX0:1abc:tampered"])
def test_a_missing_or_tampered_cookie_reads_as_nothing(cookie):
    assert written_ids(_request_with(cookie)) == []


def _confirmed_cookie(email="ana@example.org", name="Ana"):
    response = HttpResponse()
    prove_address(response, _request_with(), email=email, name=name)
    return response.cookies[conf.COOKIE_NAME].value


@pytest.mark.django_db
def test_an_address_confirmed_in_this_browser_is_proven_there_under_its_name():
    cookie = _confirmed_cookie()
    assert _guest(_request_with(cookie), name="Ana", email="ANA@example.org").confirmed_address()
    assert not _guest(_request_with(cookie), name="Someone Else", email="ana@example.org").confirmed_address()
    assert not _guest(_request_with(cookie), name="Ana", email="other@example.org").confirmed_address()
    assert not _guest(_request_with(), name="Ana", email="ana@example.org").confirmed_address()


@pytest.mark.django_db
def test_revoking_an_address_voids_the_proofs_issued_before(monkeypatch):
    cookie = _confirmed_cookie()
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    revoke("ana@example.org")
    assert not _guest(_request_with(cookie), name="Ana", email="ana@example.org").confirmed_address()
    fresh = _confirmed_cookie()  # confirmed again after the revocation: counts again
    monkeypatch.setattr(time, "time", lambda: later + 5)
    assert _guest(_request_with(fresh), name="Ana", email="ana@example.org").confirmed_address()


@pytest.mark.django_db
def test_an_address_proof_expires(monkeypatch):
    cookie = _confirmed_cookie()
    assert _guest(_request_with(cookie), name="Ana", email="ana@example.org").confirmed_address()
    monkeypatch.setattr(conf, "ADDRESS_PROOF_MAX_AGE", -1)
    assert not _guest(_request_with(cookie), name="Ana", email="ana@example.org").confirmed_address()
