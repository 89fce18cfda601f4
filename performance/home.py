"""What contract management puts on a person's home page (a fixed number of queries).

Each count is the number of rows its link's list shows: the same selector reads both.
"""

from django.urls import reverse
from django.utils import timezone

from procurement.attention import AttentionItem

from .selectors import (
    PortfolioFilters,
    contracts_of,
    exceptions_of,
    portfolio,
    with_late_returns,
)


def overdue_review_items(*, user, mine: int, council: int) -> list[AttentionItem]:
    """Running contracts whose performance review is overdue: those ``user`` manages or leads,
    and across the council for those who see the portfolio (counted from the kept figures:
    reporting/home.py)."""
    items = [
        AttentionItem(
            "Performance reviews overdue on your contracts",
            mine,
            f"{reverse('performance:mine')}?overdue=on",
            "Hold the review, record its rating and actions, and schedule the next one.",
        )
    ]
    if user.has_perm("performance.view_portfolio"):
        items.append(
            AttentionItem(
                "Performance reviews overdue across the council",
                council,
                f"{reverse('performance:portfolio')}?overdue=on",
                "Running contracts whose scheduled review has passed without one recorded.",
            )
        )
    return items


def performance_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    today = timezone.localdate()
    mine = reverse("performance:mine")
    portfolio_url = reverse("performance:portfolio")
    yours = contracts_of(user=user, today=today)
    items = [
        AttentionItem(
            "Your contracts with KPI returns late",
            with_late_returns(yours, today=today).count(),
            f"{mine}?late=on",
            "Record each period's value: a return is due a month after its period ends.",
        ),
        AttentionItem(
            "Open performance exceptions on your contracts or for you",
            exceptions_of(user=user).count(),
            f"{mine}#exceptions",
            "Under-performance: the provider's explanation and remedial plan, then closure.",
        ),
    ]
    if user.has_perm("performance.view_portfolio"):
        items.append(
            AttentionItem(
                "Running contracts with open performance exceptions",
                portfolio(today=today, filters=PortfolioFilters(open_exceptions=True)).count(),
                f"{portfolio_url}?exceptions=on",
                "Exceptions awaiting the provider's response or closure.",
            )
        )
    return items
