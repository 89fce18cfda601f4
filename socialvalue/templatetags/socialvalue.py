from django import template

from procurement.numbers import count, money
from socialvalue.models import DeliveryReturn

register = template.Library()

STATUS_COLOURS = {
    "delivered": "green",
    "on_track": "turquoise",
    "behind": "orange",
    "missed": "red",
}
RETURN_COLOURS = {
    DeliveryReturn.Status.AWAITING: "blue",
    DeliveryReturn.Status.VERIFIED: "green",
    DeliveryReturn.Status.QUERIED: "orange",
}


@register.filter
def output(quantity, measure) -> str:
    """A raw output in its unit: "1,200 hours", or "£35,000" for an output counted in pounds."""
    if quantity is None or quantity == "":
        return ""
    if measure.is_money:
        return money(quantity, 0 if quantity == int(quantity) else 2)
    return f"{count(quantity)} {measure.unit}"


@register.inclusion_tag("contracts/_status_tag.html")
def delivery_status(position):
    """Whether a commitment is delivered, on track, behind or missed, in words."""
    return {"colour": STATUS_COLOURS[position.status], "label": position.status_label}


@register.inclusion_tag("contracts/_status_tag.html")
def return_status(delivery_return):
    return {
        "colour": RETURN_COLOURS[delivery_return.status],
        "label": delivery_return.get_status_display(),
    }
