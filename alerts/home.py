"""What the alerts put on a person's home page (a fixed number of queries)."""

from django.urls import reverse
from django.utils import timezone

from procurement.attention import AttentionItem
from procurement.models import Notification

from .selectors import contracts_to_reassign, open_renewal_alerts_first

# The open renewal alerts a home page lists; the rest are counted.
HOME_ALERTS_SHOWN = 5


def alerts_needing_attention(*, user) -> list[AttentionItem]:
    items = []
    if user.has_perm("alerts.view_own"):
        items.append(
            AttentionItem(
                "Renewal alerts waiting for your answer",
                open_renewal_alerts_first(
                    user=user, today=timezone.localdate(), shown=HOME_ALERTS_SHOWN
                )[1],
                reverse("alerts:mine"),
                "Start a re-procurement, propose a Gateway 3 extension, or record that the "
                "contract will end.",
            )
        )
    if user.has_perm("alerts.reassign_contracts"):
        items.append(
            AttentionItem(
                "Contracts whose manager has left",
                contracts_to_reassign(user=user, today=timezone.localdate()).count(),
                reverse("alerts:reassign"),
                "Give them to a colleague: meanwhile their alerts go to the lead director.",
            )
        )
    if user.has_perm("procurement.manage_notifications"):
        failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
        items.append(
            AttentionItem(
                "Notifications that failed to send",
                failed,
                f"{reverse('alerts:notifications')}?status=failed",
                "They are tried again with growing waits; check the mail server if they persist.",
            )
        )
    return items
