"""The home pages' counts of the register, read from the figures kept with the dashboard's
(reporting/summary.py): two queries, whatever the register's size. The items' words and links
are the apps' own (contracts/home.py, performance/home.py)."""

from django.utils import timezone

from contracts.home import managed_items, named_officer_gap_items
from performance.home import overdue_review_items
from procurement.attention import AttentionItem

from .summary import home_counts


def register_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("procurement.use_service"):
        return []
    counts = home_counts(user=user, today=timezone.localdate())
    items = []
    if user.has_perm("contracts.view_register"):
        items += managed_items(expiring=counts.expiring, expired=counts.expired)
        items += named_officer_gap_items(
            no_manager=counts.no_manager, no_lead_director=counts.no_lead_director
        )
    return items + overdue_review_items(
        user=user, mine=counts.overdue_reviews, council=counts.overdue_reviews_council
    )
