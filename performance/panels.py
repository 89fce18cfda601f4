"""What performance adds to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest
from django.utils import timezone

from contracts.models import Contract

from .selectors import performance_summary


def contract_section(*, request: HttpRequest, contract: Contract) -> dict:
    """A contract's performance at a glance, for its register page and Gateway 3 reports."""
    today = timezone.localdate()
    return {
        "contract": contract,
        "summary": performance_summary(contract, today),
        "can_view": request.user.has_perm("performance.view_contract", contract),
        "today": today,
    }
