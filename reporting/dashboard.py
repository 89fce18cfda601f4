"""The Lead Members' dashboard: a headline of six figures, each against last year, then a
section for each part of the picture on its own page. Every figure comes from
``reporting.selectors`` (a fixed number of queries whatever the register's size), each with the
link to the list behind it and each chart with a table of the same figures. See
docs/decisions/0040-dashboard-headline-and-sections.md.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.urls import reverse

from assurance.selectors import AssuredQuarter, latest_assured, quarters_of_year
from maturity.selectors import Results, assessment_results
from performance.models import PerformanceReview
from procurement.charts import Bar, BarChart
from procurement.models import ContractCategory, Directorate
from procurement.numbers import count, counted, money
from socialvalue.charts import short
from spend.selectors.gaps import SpendTotals, spend_totals, twelve_months_to
from spend.selectors.insight import PaymentPerformance, payment_performance

from .charts import maturity_chart, plan_themes_chart, theme_value_chart
from .forms import NO_CATEGORY
from .selectors import (
    CONTRACT_CONDITIONS,
    FIGURES,
    KEY_RATINGS,
    PROJECT_CONDITIONS,
    REVIEW_CONDITIONS,
    ContractFigures,
    PlanThemeLine,
    Scope,
    SocialValue,
    contract_figures,
    exceptions_count,
    figure_url,
    forward_plan_next,
    key_rating_counts,
    maturity_assessment,
    plan_themes_in_year,
    project_counts,
    review_counts,
    savings_totals,
    share,
    social_value_by_theme,
)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    figures: tuple[str, ...] = ()  # the figures whose lists lead back here


SECTIONS = (
    Section("contracts", "Contracted value", ("running", "awarded")),
    Section("forward-plan", "Forward plan", ("forward_plan", "key_decisions", "no_plan")),
    Section("gateways", "Gateways", ("awaiting", "decided", "approved", "rejected")),
    Section(
        "performance",
        "Performance of key contracts",
        ("key", "open_exceptions", "overdue_reviews", *(f"key_{r}" for r in KEY_RATINGS)),
    ),
    Section(
        "compliance",
        "Compliance",
        ("no_manager", "past_end", "direct_awards", "extensions_approved"),
    ),
    Section("social-value", "Social value"),
    Section("plan-themes", "Council Plan themes"),
    Section(
        "suppliers",
        "SMEs and the voluntary sector",
        ("sme", "vcse", "awarded_sme", "awarded_vcse"),
    ),
    Section("savings", "Savings", ("savings", "planned_savings")),
    Section("maturity", "Maturity"),
    Section("spend", "Spend and payments"),
)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}
SECTION_OF_FIGURE = {key: section for section in SECTIONS for key in section.figures}


def section_url(slug: str, scope: Scope) -> str:
    query = scope.query()
    return f"{reverse('reporting:section', args=[slug])}{'?' + query if query else ''}"


def dashboard_url(scope: Scope) -> str:
    query = scope.query()
    return f"{reverse('reporting:dashboard')}{'?' + query if query else ''}"


@dataclass(frozen=True)
class Tile:
    """A figure as the dashboard shows it: its label, the number, a line of detail, the list."""

    key: str
    label: str
    number: str
    detail: str = ""
    url: str = ""
    previous: str = ""  # last year's number, where last year has figures


@dataclass
class GroupRow:
    label: str
    number: int
    value: Decimal
    url: str
    previous_value: Decimal | None = None


@dataclass(frozen=True)
class KeyFigures:
    """The selectors' answers the headline is read from, for one year: the sections read the
    same answers, so a figure is worked out once."""

    scope: Scope
    contracts: ContractFigures
    reviews: dict[str, int]
    savings: dict
    social_value: SocialValue
    maturity: Results | None

    @property
    def maturity_level(self) -> Decimal | None:
        """The mean of the themes' current levels (1 to 5), to one place."""
        if self.maturity is None:
            return None
        levels = [t.current for t in self.maturity.themes if t.current is not None]
        if not levels:
            return None
        return (sum(levels, Decimal("0")) / len(levels)).quantize(Decimal("0.1"))

    @property
    def sme_share(self) -> Decimal | None:
        totals = self.contracts.totals
        return share(totals["sme"]["annual"], totals["running"]["annual"])


def key_figures(scope: Scope) -> KeyFigures:
    """The figures of the headline for ``scope`` (a fixed number of queries)."""
    assessment = maturity_assessment(scope)
    return KeyFigures(
        scope=scope,
        contracts=contract_figures(scope),
        reviews=review_counts(scope),
        savings=savings_totals(scope),
        social_value=social_value_by_theme(scope),
        maturity=assessment_results(assessment) if assessment else None,
    )


@dataclass(frozen=True)
class Headline:
    """A headline figure: its label, the figure, last year's, and a sentence saying both."""

    section: str
    label: str
    number: str
    sentence: str
    previous: str = ""
    url: str = ""


def pounds(value: Decimal) -> str:
    """Money as a headline reads it: £2.1m from a million, else to the pound."""
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m".replace("£-", "-£")
    return money(value, 0)


def _money_change(now: Decimal, before: Decimal | None) -> str:
    if before is None:
        return ""
    difference = Decimal(now) - Decimal(before)
    if difference == 0:
        return ", the same as last year"
    more = "more" if difference > 0 else "less"
    return f", {pounds(abs(difference))} {more} than last year"


def _count_change(now: int, before: int | None) -> str:
    if before is None:
        return ""
    if now == before:
        return ", the same as last year"
    return f", {count(abs(now - before))} {'more' if now > before else 'fewer'} than last year"


def _points_change(now: Decimal | None, before: Decimal | None, unit: str) -> str:
    if now is None or before is None:
        return ""
    if now == before:
        return ", the same as last year"
    difference = abs(now - before).normalize()  # 6 points, 1 level, 0.5 levels: no ".0"
    unit = unit.removesuffix("s") if difference == 1 else unit
    return f", {difference:f} {unit} {'higher' if now > before else 'lower'} than last year"


def headline(now: KeyFigures, before: KeyFigures | None) -> list[Headline]:
    """Six figures a councillor reads first, each against last year where last year has
    figures, each with a sentence that says it in words (a zero says so)."""
    scope = now.scope
    on = f"{scope.as_at.day} {scope.as_at:%B %Y}"
    running = now.contracts.totals["running"]
    was = before.contracts.totals["running"] if before else None
    lines = []
    value = running["value"]
    lines.append(
        Headline(
            "contracts",
            "Contracted value running",
            pounds(value),
            (
                f"{counted(running['count'], 'contract')} "
                f"worth {pounds(value)} {'was' if running['count'] == 1 else 'were'} running on "
                f"{on}{_money_change(value, was['value'] if was else None)}."
                if running["count"]
                else f"No contracts were running on {on}."
            ),
            pounds(was["value"]) if was else "",
        )
    )
    saved = now.savings["total"]
    saved_before = before.savings["total"] if before else None
    lines.append(
        Headline(
            "savings",
            "Savings recorded",
            pounds(saved),
            (
                f"{pounds(saved)} of savings were recorded{_money_change(saved, saved_before)}."
                if saved
                else "No savings were recorded this year"
                + (f", against {pounds(saved_before)} last year." if saved_before else ".")
            ),
            pounds(saved_before) if saved_before is not None else "",
        )
    )
    delivered = now.social_value.delivered
    committed = now.social_value.committed
    delivered_before = before.social_value.delivered if before else None
    if delivered:
        part = share(delivered, committed)
        sentence = (
            f"{pounds(delivered)} of social value was delivered and verified"
            + (f", {part}% of the {pounds(committed)} due" if part is not None else "")
            + f"{_money_change(delivered, delivered_before)}."
        )
    elif committed:
        sentence = f"No social value was delivered and verified yet of the {pounds(committed)} due."
    else:
        sentence = "No social value was due or delivered this year."
    lines.append(
        Headline(
            "social-value",
            "Social value delivered",
            pounds(delivered),
            sentence,
            pounds(delivered_before) if delivered_before is not None else "",
        )
    )
    sme = now.sme_share
    sme_before = before.sme_share if before else None
    lines.append(
        Headline(
            "suppliers",
            "Annual value with SMEs",
            "None to count" if sme is None else f"{sme}%",
            (
                f"SMEs hold {sme}% of the annual value of the contracts running on {on}"
                f"{_points_change(sme, sme_before, 'percentage points')}."
                if sme is not None
                else "No contracts with an annual value were running, so there is no share "
                "to count."
            ),
            "" if sme_before is None else f"{sme_before}%",
        )
    )
    reviews = now.reviews
    decided_before = before.reviews["decided"] if before else None
    lines.append(
        Headline(
            "gateways",
            "Gateway reports decided",
            count(reviews["decided"]),
            (
                f"{counted(reviews['decided'], 'gateway report')} "
                f"{'was' if reviews['decided'] == 1 else 'were'} decided: "
                f"{count(reviews['approved'])} approved and {count(reviews['rejected'])} rejected"
                f"{_count_change(reviews['decided'], decided_before)}."
                if reviews["decided"]
                else "No gateway report was decided this year."
            ),
            "" if decided_before is None else count(decided_before),
        )
    )
    level = now.maturity_level
    level_before = before.maturity_level if before else None
    lines.append(
        Headline(
            "maturity",
            "Procurement maturity",
            "Not assessed" if level is None else f"{level} of 5",
            (
                f"The council's self-assessment puts it at {level} of 5 on average across the "
                f"themes{_points_change(level, level_before, 'levels')}."
                if level is not None
                else "No self-assessment has been closed for this year or before."
            ),
            "" if level_before is None else f"{level_before} of 5",
        )
    )
    return [replace(line, url=section_url(line.section, scope)) for line in lines]


@dataclass
class Dashboard:
    scope: Scope
    key: KeyFigures
    tiles: dict[str, Tile] = field(default_factory=dict)
    by_directorate: list[GroupRow] = field(default_factory=list)
    by_category: list[GroupRow] = field(default_factory=list)
    charts: dict[str, BarChart | None] = field(default_factory=dict)
    ratings: list[Tile] = field(default_factory=list)
    forward_plan: list = field(default_factory=list)
    social_value: SocialValue | None = None
    social_value_url: str = ""
    maturity: object = None
    figures: dict = field(default_factory=dict)
    previous: "Dashboard | None" = None

    def compare(self, before: "Dashboard") -> None:
        """Last year's number beside each figure, and last year's values beside each group."""
        self.previous = before
        self.tiles = {
            key: replace(tile, previous=before.tiles[key].number)
            for key, tile in self.tiles.items()
        }
        self.ratings = [
            replace(tile, previous=old.number)
            for tile, old in zip(self.ratings, before.ratings, strict=True)
        ]
        for name in ("by_directorate", "by_category"):
            was = {row.label: row.value for row in getattr(before, name)}
            for row in getattr(self, name):
                row.previous_value = was.get(row.label, Decimal("0"))
        self.charts["directorate"] = _value_chart(
            "Whole-life value of running contracts, by directorate", self.by_directorate
        )
        self.charts["category"] = _value_chart(
            "Whole-life value of running contracts, by category", self.by_category
        )


def _value_chart(title: str, rows: list[GroupRow]) -> BarChart:
    compared = any(r.previous_value is not None for r in rows)
    if not compared:
        return BarChart(
            title=title,
            series=("Whole-life value",),
            bars=[Bar(short(r.label), (r.value,), (money(r.value, 0),)) for r in rows],
        )
    return BarChart(
        title=title,
        series=("This year", "Last year"),
        bars=[
            Bar(
                short(r.label),
                (r.value, r.previous_value),
                (money(r.value, 0), money(r.previous_value, 0)),
            )
            for r in rows
        ],
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


def _or_none(value: Decimal, words: str) -> str:
    return words if not value else money(value, 0)


def dashboard(scope: Scope, key: KeyFigures | None = None) -> Dashboard:
    """Everything the dashboard's sections show for ``scope`` (``key``: its headline figures,
    if worked out already)."""
    key = key or key_figures(scope)
    board = Dashboard(scope=scope, key=key)
    grouped = key.contracts
    contracts = grouped.totals
    reviews = key.reviews
    projects = project_counts(scope)
    tiles = board.tiles
    for name in CONTRACT_CONDITIONS:
        tiles[name] = _tile(name, scope, contracts[name]["count"])
    for name in REVIEW_CONDITIONS:
        tiles[name] = _tile(name, scope, reviews[name])
    for name in PROJECT_CONDITIONS:
        tiles[name] = _tile(name, scope, projects[name]["count"])
    running = contracts["running"]
    tiles["running"] = _tile(
        "running",
        scope,
        running["count"],
        f"{money(running['value'], 0)} whole-life, {money(running['annual'], 0)} a year"
        if running["count"]
        else "No contracts were running.",
    )
    tiles["awarded"] = _tile(
        "awarded",
        scope,
        contracts["awarded"]["count"],
        f"{money(contracts['awarded']['value'], 0)} whole-life"
        if contracts["awarded"]["count"]
        else "No contracts started in the year.",
    )
    tiles["forward_plan"] = _tile(
        "forward_plan",
        scope,
        projects["forward_plan"]["count"],
        f"{money(projects['forward_plan']['value'], 0)} estimated"
        if projects["forward_plan"]["count"]
        else "Nothing is planned to start.",
    )
    for name in ("sme", "vcse"):
        tiles[name] = _tile(
            name,
            scope,
            contracts[name]["count"],
            f"{_percent(contracts[name]['annual'], running['annual'])} of the annual value "
            f"({money(contracts[name]['annual'], 0)} of {money(running['annual'], 0)} a year)"
            if running["annual"]
            else "No contracts with an annual value were running, so there is no share to count.",
        )
    awarded = contracts["awarded"]
    for name in ("awarded_sme", "awarded_vcse"):
        tiles[name] = _tile(
            name,
            scope,
            contracts[name]["count"],
            f"{_percent(contracts[name]['count'], awarded['count'])} of the contracts starting, "
            f"{_percent(contracts[name]['value'], awarded['value'])} of their value"
            if awarded["count"]
            else "No contracts started in the year, so there is no share to count.",
        )
    tiles["open_exceptions"] = _tile("open_exceptions", scope, exceptions_count(scope))
    savings = key.savings
    tiles["savings"] = _tile(
        "savings",
        scope,
        savings["contracts"],
        f"{money(savings['total'], 0)} delivered ({money(savings['cashable'], 0)} cashable, "
        f"{money(savings['non_cashable'], 0)} non-cashable)"
        if savings["total"]
        else "No savings were recorded this year.",
    )
    planned = contracts["planned_savings"]
    tiles["planned_savings"] = _tile(
        "planned_savings",
        scope,
        planned["count"],
        f"{money(planned['savings'], 0)} planned over their life, "
        f"{_or_none(savings['delivered_on_planned'], 'nothing')} delivered on them to the end "
        "of the year"
        if planned["count"]
        else "No running contract has savings planned.",
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
    board.social_value = key.social_value
    board.charts["social_value"] = theme_value_chart(key.social_value)
    board.social_value_url = _social_value_url(scope)
    board.maturity = key.maturity
    if board.maturity:
        board.charts["maturity"] = maturity_chart(board.maturity)
    board.figures.update(contracts=contracts, reviews=reviews, projects=projects)
    board.figures.update(savings=savings, ratings=ratings)
    return board


def _rating_name(rating: str) -> str:
    return "Not yet reviewed" if rating == "none" else PerformanceReview.Rating(rating).label


def _social_value_url(scope: Scope) -> str:
    return f"{reverse('socialvalue:portfolio')}?{scope.query(by='theme')}"


@dataclass(frozen=True)
class SpendFigures:
    """Spend's figures for the dashboard: the twelve months to the scope's as-at day (the year
    itself once it is over), from the spend pages' own selectors, so the two agree."""

    totals: SpendTotals
    performance: PaymentPerformance


def spend_figures(scope: Scope) -> SpendFigures:
    """Paid, on contract, with no contract, and paid within 30 days and the local target, for
    ``scope`` (a fixed number of queries)."""
    start, end = twelve_months_to(scope.as_at)
    where = {"start": start, "end": end, "directorate_id": scope.directorate_id}
    return SpendFigures(totals=spend_totals(**where), performance=payment_performance(**where))


@dataclass(frozen=True)
class PlanThemeFigures:
    """The Council Plan themes' year beside social value ("other key policy outcomes"): each
    theme's procurements, awards and reviews of delivery, and their chart."""

    lines: list[PlanThemeLine]
    chart: BarChart | None


def plan_theme_figures(scope: Scope) -> PlanThemeFigures:
    """Each theme's figures for ``scope`` (a fixed number of queries)."""
    lines = plan_themes_in_year(scope)
    return PlanThemeFigures(lines=lines, chart=plan_themes_chart(lines))


@dataclass(frozen=True)
class Assurance:
    """The quarterly assurance the dashboard shows: the latest quarter signed off by the scope's
    as-at day (the council's, whatever the directorate), and each of the year's quarters."""

    latest: AssuredQuarter | None
    quarters: list[AssuredQuarter]


def assurance_figures(scope: Scope) -> Assurance:
    """The signed quarters members read as assured (a fixed number of queries)."""
    return Assurance(
        latest=latest_assured(on=scope.as_at),
        quarters=quarters_of_year(financial_year=scope.year),
    )
