"""The gateways' part of the home page."""

from django import template

from gateways.selectors import reviews_of_author

register = template.Library()


@register.inclusion_tag("gateways/_your_reports.html", takes_context=True)
def your_gateway_reports(context) -> dict:
    """The signed-in person's own gateway reports, for them to follow."""
    user = context["request"].user
    if not user.has_perm("procurement.use_service"):
        return {"your_reports": {}}
    return {"your_reports": reviews_of_author(user=user)}
