"""What social value puts on a person's home page (a fixed number of queries)."""

from django.urls import reverse

from procurement.attention import AttentionItem

from .selectors import returns_awaiting_verification, returns_queried


def social_value_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("socialvalue.view_social_value"):
        return []
    mine = reverse("socialvalue:mine")
    return [
        AttentionItem(
            "Social value returns awaiting your verification",
            returns_awaiting_verification(user=user).count(),
            f"{mine}#awaiting",
            "Check each supplier's evidence, then verify or query it.",
        ),
        AttentionItem(
            "Social value returns queried",
            returns_queried(user=user).count(),
            f"{mine}#queried",
            "Returns you recorded that the contract manager has queried: correct them.",
        ),
    ]
