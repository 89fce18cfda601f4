"""What quarterly assurance puts on a person's home page: the reports waiting for their step."""

from django.urls import reverse

from procurement.attention import AttentionItem

from .selectors import reports_waiting_for


def assurance_needing_attention(*, user) -> list[AttentionItem]:
    if not user.has_perm("assurance.view_reports"):
        return []
    waiting = reports_waiting_for(user)
    return [
        AttentionItem(
            "Quarterly performance reports waiting for you",
            len(waiting),
            reverse("assurance:list") + "?waiting",
            "Submit, answer, challenge or sign the quarter's report, as your role does.",
        )
    ]
