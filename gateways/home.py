"""What the gateways put on a person's home page."""

from django.urls import reverse

from procurement.attention import AttentionItem
from procurement.roles import Role

from .models import Evaluator
from .selectors import reviews_awaiting, reviews_stuck


def gateways_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    waiting = reviews_awaiting(user=user)
    declarations = list(
        Evaluator.objects.filter(user=user, declaration=Evaluator.Declaration.PENDING)
        .order_by("pk")
        .values_list("project_id", flat=True)
    )
    stuck = reviews_stuck() if Role.HEAD_OF_PROCUREMENT in user.roles else []
    return [
        AttentionItem(
            "Gateway reports nobody can decide",
            len(stuck),
            reverse("gateways:awaiting") + "#stuck",
            "No one in scope holds the role their step needs: appoint someone or delegate.",
        ),
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
