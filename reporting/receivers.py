"""The writes that keep the dashboard's kept contract figures exact (reporting/summary.py).

Each write that can move a contract in or out of a figure reads the figures of the contracts it
touches before it (``pre_save``, ``pre_delete``) and adds the difference after it: a contract's
own change; a supplier's SME or VCSE flag (its contracts); a person leaving or coming back
(the contracts they manage); a procurement planned to replace a contract, or no longer. Bulk
writes, which send no such signals, and changes to the renewal bands discard the kept figures.
"""

from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from contracts.models import Contract, RenewalBand, Supplier
from contracts.signals import contracts_written_in_bulk
from gateways.models import ProcurementProject
from procurement.commits import on_commit_once
from procurement.models import User

from . import summary

BEFORE = "_kept_figures_before"


def _before(instance, contract_ids) -> None:
    ids = [pk for pk in contract_ids if pk is not None]
    setattr(instance, BEFORE, (ids, summary.figures_before(ids)))


def _after(instance) -> None:
    ids, before = getattr(instance, BEFORE, ([], {}))
    if hasattr(instance, BEFORE):
        delattr(instance, BEFORE)
    if ids:
        summary.figures_after(ids, before)


@receiver(pre_save, sender=Contract)
@receiver(pre_delete, sender=Contract)
def contract_before(sender, instance: Contract, **kwargs) -> None:
    _before(instance, [instance.pk])


@receiver(post_save, sender=Contract)
def contract_after(sender, instance: Contract, created: bool, **kwargs) -> None:
    if created:
        setattr(instance, BEFORE, ([instance.pk], getattr(instance, BEFORE, ([], {}))[1]))
    _after(instance)


@receiver(post_delete, sender=Contract)
def contract_deleted(sender, instance: Contract, **kwargs) -> None:
    ids, before = getattr(instance, BEFORE, ([], {}))
    if ids:
        # The contract is gone: what it added to each group goes with it.
        summary.figures_after([], before)


def _changed(model, instance, fields: tuple[str, ...], update_fields=None) -> bool:
    """Whether ``instance`` (saved before) differs from its row in ``fields`` (not read when the
    save writes none of them, as a sign-in's ``last_login``)."""
    if instance.pk is None or (update_fields is not None and not set(fields) & set(update_fields)):
        return False
    old = model.objects.filter(pk=instance.pk).values_list(*fields).first()
    return old is not None and old != tuple(getattr(instance, name) for name in fields)


@receiver(pre_save, sender=Supplier)
def supplier_before(sender, instance: Supplier, **kwargs) -> None:
    if _changed(Supplier, instance, ("is_sme", "is_vcse"), kwargs.get("update_fields")):
        _before(instance, Contract.objects.filter(supplier=instance).values_list("pk", flat=True))


@receiver(pre_save, sender=User)
def person_before(sender, instance: User, **kwargs) -> None:
    if _changed(User, instance, ("is_active",), kwargs.get("update_fields")):
        managed = Contract.objects.filter(contract_manager=instance)
        _before(instance, managed.values_list("pk", flat=True))


@receiver(pre_save, sender=ProcurementProject)
def project_before(sender, instance: ProcurementProject, **kwargs) -> None:
    old = None
    if instance.pk is not None:
        old = (
            ProcurementProject.objects.filter(pk=instance.pk)
            .values_list("replaces_id", flat=True)
            .first()
        )
    if old != instance.replaces_id:
        _before(instance, {old, instance.replaces_id})


@receiver(pre_delete, sender=ProcurementProject)
def project_deleting(sender, instance: ProcurementProject, **kwargs) -> None:
    if instance.replaces_id is not None:
        _before(instance, [instance.replaces_id])


@receiver(post_save, sender=Supplier)
@receiver(post_save, sender=User)
@receiver(post_save, sender=ProcurementProject)
@receiver(post_delete, sender=ProcurementProject)
def related_after(sender, instance, **kwargs) -> None:
    _after(instance)


@receiver(post_save, sender=RenewalBand)
@receiver(post_delete, sender=RenewalBand)
def discard(sender, **kwargs) -> None:
    summary.discard_all()


@receiver(contracts_written_in_bulk)
def discard_when_committed(sender, **kwargs) -> None:
    """After an import's or seeding's bulk writes: once they commit, so a long import does not
    hold the kept figures' table against every other write until it ends; and once, however
    many batches it signalled. A day worked out meanwhile, from the register without the
    import, is discarded with the rest."""
    on_commit_once(summary.discard_all)


@receiver(post_migrate)
def discard_after_migrate(sender, app_config, **kwargs) -> None:
    """A migration may have changed contracts without signals: work the figures out afresh."""
    if app_config.label == "reporting" and summary.TABLE in connection.introspection.table_names():
        summary.discard_all()
