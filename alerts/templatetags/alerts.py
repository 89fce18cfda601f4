from django import template

from alerts.selectors import Category, months_of_key, months_phrase
from procurement.notifications import is_interrupted

register = template.Library()


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
