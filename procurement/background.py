"""Handing work to the service's Celery worker.

With ``REDIS_URL`` set, work goes through Redis to a worker; without it, it runs here and now
(``CELERY_TASK_ALWAYS_EAGER``). ``enqueue`` is the one way the service hands work over: once,
without retrying, so that with Redis out of reach the caller hears so at once
(``BackgroundUnavailable``) and can say so, rather than wait and fail (docs/decisions/0033).
"""

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


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
