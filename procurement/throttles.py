"""Counting requests in fixed windows in the cache, for the API's rate limit and password resets.

Each window has its own counter, made with ``cache.add`` (only if absent) and counted with
``cache.incr``: both are atomic in Redis and in the in-memory cache, so requests at the same time
in many processes are each counted once and no more than the limit is ever let through in a
window (docs/decisions/0026). With the cache out of reach nothing is refused: the throttles
protect the service, and must not stop it.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from .caching import UNREACHABLE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counted:
    """The number of requests counted in the window so far, this one included, and the whole
    seconds until the window ends."""

    number: int
    seconds_left: int


def count(*, scope: str, ident: str, period: int, now: float | None = None) -> Counted | None:
    """Count one request by ``ident`` in this ``period``-second window of ``scope``; None if the
    cache is out of reach."""
    now = time.time() if now is None else now
    window = int(now // period)
    # A fingerprint of who, so that no address or id is kept readable in the cache.
    who = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{who}:{window}"
    try:
        number = _add_one(key, timeout=period + 60)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: %s is not throttled", scope, exc_info=True)
        return None
    return Counted(number=number, seconds_left=max(1, math.ceil((window + 1) * period - now)))


def _add_one(key: str, *, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between the two calls: make it again
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
