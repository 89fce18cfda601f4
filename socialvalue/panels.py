"""What social value adds to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest
from django.utils import timezone

from contracts.models import Contract

from .selectors import contract_plan, plan_summary


def contract_section(*, request: HttpRequest, contract: Contract) -> dict:
    """A contract's social value plan at a glance, for its register page."""
    positions = contract_plan(contract, timezone.localdate())
    return {"contract": contract, "positions": positions, "summary": plan_summary(positions)}
