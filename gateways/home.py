"""What the gateways put on a person's home page."""

from django.urls import reverse

from procurement.attention import AttentionItem

from .models import Evaluator
from .selectors import reviews_awaiting


def gateways_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    waiting = reviews_awaiting(user=user)
    declarations = list(
        Evaluator.objects.filter(user=user, declaration=Evaluator.Declaration.PENDING)
        .order_by("pk")
        .values_list("project_id", flat=True)
    )
    return [
        AttentionItem(
            "Gateway reports awaiting your decision",
            len(waiting),
            reverse("gateways:awaiting"),
            "Review, comment on or decide the reports at your step, oldest first.",
        ),
        AttentionItem(
            "Conflict of interest declarations to make",
            len(declarations),
            reverse("gateways:declaration", args=[declarations[0]]) if declarations else "",
            "You are named on an evaluation panel: declare any conflict before seeing the bids.",
        ),
    ]
