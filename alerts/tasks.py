"""The scheduled alert jobs (beat, Europe/London). Thin: they call the services, which are
idempotent through the ledger, so a retry, a second worker or a second beat sends nothing twice."""

from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from procurement.notifications import notifications_retry_due

from .health_checks import health_check_alerts_send
from .services import escalation_digests_send, renewal_alerts_send


def council_day(now: datetime | None = None) -> date:
    """The council's day: the date in Europe/London at ``now``, across clock changes."""
    return timezone.localdate(now)


def _day(on: str | None) -> date:
    return date.fromisoformat(on) if on else council_day()


@shared_task(name="alerts.tasks.renewal_alerts_task")
def renewal_alerts_task(on: str | None = None) -> dict:
    result = renewal_alerts_send(on=_day(on))
    return {"on": result.on.isoformat(), "due": result.due, "claimed": result.claimed}


@shared_task(name="alerts.tasks.escalation_digests_task")
def escalation_digests_task(on: str | None = None) -> dict:
    result = escalation_digests_send(on=_day(on))
    return {"on": result.on.isoformat(), "due": result.due, "claimed": result.claimed}


@shared_task(name="alerts.tasks.notifications_retry_task")
def notifications_retry_task() -> dict:
    delivery = notifications_retry_due()
    return {"sent": delivery.sent, "failed": delivery.failed}


@shared_task(name="alerts.tasks.health_check_alerts_task")
def health_check_alerts_task(on: str | None = None) -> dict:
    result = health_check_alerts_send(on=_day(on))
    return {"on": result.on.isoformat(), "due": result.due, "claimed": result.claimed}
