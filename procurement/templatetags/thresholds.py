"""The figures in ``procurement/thresholds.py`` as a page prints them, so that no template writes
one: ``{% threshold "KPIS_ABOVE" %}`` is £5,000,000, with ``"short"`` £5m, with ``"words"``
£5 million; a figure that is not money (``"KPIS_REQUIRED"``, a percentage) prints as a number."""

from decimal import Decimal

from django import template

from procurement import thresholds

register = template.Library()

STYLES = {
    "full": thresholds.pounds,
    "short": thresholds.pounds_short,
    "words": thresholds.pounds_words,
}


@register.simple_tag
def threshold(name: str, style: str = "full") -> str:
    """A figure from ``procurement/thresholds.py`` by its name; money (a name ending ``_ABOVE``)
    in pounds, in the style asked for."""
    if not name.isupper() or not hasattr(thresholds, name):
        raise template.TemplateSyntaxError(f"No threshold is called {name!r}")
    if style not in STYLES:
        raise template.TemplateSyntaxError(f"Write a threshold full, short or words, not {style!r}")
    value = getattr(thresholds, name)
    if name.endswith("_ABOVE"):
        return STYLES[style](value)
    return f"{Decimal(value).normalize():f}"
