"""What the gateways put on a person's home page."""

from django.urls import reverse

from procurement.attention import AttentionItem

from .selectors import reviews_awaiting


def gateways_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    waiting = reviews_awaiting(user=user)
    return [
        AttentionItem(
            "Gateway reports awaiting your decision",
            len(waiting),
            reverse("gateways:awaiting"),
            "Review, comment on or decide the reports at your step, oldest first.",
        )
    ]
