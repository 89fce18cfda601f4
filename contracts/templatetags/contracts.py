from django import template
from django.urls import reverse
from django.utils import formats

from contracts.forms import REGISTER_QUERY
from contracts.models import Contract

register = template.Library()

STATUS_COLOURS = {
    Contract.Status.NOT_STARTED: "grey",
    Contract.Status.ACTIVE: "green",
    Contract.Status.EXPIRING: "orange",
    Contract.Status.EXPIRED: "red",
    Contract.Status.EXTENDED: "blue",
    Contract.Status.TERMINATED: "grey",
}


@register.inclusion_tag("contracts/_status_tag.html")
def contract_status(status: str) -> dict:
    return {"label": Contract.Status(status).label, "colour": STATUS_COLOURS[status]}


@register.filter
def end_date_or_ongoing(contract: Contract) -> str:
    """Where an end date is shown: the date, or for a rolling contract "Ongoing" with its next
    review date."""
    if contract.end_date is not None:
        return formats.date_format(contract.end_date, "SHORT_DATE_FORMAT")
    if contract.review_date is None:
        return "Ongoing (no review date)"
    return f"Ongoing (review due {formats.date_format(contract.review_date, 'SHORT_DATE_FORMAT')})"


@register.filter
def date_or_ongoing(value) -> str:
    """An event's end date, or "Ongoing" where the contract had none."""
    return "Ongoing" if value is None else formats.date_format(value, "SHORT_DATE_FORMAT")


@register.simple_tag(takes_context=True)
def register_url(context) -> str:
    """The register as the visitor last searched it: its breadcrumb and back links lead there."""
    url = reverse("contracts:register")
    request = context.get("request")
    session = getattr(request, "session", None)
    query = session.get(REGISTER_QUERY, "") if session is not None else ""
    return f"{url}?{query}" if query else url
