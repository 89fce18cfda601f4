"""Charts the dashboard and the annual report share, and the plain form a stored report keeps
them in (a version's charts are redrawn from its stored figures)."""

from decimal import Decimal

from maturity.selectors import Results
from procurement.charts import Bar, BarChart
from procurement.numbers import count, money

from .selectors import PlanThemeLine, SocialValue


def maturity_chart(results: Results) -> BarChart:
    """Each theme's current level against its target (1 to 5)."""
    return BarChart(
        title=f"Maturity by theme: {results.assessment.name}",
        series=("Current", "Target"),
        maximum=Decimal("5"),
        bars=[
            Bar(
                # Whole: the chart's table shows the same labels, and a name is never cut.
                f"{theme.theme.number}. {theme.theme.name}",
                (theme.current, theme.target),
                (level(theme.current), level(theme.target)),
            )
            for theme in results.themes
        ],
    )


def theme_value_chart(social_value: SocialValue) -> BarChart | None:
    """£ committed against £ delivered for each theme that has a £ value (None if none has),
    each theme named in full."""
    valued = [
        t
        for t in social_value.themes
        if t.committed_value is not None or t.delivered_value is not None
    ]
    if not valued:
        return None
    return BarChart(
        title="£ value committed and delivered, by theme",
        series=("Committed", "Delivered"),
        bars=[
            Bar(
                label=theme.label,
                values=(theme.committed_value, theme.delivered_value),
                texts=(money(theme.committed_value or 0, 0), money(theme.delivered_value or 0, 0)),
            )
            for theme in valued
        ],
    )


def plan_themes_chart(lines: list[PlanThemeLine]) -> BarChart | None:
    """For each Council Plan theme, the procurements addressing it, the awards committing to it
    and the reviews recording delivery against it (None where nothing is counted)."""
    if not any(line.has_figures for line in lines):
        return None
    return BarChart(
        title="Council Plan themes: procurements, awards and reviews of delivery",
        series=("Strategies approved", "Awards approved", "Reviews recording delivery"),
        bars=[
            Bar(
                label=line.theme,
                values=tuple(Decimal(n) for n in (line.strategies, line.awards, line.reviews)),
                texts=(count(line.strategies), count(line.awards), count(line.reviews)),
            )
            for line in lines
        ],
    )


def level(value) -> str:
    return "none" if value is None else f"{value:.1f}"


def chart_data(chart: BarChart | None) -> dict | None:
    """A chart as plain data, to store with a report's figures."""
    if chart is None:
        return None
    return {
        "title": chart.title,
        "series": list(chart.series),
        "bars": [
            {
                "label": bar.label,
                "values": [None if v is None else str(v) for v in bar.values],
                "texts": list(bar.texts),
            }
            for bar in chart.bars
        ],
        "maximum": None if chart.maximum is None else str(chart.maximum),
    }


def chart_from(data: dict) -> BarChart:
    """A stored chart, to draw."""
    return BarChart(
        title=data["title"],
        series=tuple(data["series"]),
        maximum=Decimal(data["maximum"]) if data.get("maximum") else None,
        bars=[
            Bar(
                bar["label"],
                tuple(None if v is None else Decimal(v) for v in bar["values"]),
                tuple(bar["texts"]),
            )
            for bar in data["bars"]
        ],
    )
