from django import template

from contracts.lead_times import bands
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


@register.inclusion_tag("contracts/_renewal_bands.html")
def renewal_bands() -> dict:
    """The value bands in force and the months before a contract's end that its alerts go."""
    return {"bands": bands()}
