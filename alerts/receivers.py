"""The writes that keep the open renewal alerts exact (alerts/open_alerts.py): each refreshes the
open alerts of the contracts it touches, in its own transaction. The alert job refreshes those
it sends (alerts/services.py); bulk writes to the register rebuild them all once they commit."""

from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from contracts.models import Contract
from contracts.signals import contracts_written_in_bulk
from gateways.models import GatewayReview, ProcurementProject
from procurement.commits import on_commit_once
from procurement.models import Notification

from . import open_alerts
from .models import OpenRenewalAlert

BEFORE = "_open_alerts_contract_before"


@receiver(post_save, sender=Contract)
def contract_saved(sender, instance: Contract, **kwargs) -> None:
    open_alerts.refresh([instance.pk])


@receiver(post_save, sender=Notification)
@receiver(post_delete, sender=Notification)
def notification_written(sender, instance: Notification, created: bool = True, **kwargs) -> None:
    """A renewal alert added or removed one by one (the job's bulk claims refresh themselves).
    A ledger row's subject, key and recipient never change: a later save (its delivery) opens
    or closes nothing."""
    if created and instance.kind == Notification.Kind.RENEWAL:
        open_alerts.refresh([instance.subject_id])


def _old_contract(model, instance, field: str) -> None:
    """Keep the contract ``instance`` was about before the write, as it may change."""
    old = None
    if instance.pk is not None:
        old = model.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    setattr(instance, BEFORE, old)


@receiver(pre_save, sender=ProcurementProject)
def project_saving(sender, instance: ProcurementProject, **kwargs) -> None:
    _old_contract(ProcurementProject, instance, "replaces_id")


@receiver(pre_save, sender=GatewayReview)
def review_saving(sender, instance: GatewayReview, **kwargs) -> None:
    _old_contract(GatewayReview, instance, "contract_id")


@receiver(post_save, sender=ProcurementProject)
@receiver(post_delete, sender=ProcurementProject)
def project_written(sender, instance: ProcurementProject, **kwargs) -> None:
    open_alerts.refresh([getattr(instance, BEFORE, None), instance.replaces_id])


@receiver(post_save, sender=GatewayReview)
@receiver(post_delete, sender=GatewayReview)
def review_written(sender, instance: GatewayReview, **kwargs) -> None:
    open_alerts.refresh([getattr(instance, BEFORE, None), instance.contract_id])


@receiver(contracts_written_in_bulk)
def rebuild_when_committed(sender, **kwargs) -> None:
    """Once, when the bulk write commits, however many batches it signalled."""
    on_commit_once(open_alerts.rebuild)


@receiver(post_migrate)
def rebuild_after_migrate(sender, app_config, **kwargs) -> None:
    """A migration may have changed contracts or the ledger without signals."""
    table = OpenRenewalAlert._meta.db_table
    if app_config.label == "alerts" and table in connection.introspection.table_names():
        open_alerts.rebuild()
