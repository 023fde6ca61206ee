import django_rq
from django.core.cache import caches


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
