"""Scheduled and queued work for the shared core. Tasks are thin: they call a service."""

from celery import shared_task

from .exportjobs import export_job_execute, export_jobs_clear
from .imports import import_run_execute, import_runs_clear
from .passwords import password_reset_send
from .services import sessions_clear_expired


@shared_task(name="procurement.tasks.sessions_clear_expired_task")
def sessions_clear_expired_task() -> int:
    return sessions_clear_expired()


@shared_task(name="procurement.tasks.password_reset_send_task")
def password_reset_send_task(email: str, protocol: str, domain: str) -> int:
    return password_reset_send(email=email, protocol=protocol, domain=domain)


@shared_task(name="procurement.tasks.import_run_task")
def import_run_task(run_pk: int) -> str:
    return import_run_execute(run_pk)


@shared_task(name="procurement.tasks.import_runs_clear_task")
def import_runs_clear_task() -> int:
    return import_runs_clear()


@shared_task(name="procurement.tasks.export_job_task")
def export_job_task(job_pk: int) -> str:
    return export_job_execute(job_pk)


@shared_task(name="procurement.tasks.export_jobs_clear_task")
def export_jobs_clear_task() -> int:
    return export_jobs_clear()
