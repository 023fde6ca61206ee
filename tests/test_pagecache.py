"""The page cache shared through Redis when Redis goes away: the site renders every page meanwhile, and
no page a change made stale is served once Redis is back (a Redis of the test's own: ``private_redis``)."""

import time

import pytest
import redis

from pnyx import outage, pagecache
from pnyx.pagecache import Page, PageCache, shared_page_cache
from tests.conftest import PrivateRedis


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Each process looks at the journal on every request and asks a lost Redis again at once."""
    monkeypatch.setattr(pagecache, "CHECK_INTERVAL", 0)
    monkeypatch.setattr(outage, "RETRY_SECONDS", 0)


def _process(server: PrivateRedis) -> PageCache:
    """One process's page cache, as ``page_cache()`` builds it with REDIS_URL."""
    return shared_page_cache(f"redis://127.0.0.1:{server.port}/0", "pnyx:test", max_bytes=1024 * 1024)


def _page(text: str) -> Page:
    return Page.build([("Content-Type", "text/html; charset=utf-8")], text.encode(), None)


def _keep(cache: PageCache, key: str, text: str) -> None:
    assert cache.sync()
    cache.put(key, _page(text), ticket=cache.ticket(key))


def test_with_redis_gone_nothing_is_served_or_kept_and_nothing_raises(private_redis, caplog):
    cache = _process(private_redis)
    _keep(cache, "/posts/tea/", "before")
    assert cache.get("/posts/tea/").body == b"before"

    private_redis.stop()
    started = time.monotonic()
    assert cache.sync() is False  # the front renders the page instead
    assert cache.get("/posts/tea/") is None
    cache.purge(["/posts/tea/"])
    cache.put("/posts/tea/", _page("during"), ticket=cache.ticket("/posts/tea/"))
    assert cache.pages == {}
    assert time.monotonic() - started < 0.5  # redis-py's own tries wait 3.5 s on each refused call
    [warning] = [r.getMessage() for r in caplog.records if r.name == "pnyx.pagecache"]
    assert "out of reach" in warning

    private_redis.start()
    _keep(cache, "/posts/tea/", "after")
    assert cache.get("/posts/tea/").body == b"after"
    assert "answers again" in caplog.records[-1].getMessage()


def test_a_purge_lost_while_redis_was_gone_is_made_good_when_it_answers_again(private_redis):
    """Redis stops answering but keeps its data (here: paused); a change purges its page meanwhile, and the
    purge is lost. Once Redis answers, the process that lost it purges everything, so another process
    that kept the page all along drops it too."""
    writer, reader = _process(private_redis), _process(private_redis)
    _keep(reader, "/posts/tea/", "old")
    assert writer.sync() and reader.sync()

    redis.Redis(port=private_redis.port).client_pause(3000)
    writer.purge(["/posts/tea/"])  # times out, and again on its one retry: lost
    assert writer.outage.retry_at is not None
    time.sleep(1.2)  # the pause is over

    assert writer.sync()  # Redis answers: the writer purges everything
    assert reader.sync()
    assert reader.get("/posts/tea/") is None
