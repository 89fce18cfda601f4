"""What the self-assessment puts on a person's home page (a fixed number of queries)."""

from django.urls import reverse
from django.utils import timezone

from procurement.attention import AttentionItem
from procurement.dates import long_date

from .selectors import NOT_DELIVERED, actions_owned, assessments_to_score


def maturity_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("maturity.view_maturity"):
        return []
    items = []
    for participant in assessments_to_score(user=user):
        left = participant.behaviour_count - participant.scored
        if left <= 0:
            continue
        assessment = participant.assessment
        due = f" by {long_date(assessment.score_by)}" if assessment.score_by else ""
        items.append(
            AttentionItem(
                f"Behaviours to score in {assessment}",
                left,
                reverse("maturity:score_list", args=[assessment.pk]),
                f"Score each behaviour at the council's current level, with evidence{due}.",
            )
        )
    today = timezone.localdate()
    by_plan: dict[int, list] = {}
    for item in actions_owned(user=user):
        by_plan.setdefault(item.plan_id, []).append(item)
    for plan_id, owned in by_plan.items():
        overdue = sum(1 for item in owned if item.is_overdue(today))
        items.append(
            AttentionItem(
                f"Improvement actions you own in {owned[0].plan}",
                len(owned),
                reverse("maturity:plan", args=[plan_id])
                + f"?owner={user.pk}&status={NOT_DELIVERED}",
                f"{overdue} overdue. Record progress on each as it happens.",
            )
        )
    return items
