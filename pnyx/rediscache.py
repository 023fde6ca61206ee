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

When Redis cannot be reached, the cache answers as an empty one that keeps nothing (a read misses, a
write or an ``add`` fails) instead of raising, so a page that only used it to save work still renders:
the moderation rules are read from the database, a sign-in's rate limit refuses (``add`` fails, so
allauth cannot take its lock) rather than letting every attempt through. For a second after a failure
Redis is not asked at all (``pnyx.outage``). ``incr``, ``decr`` and ``clear`` still raise: their callers
must know.
"""

import functools
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import ConnectionError as RedisConnectionError
from redis import Redis
from redis import TimeoutError as RedisTimeoutError

from pnyx.outage import Outage

_outage = Outage(logging.getLogger(__name__), "the cache's reads miss and its writes are dropped")


def _or(answer):
    """The method as Django's, but while Redis cannot be reached, ``answer(*args, **kwargs)`` instead."""

    def wrap(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if _outage.waiting():
                return answer(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                _outage.failed(error)
                return answer(*args, **kwargs)
            _outage.answered()
            return result

        return wrapped

    return wrap


def _missed(key, default=None, version=None):
    return default


def _failed(*args, **kwargs) -> bool:
    return False


def _nothing(*args, **kwargs) -> None:
    return None


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

    get = _or(_missed)(DjangoRedisCache.get)
    get_many = _or(lambda keys, version=None: {})(DjangoRedisCache.get_many)
    has_key = _or(_failed)(DjangoRedisCache.has_key)
    add = _or(_failed)(DjangoRedisCache.add)
    touch = _or(_failed)(DjangoRedisCache.touch)
    delete = _or(_failed)(DjangoRedisCache.delete)
    set = _or(_nothing)(DjangoRedisCache.set)
    delete_many = _or(_nothing)(DjangoRedisCache.delete_many)
    set_many = _or(lambda data, timeout=None, version=None: list(data))(DjangoRedisCache.set_many)

    def get_master_client(self) -> Redis:
        """The client django-rq queues tasks with, on the cache's own connections."""
        return self._cache.get_client(write=True)


def queue_client() -> Redis:
    """The client RQ's queue runs on, the one django-rq's ``get_connection`` gives (``RQ_QUEUES``: the
    cache's), without asking django-rq: for a queue on a cache it first tries to import django-redis,
    which is not installed, on every call (0.04 ms, on every comment POST that asks after its notice task)."""
    return caches[settings.RQ_QUEUES["default"]["USE_REDIS_CACHE"]].get_master_client()
