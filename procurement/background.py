"""Handing work to the service's Celery worker, and whether a worker is running.

With ``REDIS_URL`` set, work goes through Redis to a worker; without it, it runs here and now
(``CELERY_TASK_ALWAYS_EAGER``). ``enqueue`` is the one way the service hands work over: once,
without retrying, so that with Redis out of reach the caller hears so at once
(``BackgroundUnavailable``) and can say so, rather than wait and fail (docs/decisions/0033).

A running worker notes the time in the cache every ``HEARTBEAT_SECONDS`` (``Heartbeat``, a step
of the worker that config/celery.py adds); /healthz and the annual reports page read it.
"""

import logging
import time
from dataclasses import dataclass

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache
from kombu.exceptions import OperationalError

from .caching import UNREACHABLE

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker-heartbeat"
HEARTBEAT_SECONDS = 30
# A worker not heard from for this long is taken to be gone: three heartbeats missed.
WORKER_GONE_AFTER = 3 * HEARTBEAT_SECONDS


class BackgroundUnavailable(Exception):
    """Work could not be handed to the worker: Redis is out of reach."""

    MESSAGE = (
        "The service's background work is unavailable at the moment, so this could not be "
        "started. Try again later, and if it goes on tell the service's administrator"
    )

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


def enqueue(task, *args, **kwargs) -> None:
    """Hand ``task(*args, **kwargs)`` to a worker (run it here without Redis), or raise
    ``BackgroundUnavailable``."""
    try:
        # Asked once. kombu connects with the publish's retry policy only when retrying is on:
        # retry=False would connect with its defaults, trying for four seconds. No result is
        # kept: the work's state is in the database, and nobody here waits for it.
        task.apply_async(
            args, kwargs, ignore_result=True, retry=True, retry_policy={"max_retries": 0}
        )
    except OperationalError as error:
        logger.warning("Could not hand %s to a worker: %s", task.name, error)
        raise BackgroundUnavailable from error


# --- The worker's heartbeat ----------------------------------------------------------------------


class Heartbeat(bootsteps.StartStopStep):
    """A step of the Celery worker: note the time in the cache now and every
    ``HEARTBEAT_SECONDS``, on the worker's own timer, until it stops."""

    requires = {"celery.worker.components:Timer"}
    interval = HEARTBEAT_SECONDS

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker) -> None:
        worker_heartbeat()
        self.timer_entry = worker.timer.call_repeatedly(self.interval, worker_heartbeat)

    def stop(self, worker) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


def worker_heartbeat(*, now: float | None = None) -> None:
    """Note that a worker is running (the cache out of reach, it is not noted, and says so)."""
    try:
        cache.set(HEARTBEAT_KEY, time.time() if now is None else now, timeout=None)
    except UNREACHABLE:
        logger.warning("The cache is out of reach: the worker's heartbeat is not noted")


@dataclass(frozen=True)
class WorkerState:
    """Whether work handed over will be done: ``state`` is "in-process" (no Redis: work is
    done in the request), "running" (a worker heard from lately), "not seen" (none heard from
    for ``WORKER_GONE_AFTER`` seconds, or ever) or "unknown" (the cache out of reach)."""

    state: str
    seconds_since: int | None = None

    @property
    def is_working(self) -> bool:
        return self.state in {"in-process", "running"}

    @property
    def minutes_since(self) -> int | None:
        """Whole minutes since the worker was last heard from, at least one."""
        return None if self.seconds_since is None else max(1, self.seconds_since // 60)


def worker_state(*, now: float | None = None) -> WorkerState:
    """What is known of the worker, from its heartbeat."""
    if not settings.REDIS_URL:
        return WorkerState("in-process")
    try:
        seen = cache.get(HEARTBEAT_KEY)
    except UNREACHABLE:
        return WorkerState("unknown")
    if seen is None:
        return WorkerState("not seen")
    since = max(0, int((time.time() if now is None else now) - seen))
    return WorkerState("running" if since <= WORKER_GONE_AFTER else "not seen", since)
