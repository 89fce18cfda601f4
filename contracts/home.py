"""What the register puts on a person's home page."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from procurement.attention import AttentionItem
from procurement.thresholds import NAMED_OFFICERS_ABOVE, pounds

from .lead_times import add_months, bands
from .models import Contract
from .selectors import contracts_with_status, named_officer_gaps


def contracts_needing_attention(*, user) -> list[AttentionItem]:
    """Contracts the person manages that are expiring or running past their end (two queries)."""
    if not user.has_perm("contracts.view_register"):
        return []
    today = timezone.localdate()
    # Expiring or past their end, a contract ends by the longest lead time of any band: only
    # those are read, by the end date's index, not every contract the person manages.
    horizon = add_months(today, max(band.longest for band in bands()))
    counts = (
        contracts_with_status(today=today)
        .filter(contract_manager=user, end_date__lte=horizon)
        .aggregate(
            expiring=Count("pk", filter=Q(status=Contract.Status.EXPIRING)),
            expired=Count("pk", filter=Q(status=Contract.Status.EXPIRED)),
        )
    )
    register = reverse("contracts:register")
    return [
        AttentionItem(
            "Contracts you manage that are expiring",
            counts["expiring"],
            f"{register}?status=expiring&mine=on",
            "Plan the re-procurement, propose an extension, or record that they will end.",
        ),
        AttentionItem(
            "Contracts you manage that are past their end date",
            counts["expired"],
            f"{register}?status=expired&mine=on",
            "Record the extension or termination, or the contract that replaced them.",
        ),
    ]


def named_officer_gaps_needing_attention(*, user) -> list[AttentionItem]:
    """Contracts over £50,000 without a named contract manager or lead director, for the
    business partner of their directorate to have filled (legacy gaps the import let in)."""
    if not user.has_perm("contracts.view_register"):
        return []
    gaps = named_officer_gaps(user=user, today=timezone.localdate())
    register = reverse("contracts:register")
    over = f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} in your directorates"
    return [
        AttentionItem(
            f"{over} with no contract manager",
            gaps["no_manager"],
            f"{register}?problem=over_50k_no_manager&partner=on",
            "As business partner, have the directorate name one for each.",
        ),
        AttentionItem(
            f"{over} with no lead director",
            gaps["no_lead_director"],
            f"{register}?problem=over_50k_no_lead_director&partner=on",
            "As business partner, have the directorate name one for each.",
        ),
    ]
