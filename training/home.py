"""What training puts among the things waiting for a person on their home page: their own
mandatory courses overdue or due soon (a fixed number of queries)."""

from django.urls import reverse
from django.utils import timezone

from procurement.attention import AttentionItem

from .selectors import Status, mandatory_standings


def training_needing_attention(*, user) -> list[AttentionItem]:
    """A mandatory course the person has not taken, has let lapse or must soon take again is
    waiting for them, as an approval is."""
    if not user.has_perm("procurement.use_service"):
        return []
    own = mandatory_standings(on=timezone.localdate(), person=user)
    overdue = sum(1 for standing in own if standing.status in Status.OVERDUE)
    due = len(own) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{due} due soon" if due else ""]
    return [
        AttentionItem(
            "Your mandatory training to attend",
            len(own),
            reverse("training:mine"),
            f"{', '.join(p for p in parts if p).capitalize()}: ask the central team to book "
            "you onto the next course and record your attendance.",
        )
    ]
