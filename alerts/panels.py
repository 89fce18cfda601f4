"""What alerts add to other apps' pages (procurement/panels.py)."""

from django.http import HttpRequest
from django.utils import timezone

from contracts.lead_times import bands
from contracts.models import Contract

from .home import HOME_ALERTS_SHOWN
from .selectors import notifications_about, open_renewal_alerts_first, renewal_position


def contract_section(*, request: HttpRequest, contract: Contract) -> dict:
    """The contract's renewal position, what to do next, and every alert sent about it."""
    user = request.user
    today = timezone.localdate()
    sent, sent_count = notifications_about(contract)
    return {
        "contract": contract,
        "today": today,
        "position": renewal_position(contract, in_force=bands()),
        "sent": sent,
        "sent_count": sent_count,
        "can_change": user.has_perm("contracts.change_contract", contract),
        "can_reprocure": user.has_perm("gateways.add_project"),
        "running": contract.terminated_on is None
        and (contract.end_date is None or contract.end_date >= today),
        "viewer": user,
        "show_links": user.has_perm("procurement.view_notifications"),
    }


def home_panel(*, request: HttpRequest) -> dict:
    """The person's open renewal alerts, soonest end first, on their home page."""
    alerts, total = open_renewal_alerts_first(
        user=request.user, today=timezone.localdate(), shown=HOME_ALERTS_SHOWN
    )
    return {"open_alerts": alerts, "more": total - HOME_ALERTS_SHOWN}
