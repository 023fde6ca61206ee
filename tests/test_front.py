"""The cache-first front, through the real WSGI application, database and purge journal."""

import gzip
import io
import time
from datetime import timedelta
from wsgiref.util import setup_testing_defaults

import brotli
import pytest
import zstandard
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pnyx import front as front_module
from pnyx import pagecache, wsgi
from pnyx.blog.models import Post
from pnyx.discussion.moderation import comment_approve, comment_edit
from pnyx.front import Front
from pnyx.pagecache import PageCache, _FileJournal, shared_page_cache
from pnyx.wsgi import django_application
from tests.factories import CommentFactory, PostFactory, UserFactory, library_image

# Purges happen once a change has committed: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def front(tmp_path, monkeypatch):
    """The front over Django, with this test's own page cache and purge journal."""
    return _front_over(PageCache(_FileJournal(tmp_path / "purges"), max_bytes=8 * 1024 * 1024), monkeypatch)


def _front_over(cache: PageCache, monkeypatch) -> Front:
    monkeypatch.setattr(pagecache, "_cache", cache)
    return Front(
        django_application,
        lambda: cache,
        cache_control=settings.PNYX_PAGE_CACHE_CONTROL,
        allowed_hosts=settings.ALLOWED_HOSTS,
        bypass_cookies=wsgi.application.bypass_cookies,
    )


def _call(app, path, *, method="GET", query="", body=None, **headers):
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method, "wsgi.input": body or io.BytesIO()}
    if body is not None:
        environ.update(CONTENT_LENGTH=str(len(body.getvalue())), CONTENT_TYPE="application/x-www-form-urlencoded")
    setup_testing_defaults(environ)
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=int(status[:3]), headers={k.lower(): v for k, v in response_headers})

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def test_a_page_is_answered_from_the_cache_without_entering_django(front):
    post = PostFactory(title="Trams")
    status, headers, first = _call(front, post.get_absolute_url())
    assert status == 200 and headers["x-pnyx-cache"] == "miss" and b"Trams" in first
    with CaptureQueriesContext(connection) as queries:
        status, headers, again = _call(front, post.get_absolute_url())
    assert (status, headers["x-pnyx-cache"], again, len(queries)) == (200, "hit", first, 0)
    assert pagecache.MARK.lower() not in headers


def test_a_signed_in_reader_gets_the_same_page_from_the_cache(front, client):
    post = PostFactory()
    _, _, anonymous = _call(front, post.get_absolute_url())
    client.force_login(UserFactory(is_staff=True))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    status, headers, signed_in = _call(
        front, post.get_absolute_url(), cookie=f"{settings.SESSION_COOKIE_NAME}={session}"
    )
    assert (status, headers["x-pnyx-cache"], signed_in) == (200, "hit", anonymous)


def test_a_browser_that_has_the_page_gets_304(front):
    post = PostFactory()
    _, headers, _ = _call(front, post.get_absolute_url())
    assert headers["etag"].startswith('"') and "s-maxage" in headers["cache-control"]
    assert "stale-while-revalidate" in headers["cache-control"] and headers["vary"] == "Accept-Encoding"
    status, not_modified, body = _call(front, post.get_absolute_url(), if_none_match=headers["etag"])
    assert (status, body) == (304, b"")
    # RFC 9110: a 304 says nothing of a body it does not send, and keeps the validators and caching headers.
    assert "content-length" not in not_modified and "content-type" not in not_modified
    assert not_modified["etag"] == headers["etag"] and not_modified["cache-control"] == headers["cache-control"]
    status, _, body = _call(front, post.get_absolute_url(), if_modified_since=headers["last-modified"])
    assert (status, body) == (304, b"")
    assert _call(front, post.get_absolute_url(), if_none_match='"something-else"')[0] == 200


def test_pages_come_compressed_as_the_browser_accepts(front):
    post = PostFactory()
    _, _, plain = _call(front, post.get_absolute_url(), accept_encoding="identity")
    decoders = {"br": brotli.decompress, "zstd": zstandard.ZstdDecompressor().decompress, "gzip": gzip.decompress}
    for accept, expected in [("gzip, deflate, br, zstd", "br"), ("zstd, gzip", "zstd"), ("gzip", "gzip")]:
        _, headers, body = _call(front, post.get_absolute_url(), accept_encoding=accept)
        assert headers["content-encoding"] == expected and int(headers["content-length"]) == len(body)
        assert decoders[expected](body) == plain
    _, headers, body = _call(front, post.get_absolute_url(), accept_encoding="br;q=0, gzip;q=0")
    assert "content-encoding" not in headers and body == plain


def test_head_has_the_headers_and_no_body(front):
    post = PostFactory()
    _call(front, post.get_absolute_url())
    status, headers, body = _call(front, post.get_absolute_url(), method="HEAD")
    assert (status, headers["x-pnyx-cache"], body) == (200, "hit", b"") and int(headers["content-length"]) > 0


def test_unknown_query_parameters_go_to_django_uncached(front):
    post = PostFactory()
    for _ in range(2):
        _, headers, _ = _call(front, post.get_absolute_url(), query="utm_source=mail")
        assert "x-pnyx-cache" not in headers and "etag" not in headers
    _call(front, post.get_absolute_url(), query="replytocom=5")
    assert _call(front, post.get_absolute_url(), query="replytocom=5")[1]["x-pnyx-cache"] == "hit"


def test_personal_answers_are_never_kept(front):
    post = PostFactory()
    for path in ["/comments/mine/", "/admin/login/", "/desk/", "/no/such/page/"]:
        for _ in range(2):
            _, headers, _ = _call(front, path, query=f"thread={post.thread.pk}" if "mine" in path else "")
            assert "x-pnyx-cache" not in headers, path


def test_a_refused_body_is_read_to_its_end_up_to_a_bound_so_the_browser_gets_the_answer(front, monkeypatch):
    thread = PostFactory().thread
    too_big = b"comment=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    for bound, read in [(len(too_big), len(too_big)), (len(too_big) - 1, 0)]:
        monkeypatch.setattr(front_module, "DISCARD_AT_MOST", bound)
        body = io.BytesIO(too_big)
        status, _, page = _call(
            front, f"/comments/thread/{thread.pk}/", method="POST", body=body, sec_fetch_site="same-origin"
        )
        assert (status, body.tell()) == (400, read) and b"Bad Request" in page


def test_approving_a_comment_makes_its_page_and_the_home_page_fresh(front):
    post = PostFactory(title="Trams")
    held = CommentFactory(post=post, status="pending", body="A held thought")
    _call(front, post.get_absolute_url())
    _call(front, "/")
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"
    comment_approve(comment=held)
    _, headers, page = _call(front, post.get_absolute_url())
    assert headers["x-pnyx-cache"] == "miss" and b"A held thought" in page and b"One thought on" in page
    _, headers, home = _call(front, "/")
    assert headers["x-pnyx-cache"] == "miss" and b"1 comment" in home


def test_editing_a_public_comment_makes_its_page_fresh_and_a_held_ones_does_not(front):
    post = PostFactory()
    public = CommentFactory(post=post, body="Teh first")
    held = CommentFactory(post=post, status="pending", body="Held")
    _call(front, post.get_absolute_url())
    comment_edit(comment=held, body="Held, edited")
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"
    comment_edit(comment=public, body="The first")
    _, headers, page = _call(front, post.get_absolute_url())
    assert headers["x-pnyx-cache"] == "miss" and b"The first" in page and b"Teh first" not in page


def test_a_held_comment_changes_no_page(front, client):
    post = PostFactory()
    _call(front, post.get_absolute_url())
    data = {"comment": "Mine, for now", "author": "Ana", "email": "ana@example.org", "url": ""}
    client.post(f"/comments/thread/{post.thread.pk}/", data, HTTP_SEC_FETCH_SITE="same-origin")
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"


def test_editing_or_closing_a_post_makes_its_pages_fresh(front):
    post = PostFactory(title="Before")
    _call(front, post.get_absolute_url())
    post.title = "After"
    post.save()
    assert b"After" in _call(front, post.get_absolute_url())[2]
    post.thread.is_open = False
    post.thread.save()
    assert b"Comments are closed." in _call(front, post.get_absolute_url())[2]


def test_a_featured_images_new_alt_text_or_its_deletion_makes_pages_fresh_and_an_upload_does_not(front):
    image = library_image(alt="A kite")
    post = PostFactory(featured_image=image)
    assert b'alt="A kite"' in _call(front, post.get_absolute_url())[2]
    library_image(alt="Unused")
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"
    image.alt = "A red kite over the hill"
    image.save()
    assert b'alt="A red kite over the hill"' in _call(front, post.get_absolute_url())[2]
    image.delete()
    assert b"featured-image" not in _call(front, post.get_absolute_url())[2]


def test_the_home_page_shows_a_scheduled_post_once_its_time_comes(front):
    PostFactory(title="Already out")
    Post.objects.create(
        title="Coming soon",
        slug="soon",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(seconds=1),
    )
    assert b"Coming soon" not in _call(front, "/")[2]
    assert _call(front, "/")[1]["x-pnyx-cache"] == "hit"
    time.sleep(1.1)
    assert b"Coming soon" in _call(front, "/")[2]


def test_a_purge_in_one_process_reaches_another_through_the_journal(tmp_path):
    one = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    other = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    page = pagecache.Page.build([("Content-Type", "text/html")], b"<p>old</p>", None)
    for cache in (one, other):
        cache.sync()
        cache.put("/posts/a/", page, ticket=cache.ticket("/posts/a/"))
        cache.put("/posts/a/?cpage=2", page, ticket=cache.ticket("/posts/a/?cpage=2"))
        cache.put("/posts/b/", page, ticket=cache.ticket("/posts/b/"))
    one.purge(["/posts/a/"])
    other.sync()
    assert other.get("/posts/a/") is None and other.get("/posts/a/?cpage=2") is None
    assert other.get("/posts/b/") is page


def test_a_page_rendered_while_a_purge_arrived_is_not_kept(tmp_path):
    cache = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    cache.sync()
    ticket = cache.ticket("/posts/a/")
    PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20).purge(["/posts/a/"])  # another process
    cache.put("/posts/a/", pagecache.Page.build([], b"stale", None), ticket=ticket)
    assert cache.get("/posts/a/") is None


def test_a_long_journal_starts_again_and_every_process_drops_everything(tmp_path, monkeypatch):
    monkeypatch.setattr(_FileJournal, "COMPACT_AT", 200)
    writer, reader = _FileJournal(tmp_path / "purges"), PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    reader.sync()
    reader.put("/posts/b/", pagecache.Page.build([], b"b", None), ticket=reader.ticket("/posts/b/"))
    for n in range(40):
        writer.append([f"/posts/{n}/"])
    reader.sync()
    assert reader.get("/posts/b/") is None
    assert (tmp_path / "purges").stat().st_size < 200


def test_a_process_that_heard_no_purge_does_not_look_at_the_journal(tmp_path, monkeypatch):
    cache = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    cache.sync()
    looked = []
    real_stat = pagecache.os.stat
    monkeypatch.setattr(pagecache.os, "stat", lambda *a, **k: looked.append(a) or real_stat(*a, **k))
    cache.sync()
    assert looked == []
    PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20).purge(["/posts/a/"])  # another process
    looked.clear()
    cache.sync()
    assert looked  # the bell rang: now it reads the file


def test_a_purge_whose_writer_died_before_ringing_is_found_on_the_next_recheck(tmp_path, monkeypatch):
    cache = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=1 << 20)
    cache.sync()
    cache.put("/posts/a/", pagecache.Page.build([], b"a", None), ticket=cache.ticket("/posts/a/"))
    with (tmp_path / "purges").open("a") as journal:  # appended, and the bell never rung
        journal.write("/posts/a/\n")
    cache.sync()
    assert cache.get("/posts/a/") is not None
    monkeypatch.setattr(cache.journal, "_recheck_at", time.monotonic())  # RECHECK seconds later
    cache.sync()
    assert cache.get("/posts/a/") is None


def test_memory_is_bounded_oldest_pages_go_first(tmp_path):
    cache = PageCache(_FileJournal(tmp_path / "purges"), max_bytes=60_000)
    cache.sync()
    for n in range(10):
        body = bytes(range(256)) * 40  # 10 KB that compresses poorly
        cache.put(f"/p/{n}/", pagecache.Page.build([], body + bytes([n]), None), ticket=cache.ticket(f"/p/{n}/"))
    assert cache.bytes <= 60_000 and cache.get("/p/9/") is not None and cache.get("/p/0/") is None


def test_a_host_not_allowed_is_refused_by_django_even_for_a_kept_page(front):
    post = PostFactory()
    _call(front, post.get_absolute_url())
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"
    status, headers, _ = _call(front, post.get_absolute_url(), host="evil.example")
    assert status == 400 and "x-pnyx-cache" not in headers


def test_a_private_post_shown_to_staff_is_never_kept(front, client):
    post = PostFactory(status=Post.Status.PRIVATE)
    client.force_login(UserFactory(is_staff=True))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    for _ in range(2):
        status, headers, _ = _call(front, post.get_absolute_url(), cookie=cookie)
        assert status == 200 and "x-pnyx-cache" not in headers
    assert _call(front, post.get_absolute_url())[0] == 404


def test_feeds_and_archives_are_kept_like_pages(front):
    PostFactory()
    for path in ["/feed/", "/comments/feed/", "/sitemap.xml", "/robots.txt", "/2020/"]:
        _call(front, path)
        assert _call(front, path)[1]["x-pnyx-cache"] == "hit", path


def test_a_browser_that_opened_a_protected_post_is_answered_by_django(front):
    post = PostFactory(password="tea")
    _call(front, post.get_absolute_url())
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"
    _, headers, _ = _call(front, post.get_absolute_url(), cookie="pnyx_postpass=anything")
    assert "x-pnyx-cache" not in headers


def test_a_front_with_no_bypass_cookies_keeps_pages_for_every_browser(front):
    """Bypass cookies given as any iterable, even an empty one, bypass nothing else."""
    plain = Front(
        front.app,
        front.cache,
        cache_control=front.cache_control,
        allowed_hosts=front.allowed_hosts,
        bypass_cookies=iter(()),
    )
    post = PostFactory()
    _call(plain, post.get_absolute_url())
    assert _call(plain, post.get_absolute_url(), cookie="sessionid=abc")[1]["x-pnyx-cache"] == "hit"


def test_with_redis_out_of_reach_django_answers_and_nothing_is_kept(private_redis, monkeypatch):
    """A Redis restart or outage slows the site down; it used to take it down (every page a 500)."""
    monkeypatch.setattr(pagecache, "CHECK_INTERVAL", 0)  # the journal is read on every request
    url = f"redis://127.0.0.1:{private_redis.port}/0"
    cache = shared_page_cache(url, "pnyx:test", max_bytes=8 * 1024 * 1024)
    front = _front_over(cache, monkeypatch)
    post = PostFactory(title="Trams")
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "miss"
    assert _call(front, post.get_absolute_url())[1]["x-pnyx-cache"] == "hit"

    private_redis.stop()
    status, headers, body = _call(front, post.get_absolute_url())
    assert status == 200 and b"Trams" in body and "x-pnyx-cache" not in headers  # Django's own answer
    assert not cache.pages
