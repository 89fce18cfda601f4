"""What performance adds to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import contract_plans, key_words

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


def plans_context(*, request: HttpRequest, contract: Contract, today) -> dict:
    """A contract's continuity and exit plans, for its register and performance pages (three
    queries at most)."""
    user = request.user
    can_view = user.has_perm("contracts.view_supplier_resilience", contract.supplier)
    return {
        "contract": contract,
        "plans": contract_plans(contract, today=today) if can_view else None,
        "can_view": can_view,
        "may_plan": can_view and user.has_perm("contracts.record_contract_plan", contract),
        "key_words": key_words(),
        "today": today,
    }


def plans_section(*, request: HttpRequest, contract: Contract) -> dict:
    """The plans section of a contract's register page."""
    return plans_context(request=request, contract=contract, today=timezone.localdate())
