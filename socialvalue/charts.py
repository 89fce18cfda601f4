"""Charts of social value shared by the portfolio page, the dashboard and the annual report."""

from django.utils.text import Truncator

from procurement.charts import Bar, BarChart
from procurement.numbers import money

from .selectors import GROUPINGS, PortfolioGroup


def short(text: str) -> str:
    return Truncator(text).chars(70)


def value_chart(groups: list[PortfolioGroup], by: str) -> BarChart | None:
    """£ committed against £ delivered for each group that has a £ value (None if none has)."""
    valued = [g for g in groups if g.committed_value is not None or g.delivered_value is not None]
    if not valued:
        return None
    return BarChart(
        title=f"£ value committed and delivered, by {GROUPINGS[by][0].lower()}",
        series=("Committed", "Delivered"),
        bars=[
            Bar(
                label=short(group.label),
                values=(group.committed_value, group.delivered_value),
                texts=(money(group.committed_value or 0, 0), money(group.delivered_value or 0, 0)),
            )
            for group in valued
        ],
    )
