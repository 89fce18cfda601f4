"""Celery tasks through the real Redis broker to a real worker, and in-process without Redis."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from procurement.tasks import sessions_clear_expired_task

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def make_sessions() -> None:
    for expires_in in (timedelta(days=-1), timedelta(days=-2), timedelta(days=1)):
        store = SessionStore()
        store["demo"] = True
        store.set_expiry(timezone.now() + expires_in)
        store.save()


def test_a_task_goes_through_redis_to_a_worker_started_here(redis_url):
    from celery.contrib.testing.worker import start_worker

    assert not app.conf.task_always_eager
    assert app.conf.broker_url == redis_url
    make_sessions()
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = sessions_clear_expired_task.delay()
        assert result.get(timeout=30) == 2
    assert Session.objects.count() == 1


def test_the_beat_schedule_is_static_and_names_registered_tasks():
    schedule = app.conf.beat_schedule
    assert schedule["clear-expired-sessions"]["task"] == sessions_clear_expired_task.name
    app.loader.import_default_modules()
    assert all(entry["task"] in app.tasks for entry in schedule.values())
