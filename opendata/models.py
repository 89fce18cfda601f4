from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from contracts.models import Contract, ContractEvent
from gateways.models import ProcurementProject

# Find a Tender's notice identifiers: six digits, a hyphen and the year ("012345-2025").
NOTICE_ID = RegexValidator(
    r"^\d{6}-\d{4}$", "Enter the notice identifier as Find a Tender shows it, like 012345-2025"
)


class Notice(models.Model):
    """A Procurement Act 2023 notice the council published on Find a Tender, recorded against
    what it notified: a pipeline item, a contract's details, a performance rating or a change."""

    class Kind(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline notice"
        CONTRACT_DETAILS = "contract_details", "Contract details notice"
        PERFORMANCE = "performance", "Contract performance notice"
        CHANGE = "change", "Contract change notice"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    project = models.ForeignKey(
        ProcurementProject, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    event = models.ForeignKey(
        ContractEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    due_on = models.DateField(null=True, blank=True, help_text="For a performance rating.")
    # The item notified, as opendata.selectors names it, by its row ("pipeline:4", "change:17"…).
    item_key = models.CharField(max_length=120)
    notice_id = models.CharField("notice identifier", max_length=20, validators=[NOTICE_ID])
    published_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["item_key"], name="one_notice_for_each_item"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.notice_id}"
