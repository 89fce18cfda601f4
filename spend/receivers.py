"""What spend does when the register or the payments change.

- When a contract is saved, the payments its supplier's contracts may now settle are attributed
  again, once, when the transaction commits (the matching kept up with the register).
- When payments change (an import, an officer's decision), the contracts concerned are checked
  against their value in the background (the daily run catches up any check that could not be
  handed over).
- A payment saved or deleted one at a time (the services write them in bulk and keep the lists'
  figures themselves), and a contract saved, refresh the kept figures they touch; contracts
  written in bulk, and ``migrate``, rebuild them (docs/decisions/0052)."""

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from contracts.models import Contract
from contracts.signals import contracts_written_in_bulk
from procurement.background import BackgroundUnavailable, enqueue
from procurement.caching import data_changed
from procurement.commits import on_commit_once

from .models import KeptSpend, Payment
from .services.kept import Touched, kept_spend_rebuild, kept_spend_refresh
from .services.matching import payments_reattribute
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


# The suppliers and contracts saved in this thread's transaction, not yet looked at again.
_pending = threading.local()
EVERY_SUPPLIER = "every supplier"


def _waiting() -> dict:
    if not hasattr(_pending, "saved"):
        _pending.saved = {"suppliers": set(), "contracts": set()}
    return _pending.saved


def reattribute_pending() -> None:
    """Attribute again the payments of the suppliers whose contracts were saved."""
    saved = _waiting()
    suppliers, contracts = set(saved["suppliers"]), set(saved["contracts"])
    saved["suppliers"].clear()
    saved["contracts"].clear()
    if EVERY_SUPPLIER in suppliers:
        suppliers = set(
            Payment.objects.exclude(supplier=None)
            .order_by()
            .values_list("supplier", flat=True)
            .distinct()
        )
    if suppliers or contracts:
        payments_reattribute(supplier_ids=suppliers - {EVERY_SUPPLIER}, contract_ids=contracts)


@receiver(post_save, sender=Contract)
def contract_saved(sender, instance: Contract, **kwargs) -> None:
    saved = _waiting()
    saved["suppliers"].add(instance.supplier_id)
    saved["contracts"].add(instance.pk)
    on_commit_once(reattribute_pending)
    # Its dates say which of its payments came after its end: kept with the save (a contract
    # not yet paid, as a new one, has nothing kept).
    if Payment.objects.filter(contract=instance.pk).exists():
        kept_spend_refresh(Touched(contracts={instance.pk}))


@receiver(contracts_written_in_bulk)
def contracts_written(sender, **kwargs) -> None:
    _waiting()["suppliers"].add(EVERY_SUPPLIER)
    on_commit_once(reattribute_pending)
    on_commit_once(_rebuild_kept)


def _rebuild_kept() -> None:
    if KeptSpend.objects.exists():
        kept_spend_rebuild()


@receiver(post_migrate)
def migrated(sender, **kwargs) -> None:
    """Rebuild the kept figures after a release or a restore, where there are payments."""
    if sender.label != "spend":
        return
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    tables = connections[using].introspection.table_names()
    # Not where spend was migrated back to before its kept figures (or to nothing).
    if KeptSpend._meta.db_table in tables and Payment.objects.using(using).exists():
        kept_spend_rebuild()


def _keys(payment: Payment) -> Touched:
    touched = Touched(contracts={payment.contract_id} - {None})
    if payment.supplier_id is None:
        touched.payee_keys.add(payment.payee_key)
    else:
        touched.suppliers.add(payment.supplier_id)
    return touched


@receiver(pre_save, sender=Payment)
def payment_saving(sender, instance: Payment, raw=False, **kwargs) -> None:
    before = Payment.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._kept_before = _keys(before) if before else Touched()


@receiver(post_save, sender=Payment)
def payment_saved(sender, instance: Payment, raw=False, **kwargs) -> None:
    kept_spend_refresh(_keys(instance).include(getattr(instance, "_kept_before", Touched())))


@receiver(post_delete, sender=Payment)
def payment_deleted(sender, instance: Payment, **kwargs) -> None:
    kept_spend_refresh(_keys(instance))
