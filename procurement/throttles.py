"""Counting requests in fixed windows in the cache, for the API's rate limit and password resets.

Each window has its own counter, made with ``cache.add`` (only if absent) and counted with
``cache.incr``: both are atomic in Redis and in the in-memory cache, so requests at the same time
in many processes are each counted once and no more than the limit is ever let through in a
window (docs/decisions/0026). With the cache out of reach each process counts in its own memory
instead, so the limits still hold in each process (a person may then get the limit from each
process, not from all of them together) and nothing fails (docs/decisions/0033).
"""

import hashlib
import logging
import math
import threading
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


def count(*, scope: str, ident: str, period: int, now: float | None = None) -> Counted:
    """Count one request by ``ident`` in this ``period``-second window of ``scope``: in the
    cache, or in this process's memory while the cache is out of reach."""
    now = time.time() if now is None else now
    window = int(now // period)
    # A fingerprint of who, so that no address or id is kept readable in the cache.
    who = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{who}:{window}"
    try:
        number = _add_one(key, timeout=period + 60)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: %s is counted in this process", scope)
        number = _local.add_one(key, now=now, until=(window + 1) * period)
    return Counted(number=number, seconds_left=max(1, math.ceil((window + 1) * period - now)))


def _add_one(key: str, *, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between the two calls: make it again
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


class _LocalCounts:
    """Counters in this process's memory; those whose window has ended are dropped now and
    then, so that they take little room however long the cache is away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key: (number, end of its window)
        self._drop_at = 1000

    def add_one(self, key: str, *, now: float, until: float) -> int:
        with self._lock:
            if len(self._counts) >= self._drop_at:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._drop_at = max(1000, 2 * len(self._counts))
            number = self._counts.get(key, (0, until))[0] + 1
            self._counts[key] = (number, until)
            return number

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_local = _LocalCounts()
