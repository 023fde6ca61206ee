import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from pnyx.discussion.conf import conf
from pnyx.identity.commenter import Commenter, own_comment_ids, read_cookie, remember


def _request_with(cookie=None):
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[conf.COOKIE_NAME] = cookie
    return request


def test_the_cookie_remembers_a_guest_and_their_comments_signed_and_http_only():
    response = HttpResponse()
    remember(response, _request_with(), commenter=Commenter(name="Ana", email="ana@example.org"), comment_id=7)
    morsel = response.cookies[conf.COOKIE_NAME]
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    request = _request_with(morsel.value)
    assert own_comment_ids(request) == [7]
    assert read_cookie(request)["e"] == "ana@example.org"


def test_the_cookie_keeps_only_the_newest_comments():
    cookie = None
    for comment_id in range(conf.COOKIE_MAX_COMMENTS + 5):
        response = HttpResponse()
        remember(response, _request_with(cookie), commenter=Commenter(name="A", email="a@x.org"), comment_id=comment_id)
        cookie = response.cookies[conf.COOKIE_NAME].value
    ids = own_comment_ids(_request_with(cookie))
    assert len(ids) == conf.COOKIE_MAX_COMMENTS and ids[-1] == conf.COOKIE_MAX_COMMENTS + 4


@pytest.mark.parametrize("cookie", ["", "garbage", "eyJjIjpbMSwyXX0:1abc:tampered"])
def test_a_missing_or_tampered_cookie_reads_as_nothing(cookie):
    assert own_comment_ids(_request_with(cookie)) == []
