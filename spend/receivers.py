"""What spend does when its payments change: the contracts concerned are checked against their
value, in the background (the daily run catches up any check that could not be handed over)."""

import logging

from django.dispatch import receiver

from procurement.background import BackgroundUnavailable, enqueue
from procurement.caching import data_changed

from .signals import payments_changed
from .tasks import spend_thresholds_task

logger = logging.getLogger(__name__)


@receiver(payments_changed)
def check_thresholds(sender, contract_ids, **kwargs) -> None:
    """Queue the threshold alerts' check for the contracts whose payments changed."""
    # Payments are written in bulk, which sends no model signals: the pieces of pages kept in the
    # cache that read them (a contract's page, its Spend section) are retired here.
    data_changed("spend", "spend.payment")
    ids = sorted({int(pk) for pk in contract_ids if pk is not None})
    if not ids:
        return
    try:
        enqueue(spend_thresholds_task, ids)
    except BackgroundUnavailable:
        logger.warning("Spend thresholds not checked now for %s contracts", len(ids))
