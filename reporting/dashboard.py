"""The Lead Members' dashboard: every figure from ``reporting.selectors`` (a fixed number of
queries whatever the register's size), each with the link to the list behind it and each chart
with a table of the same figures."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from maturity.selectors import assessment_results
from performance.models import PerformanceReview
from procurement.charts import Bar, BarChart
from procurement.models import ContractCategory, Directorate
from procurement.numbers import count
from procurement.templatetags.govuk import money
from socialvalue.charts import short, value_chart
from socialvalue.selectors import PortfolioFilters, social_value_portfolio

from .charts import maturity_chart
from .forms import NO_CATEGORY
from .selectors import (
    CONTRACT_CONDITIONS,
    FIGURES,
    KEY_RATINGS,
    PROJECT_CONDITIONS,
    REVIEW_CONDITIONS,
    ContractFigures,
    Scope,
    contract_figures,
    exceptions_count,
    figure_url,
    forward_plan_next,
    key_rating_counts,
    maturity_assessment,
    project_counts,
    review_counts,
    savings_totals,
    share,
)


@dataclass(frozen=True)
class Tile:
    """A figure as the dashboard shows it: its label, the number, a line of detail, the list."""

    key: str
    label: str
    number: str
    detail: str = ""
    url: str = ""


@dataclass
class GroupRow:
    label: str
    number: int
    value: Decimal
    url: str


@dataclass
class Dashboard:
    scope: Scope
    tiles: dict[str, Tile] = field(default_factory=dict)
    by_directorate: list[GroupRow] = field(default_factory=list)
    by_category: list[GroupRow] = field(default_factory=list)
    charts: dict[str, BarChart | None] = field(default_factory=dict)
    ratings: list[Tile] = field(default_factory=list)
    forward_plan: list = field(default_factory=list)
    social_value: list = field(default_factory=list)
    social_value_url: str = ""
    maturity: object = None
    figures: dict = field(default_factory=dict)


def _value_chart(title: str, rows: list[GroupRow]) -> BarChart:
    return BarChart(
        title=title,
        series=("Whole-life value",),
        bars=[Bar(short(r.label), (r.value,), (money(r.value, 0),)) for r in rows],
    )


def _group_rows(scope: Scope, figures: ContractFigures, field_name: str) -> list[GroupRow]:
    model = Directorate if field_name == "directorate" else ContractCategory
    rows = figures.running_by(field_name)
    names = model.objects.in_bulk([group for group, _, _ in rows if group])
    found = []
    for group, number, value in rows:
        found.append(
            GroupRow(
                label=names[group].name if group else "No category",
                number=number,
                value=value,
                url=figure_url("running", scope, **{field_name: group or NO_CATEGORY}),
            )
        )
    return found


def _tile(key: str, scope: Scope, number: int, detail: str = "") -> Tile:
    return Tile(key, FIGURES[key].label, count(number), detail, figure_url(key, scope))


def _percent(part, whole) -> str:
    found = share(part, whole)
    return "none to count" if found is None else f"{found}%"


def dashboard(scope: Scope) -> Dashboard:
    """Everything the dashboard shows for ``scope``."""
    board = Dashboard(scope=scope)
    grouped = contract_figures(scope)
    contracts = grouped.totals
    reviews = review_counts(scope)
    projects = project_counts(scope)
    tiles = board.tiles
    for key in CONTRACT_CONDITIONS:
        tiles[key] = _tile(key, scope, contracts[key]["count"])
    for key in REVIEW_CONDITIONS:
        tiles[key] = _tile(key, scope, reviews[key])
    for key in PROJECT_CONDITIONS:
        tiles[key] = _tile(key, scope, projects[key]["count"])
    running = contracts["running"]
    tiles["running"] = _tile(
        "running",
        scope,
        running["count"],
        f"{money(running['value'], 0)} whole-life, {money(running['annual'], 0)} a year",
    )
    tiles["forward_plan"] = _tile(
        "forward_plan",
        scope,
        projects["forward_plan"]["count"],
        f"{money(projects['forward_plan']['value'], 0)} estimated",
    )
    for key in ("sme", "vcse"):
        tiles[key] = _tile(
            key,
            scope,
            contracts[key]["count"],
            f"{_percent(contracts[key]['annual'], running['annual'])} of the annual value "
            f"({money(contracts[key]['annual'], 0)} of {money(running['annual'], 0)} a year)",
        )
    awarded = contracts["awarded"]
    for key in ("awarded_sme", "awarded_vcse"):
        tiles[key] = _tile(
            key,
            scope,
            contracts[key]["count"],
            f"{_percent(contracts[key]['count'], awarded['count'])} of the contracts starting, "
            f"{_percent(contracts[key]['value'], awarded['value'])} of their value",
        )
    tiles["exceptions"] = _tile("open_exceptions", scope, exceptions_count(scope))
    savings = savings_totals(scope)
    tiles["savings"] = _tile(
        "savings",
        scope,
        savings["contracts"],
        f"{money(savings['total'], 0)} delivered ({money(savings['cashable'], 0)} cashable, "
        f"{money(savings['non_cashable'], 0)} non-cashable)",
    )
    planned = contracts["planned_savings"]
    tiles["planned_savings"] = _tile(
        "planned_savings",
        scope,
        planned["count"],
        f"{money(planned['savings'], 0)} planned over their life, "
        f"{money(savings['delivered_on_planned'], 0)} delivered on them to the end of the year",
    )
    ratings = key_rating_counts(scope)
    board.ratings = [_tile(f"key_{rating}", scope, ratings[rating]) for rating in KEY_RATINGS]
    board.charts["ratings"] = BarChart(
        title="Key contracts running, by their latest performance rating",
        series=("Key contracts",),
        bars=[
            Bar(_rating_name(rating), (Decimal(ratings[rating]),), (count(ratings[rating]),))
            for rating in KEY_RATINGS
        ],
    )
    board.by_directorate = _group_rows(scope, grouped, "directorate")
    board.by_category = _group_rows(scope, grouped, "category")
    board.charts["directorate"] = _value_chart(
        "Whole-life value of running contracts, by directorate", board.by_directorate
    )
    board.charts["category"] = _value_chart(
        "Whole-life value of running contracts, by category", board.by_category
    )
    board.forward_plan = forward_plan_next(scope)
    groups = social_value_portfolio(
        filters=PortfolioFilters(year=scope.year, directorate_id=scope.directorate_id), by="theme"
    )
    board.social_value = groups
    board.charts["social_value"] = value_chart(groups, "theme")
    committed = sum((g.committed_value or 0 for g in groups), Decimal("0"))
    delivered = sum((g.delivered_value or 0 for g in groups), Decimal("0"))
    board.figures["social_value"] = {"committed": committed, "delivered": delivered}
    board.social_value_url = _social_value_url(scope)
    assessment = maturity_assessment(scope)
    board.maturity = assessment_results(assessment) if assessment else None
    if board.maturity:
        board.charts["maturity"] = maturity_chart(board.maturity)
    board.figures.update(contracts=contracts, reviews=reviews, projects=projects)
    board.figures.update(savings=savings, ratings=ratings)
    return board


def _rating_name(rating: str) -> str:
    return "Not yet reviewed" if rating == "none" else PerformanceReview.Rating(rating).label


def _social_value_url(scope: Scope) -> str:
    return f"{reverse('socialvalue:portfolio')}?{scope.query(by='theme')}"
