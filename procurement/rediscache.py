"""Django's Redis cache, quick to give up when Redis is out of reach.

A call that cannot reach Redis fails once its socket timeout is up (settings: well under a
second), without retrying. For the next ``SKIP_SECONDS`` this process then does not try Redis
at all: each cache call raises ``redis.exceptions.ConnectionError`` at once, the error every
caller already treats as the cache being out of reach (``procurement.caching.UNREACHABLE``).
So a page asks a silent Redis once every few seconds, not at every cache call, and a Redis that
is back is used again within seconds (docs/decisions/0033-degrade-without-redis.md).
"""

import functools
import logging
import time

from django.core.cache.backends import redis as django_redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# How long a process leaves Redis alone after it failed to answer.
SKIP_SECONDS = 5
# What says Redis could not be reached, as opposed to an answer refusing a command.
OUT_OF_REACH = (RedisConnectionError, RedisTimeoutError, OSError)
# The moment (time.monotonic) until which each server is left alone, for the whole process:
# Django makes a cache object per thread.
_skipping_until: dict[tuple[str, ...], float] = {}


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        servers = tuple(self._servers)
        left = _skipping_until.get(servers, 0.0) - time.monotonic()
        if left > 0:
            raise RedisConnectionError(
                f"Redis did not answer a moment ago: not asked again for {left:.1f} seconds"
            )
        try:
            return method(self, *args, **kwargs)
        except OUT_OF_REACH:
            _skipping_until[servers] = time.monotonic() + SKIP_SECONDS
            logger.warning("Redis is out of reach: the cache is skipped for %s s", SKIP_SECONDS)
            raise

    return call


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache, asking Redis once (no retries) and then leaving it alone for
    ``SKIP_SECONDS`` after it failed to answer."""

    def __init__(self, server, params):
        # Django's connection pool already makes connections that do not retry; said here so
        # that a change of redis-py's defaults cannot bring back retries and their backoff.
        options = {"retry": Retry(NoBackoff(), 0), **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    # Every call of the cache's API reaches Redis through one of these (decr, get_or_set and
    # the async methods call them).
    add = _guarded(django_redis.RedisCache.add)
    get = _guarded(django_redis.RedisCache.get)
    set = _guarded(django_redis.RedisCache.set)
    touch = _guarded(django_redis.RedisCache.touch)
    delete = _guarded(django_redis.RedisCache.delete)
    get_many = _guarded(django_redis.RedisCache.get_many)
    has_key = _guarded(django_redis.RedisCache.has_key)
    incr = _guarded(django_redis.RedisCache.incr)
    set_many = _guarded(django_redis.RedisCache.set_many)
    delete_many = _guarded(django_redis.RedisCache.delete_many)
    clear = _guarded(django_redis.RedisCache.clear)
