import django_rq
from django.core.cache import caches


def test_queued_tasks_share_the_caches_connections_to_redis(rq_tasks):
    """A client of its own for each queued task meant a new connection and its handshake each time."""
    queue = django_rq.get_queue("default")
    assert queue.connection is django_rq.get_queue("default").connection
    assert queue.connection.connection_pool is caches["default"]._cache._get_connection_pool(write=True)
