"""The annual report's jobs: thin, they call the services (which claim each version once)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from .services import annual_report_build, annual_report_schedule


@shared_task(name="reporting.tasks.annual_report_build_task")
def annual_report_build_task(report_id: int) -> dict:
    report = annual_report_build(report_id=report_id)
    return {"id": report.pk, "year": report.year, "version": report.version, "state": report.state}


@shared_task(name="reporting.tasks.annual_report_schedule_task")
def annual_report_schedule_task(on: str | None = None) -> dict:
    report = annual_report_schedule(on=date.fromisoformat(on) if on else timezone.localdate())
    return {"queued": report.pk if report else None}
