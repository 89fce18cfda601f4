from django import template
from django.utils import timezone

from alerts.selectors import (
    Category,
    months_of_key,
    months_phrase,
    notifications_about,
    open_renewal_alerts,
    renewal_position,
)
from contracts.lead_times import bands
from procurement.notifications import is_interrupted

register = template.Library()

HOME_ALERTS_SHOWN = 5


@register.inclusion_tag("alerts/_status_tag.html")
def notification_status(notification):
    return {"notification": notification, "interrupted": is_interrupted(notification)}


@register.filter(name="months_phrase")
def months_phrase_filter(months: int) -> str:
    return months_phrase(months)


@register.filter
def lead_time_of_key(key: str) -> str:
    """The lead time a renewal alert's key names: "6m:2027-06-30" (or a rolling contract's
    "6m:review:2027-06-30") is "6 months"."""
    months = months_of_key(key)
    return months_phrase(months) if months is not None else key


@register.filter
def escalation_label(category: str) -> str:
    return Category.LABELS.get(category, category)


@register.inclusion_tag("alerts/_contract_panel.html", takes_context=True)
def contract_alerts(context, contract):
    """The contract's renewal position, what to do next, and every alert sent about it."""
    user = context["request"].user
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


@register.inclusion_tag("alerts/_home.html", takes_context=True)
def home_alerts(context):
    """The person's open renewal alerts, soonest end first, on their home page."""
    user = context["request"].user
    alerts = open_renewal_alerts(user=user, today=timezone.localdate())
    return {"open_alerts": alerts[:HOME_ALERTS_SHOWN], "more": len(alerts) - HOME_ALERTS_SHOWN}
