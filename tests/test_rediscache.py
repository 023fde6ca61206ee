import time

import django_rq
import pytest
import redis
from django.core.cache import caches

from pnyx import outage, rediscache
from pnyx.outage import Outage
from pnyx.rediscache import RedisCache
from tests.conftest import free_port


def test_queued_tasks_share_the_caches_connections_to_redis(rq_tasks):
    """A client of its own for each queued task meant a new connection and its handshake each time."""
    queue = django_rq.get_queue("default")
    assert queue.connection is django_rq.get_queue("default").connection
    assert queue.connection.connection_pool is caches["default"]._cache._get_connection_pool(write=True)


def test_the_cache_keeps_one_client_for_its_calls(rq_tasks):
    """Django's own makes a redis-py client for every call, and each costs as much CPU as the call."""
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    cache.set("pnyx-test-kept-client", 41)
    assert cache.incr("pnyx-test-kept-client") == 42 and cache.get("pnyx-test-kept-client") == 42
    cache.delete("pnyx-test-kept-client")
    assert cache._cache.get_client() is client is cache._cache.get_client(write=True)
    assert django_rq.get_queue("default").connection is client
    assert rediscache.queue_client() is client  # what django-rq would give, without asking it


def test_a_cache_whose_redis_is_gone_answers_as_an_empty_one_at_once(monkeypatch, caplog):
    """A page that only used the cache to save work still renders while Redis is gone; ``incr`` still
    says it failed, and a warning says why."""
    monkeypatch.setattr(rediscache, "_outage", Outage(rediscache._outage.logger, rediscache._outage.meanwhile))
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("pnyx-test-gone", "absent") == "absent"
    assert cache.add("pnyx-test-gone", 1) is False  # allauth's rate limit takes no lock: it refuses
    assert cache.set("pnyx-test-gone", 1) is None
    assert cache.get_many(["pnyx-test-gone"]) == {}
    assert cache.set_many({"pnyx-test-gone": 1}) == ["pnyx-test-gone"]
    assert cache.delete("pnyx-test-gone") is False
    with pytest.raises(redis.ConnectionError):
        cache.incr("pnyx-test-gone")
    [warning] = [r.getMessage() for r in caplog.records if r.name == "pnyx.rediscache"]
    assert "out of reach" in warning


def test_for_a_second_after_redis_failed_the_cache_does_not_ask_it(private_redis, monkeypatch):
    """A Redis host that stopped answering costs each call its timeout: after one failure, the calls of the
    next second answer at once; then Redis is asked again."""
    monkeypatch.setattr(rediscache, "_outage", Outage(rediscache._outage.logger, rediscache._outage.meanwhile))
    monkeypatch.setattr(outage, "RETRY_SECONDS", 0.5)
    cache = RedisCache(f"redis://127.0.0.1:{private_redis.port}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    private_redis.stop()
    assert cache.get("pnyx-test-wait") is None
    private_redis.start()
    assert cache.set("pnyx-test-wait", 1) is None and cache.get("pnyx-test-wait") is None  # not asked
    time.sleep(0.5)
    cache.set("pnyx-test-wait", 1)
    assert cache.get("pnyx-test-wait") == 1
