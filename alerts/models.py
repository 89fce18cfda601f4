"""What the alerts keep of their own: the renewal alerts still open, derived from the ledger."""

from django.conf import settings
from django.db import models

from contracts.models import Contract
from procurement.models import Notification


class OpenRenewalAlert(models.Model):
    """A renewal alert still waiting for its recipient's answer: the latest alert to them about
    the contract, which names its renewal date, the contract neither terminated nor answered
    (alerts/open_alerts.py). Derived data, a cache of the ledger and the register kept exact by
    their writes: no history of its own. It stays open until ``renews_on`` has passed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    renews_on = models.DateField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "contract"], name="open_renewal_alert_unique"
            )
        ]
        indexes = [
            # A person's open alerts, soonest renewal first (a home page's count and first few).
            models.Index(
                fields=["recipient", "renews_on", "contract"], name="open_renewal_alert_mine"
            ),
        ]

    def __str__(self) -> str:
        return f"Open renewal alert {self.notification_id} to {self.recipient_id}"
