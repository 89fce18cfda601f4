"""What spend adds to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest
from django.utils import timezone

from contracts.models import Contract

from .selectors.contract import contract_spend


def contract_section(*, request: HttpRequest, contract: Contract) -> dict:
    """A contract's payments at a glance, for its register page's Spend section."""
    return {"contract": contract, "spend": contract_spend(contract, today=timezone.localdate())}
