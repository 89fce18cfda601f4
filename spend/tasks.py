"""Spend's background jobs. Thin: they call the services, which are idempotent through the
notification ledger, so a retry, a second worker or the daily catch-up sends nothing twice."""

from celery import shared_task

from .services.alerts import spend_threshold_alerts_send
from .services.kept import kept_spend_day_passed


@shared_task(name="spend.tasks.spend_thresholds_task")
def spend_thresholds_task(contract_ids: list[int] | None = None) -> dict:
    """Alert the contracts (these, or all: the daily catch-up) paid past 80% or 100%."""
    delivery = spend_threshold_alerts_send(contract_ids=contract_ids)
    return {"sent": delivery.sent, "failed": delivery.failed}


@shared_task(name="spend.tasks.kept_spend_task")
def kept_spend_task() -> dict:
    """Rebuild the spend lists' kept lines for the new day's twelve months (after midnight)."""
    return {"rebuilt": kept_spend_day_passed()}
