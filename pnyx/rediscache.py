"""Django's Redis cache, with one client kept per connection pool; the task queue shares it.

Django's cache makes a new redis-py client for every call (``get``, ``set``, ``incr``): the client sets
up its table of 169 reply handlers each time, 0.09 ms of CPU, before the command is sent.
A comment POST makes two or three such calls. Here each pool's client is made once and kept for the
life of the cache object (one per thread; a redis-py client is safe to share in any case).

django-rq, given ``RQ_QUEUES``'s ``USE_REDIS_CACHE``, takes that same client (``get_master_client``,
django-redis-cache's name for it). Otherwise it makes a new client for each task it queues, with a new
connection to Redis and the handshake that comes with one (the client library reads its own version
from disk for it; RQ asks the server's): 4 ms of a comment POST's CPU, and as much again for each mail
the worker queues.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import Redis


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # each pool is kept for the life of this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = _KeptClients

    def get_master_client(self) -> Redis:
        """The client django-rq queues tasks with, on the cache's own connections."""
        return self._cache.get_client(write=True)
