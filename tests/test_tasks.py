"""Celery tasks through the real Redis broker to a real worker, and in-process without Redis."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
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


def test_the_alert_jobs_go_through_redis_to_a_worker_and_send_once(redis_url):
    from celery.contrib.testing.worker import start_worker

    from alerts.tasks import escalation_digests_task, renewal_alerts_task
    from alerts.tests.factories import contract_ending

    contract = contract_ending(date(2027, 8, 31))
    past_end = contract_ending(date(2026, 11, 1), lead_director=contract.lead_director)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        first = renewal_alerts_task.delay("2026-11-30").get(timeout=30)
        again = renewal_alerts_task.delay("2026-11-30").get(timeout=30)
        digests = escalation_digests_task.delay("2026-11-30").get(timeout=30)
    assert first == {"on": "2026-11-30", "due": 2, "claimed": 2}
    assert again == {"on": "2026-11-30", "due": 2, "claimed": 0}
    assert digests["claimed"] == 2  # the lead director and the business partner
    renewals = [m for m in mail.outbox if m.subject.startswith("Renewal alert")]
    assert sorted(m.to[0] for m in renewals) == sorted(
        [contract.contract_manager.email, contract.directorate.business_partner.email]
    )
    digest = next(m for m in mail.outbox if m.to == [contract.lead_director.email])
    assert past_end.reference in digest.body


def test_the_annual_report_is_built_by_a_worker_and_a_second_request_adds_a_version(
    redis_url, make_user, settings, tmp_path
):
    import time

    from celery.contrib.testing.worker import start_worker

    from procurement.roles import Role
    from reporting.models import AnnualReport
    from reporting.services import annual_report_request
    from reporting.tasks import annual_report_schedule_task

    settings.MEDIA_ROOT = tmp_path
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        first = annual_report_request(year=2025, by=head, reason="For the committee")
        assert first.state == AnnualReport.State.QUEUED  # the worker builds it, not the request
        second = annual_report_request(year=2025, by=head)
        scheduled = annual_report_schedule_task.delay("2026-05-01").get(timeout=30)
        again = annual_report_schedule_task.delay("2026-05-02").get(timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not AnnualReport.objects.exclude(state=AnnualReport.State.READY).exists():
                break
            time.sleep(0.5)
    reports = list(AnnualReport.objects.order_by("version"))
    assert [(r.version, r.source, r.state) for r in reports] == [
        (1, "page", "ready"),
        (2, "page", "ready"),
        (3, "schedule", "ready"),
    ]
    assert (scheduled["queued"], again["queued"]) == (reports[2].pk, None)
    assert all(r.file.storage.exists(r.file.name) and r.pages for r in reports)
    assert (first.pk, second.pk) == (reports[0].pk, reports[1].pk)


def test_the_beat_schedule_is_static_and_names_registered_tasks():
    schedule = app.conf.beat_schedule
    assert schedule["clear-expired-sessions"]["task"] == sessions_clear_expired_task.name
    assert schedule["send-renewal-alerts"]["task"] == "alerts.tasks.renewal_alerts_task"
    assert schedule["send-escalation-digests"]["task"] == "alerts.tasks.escalation_digests_task"
    assert schedule["send-health-check-alerts"]["task"] == "alerts.tasks.health_check_alerts_task"
    assert schedule["retry-failed-notifications"]["task"] == "alerts.tasks.notifications_retry_task"
    assert schedule["build-annual-report"]["task"] == "reporting.tasks.annual_report_schedule_task"
    app.loader.import_default_modules()
    assert all(entry["task"] in app.tasks for entry in schedule.values())
