"""What the register puts on a person's home page."""

from django.urls import reverse

from procurement.attention import AttentionItem
from procurement.thresholds import NAMED_OFFICERS_ABOVE, pounds


def managed_items(*, expiring: int, expired: int) -> list[AttentionItem]:
    """Contracts the person manages that are expiring or running past their end (counted from
    the kept figures: reporting/home.py)."""
    register = reverse("contracts:register")
    return [
        AttentionItem(
            "Contracts you manage that are expiring",
            expiring,
            f"{register}?status=expiring&mine=on",
            "Plan the re-procurement, propose an extension, or record that they will end.",
        ),
        AttentionItem(
            "Contracts you manage that are past their end date",
            expired,
            f"{register}?status=expired&mine=on",
            "Record the extension or termination, or the contract that replaced them.",
        ),
    ]


def named_officer_gap_items(*, no_manager: int, no_lead_director: int) -> list[AttentionItem]:
    """Contracts over £50,000 without a named contract manager or lead director, for the
    business partner of their directorate to have filled (legacy gaps the import let in)."""
    register = reverse("contracts:register")
    over = f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} in your directorates"
    return [
        AttentionItem(
            f"{over} with no contract manager",
            no_manager,
            f"{register}?problem=over_50k_no_manager&partner=on",
            "As business partner, have the directorate name one for each.",
        ),
        AttentionItem(
            f"{over} with no lead director",
            no_lead_director,
            f"{register}?problem=over_50k_no_lead_director&partner=on",
            "As business partner, have the directorate name one for each.",
        ),
    ]
