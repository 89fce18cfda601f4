from django import template

from performance.models import PerformanceReview, Rag
from performance.panels import contract_section

register = template.Library()

RAG_COLOURS = {Rag.GREEN: "green", Rag.AMBER: "yellow", Rag.RED: "red"}
RATING_COLOURS = {
    PerformanceReview.Rating.GOOD: "green",
    PerformanceReview.Rating.APPROACHING: "turquoise",
    PerformanceReview.Rating.REQUIRES_IMPROVEMENT: "orange",
    PerformanceReview.Rating.INADEQUATE: "red",
    PerformanceReview.Rating.OTHER: "grey",
}


@register.inclusion_tag("contracts/_status_tag.html")
def rag(value: str):
    """A green, amber or red tag, labelled in words (never by colour alone)."""
    if not value:
        return {"colour": "grey", "label": "No return"}
    return {"colour": RAG_COLOURS[value], "label": Rag(value).label}


@register.inclusion_tag("contracts/_status_tag.html")
def rating(value: str, other: str = ""):
    """A performance review's rating as a tag."""
    if not value:
        return {"colour": "grey", "label": "Not yet reviewed"}
    label = PerformanceReview.Rating(value).label
    if value == PerformanceReview.Rating.OTHER and other:
        label = f"Other: {other}"
    return {"colour": RATING_COLOURS[value], "label": label}


@register.inclusion_tag("performance/_panel.html", takes_context=True)
def performance_panel(context, contract):
    """A contract's performance at a glance, for its register page and Gateway 3 reports."""
    return contract_section(request=context["request"], contract=contract)
