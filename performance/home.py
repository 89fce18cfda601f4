"""What contract management puts on a person's home page (a fixed number of queries)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from procurement.attention import AttentionItem

from .models import PerformanceException
from .selectors import late_returns_by_contract, overdue_condition


def performance_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    today = timezone.localdate()
    mine = reverse("performance:mine")
    portfolio = reverse("performance:portfolio")
    managed = Contract.objects.filter(contract_manager=user)
    overdue = Contract.objects.filter(overdue_condition(today=today)).aggregate(
        mine=Count("pk", filter=Q(contract_manager=user)), every=Count("pk")
    )
    late = sum(late_returns_by_contract(managed.values_list("pk", flat=True), today).values())
    exceptions = PerformanceException.objects.exclude(
        status=PerformanceException.Status.CLOSED
    ).aggregate(yours=Count("pk", filter=Q(accountable_officer=user)), every=Count("pk"))
    items = [
        AttentionItem(
            "Performance reviews overdue on contracts you manage",
            overdue["mine"],
            f"{mine}?overdue=on",
            "Hold the review, record its rating and actions, and schedule the next one.",
        ),
        AttentionItem(
            "KPI returns late on contracts you manage",
            late,
            mine,
            "Record each period's value: a return is due a month after its period ends.",
        ),
        AttentionItem(
            "Performance exceptions you are accountable for",
            exceptions["yours"],
            f"{mine}#exceptions",
            "Under-performance on your contracts: the provider's explanation and remedial plan.",
        ),
    ]
    if user.has_perm("performance.view_portfolio"):
        items += [
            AttentionItem(
                "Performance reviews overdue across the council",
                overdue["every"],
                f"{portfolio}?overdue=on",
                "Running contracts whose scheduled review has passed without one recorded.",
            ),
            AttentionItem(
                "Open performance exceptions",
                exceptions["every"],
                f"{portfolio}?exceptions=on",
                "Exceptions awaiting the provider's response or closure.",
            ),
        ]
    return items
