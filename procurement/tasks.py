"""Scheduled and queued work for the shared core. Tasks are thin: they call a service."""

from celery import shared_task

from .services import sessions_clear_expired


@shared_task(name="procurement.tasks.sessions_clear_expired_task")
def sessions_clear_expired_task() -> int:
    return sessions_clear_expired()
