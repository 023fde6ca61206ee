"""Django's Redis cache, whose connections the task queue shares (``RQ_QUEUES``'s ``USE_REDIS_CACHE``).

django-rq otherwise makes a new client for each task it queues, with a new connection to Redis and the
handshake that comes with one (the client library reads its own version from disk for it; RQ asks the
server's): 4 ms of a comment POST's CPU, and as much again for each mail the worker queues. django-rq
takes a cache's client when the cache offers ``get_master_client`` (django-redis-cache's name for it);
this one gives a client on the cache's own connection pool, kept for the life of the cache object (one
per thread), so RQ asks the server's version once.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property
from redis import Redis


class RedisCache(DjangoRedisCache):
    def get_master_client(self) -> Redis:
        """The client django-rq queues tasks with, on the cache's own connections."""
        return self._queue_client

    @cached_property
    def _queue_client(self) -> Redis:
        return self._cache.get_client(write=True)
