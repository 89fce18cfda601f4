"""The figures Lead Members and the Audit & Transparency Committee read, and the lists behind them.

Each figure is defined once, as a condition on its rows: the dashboard counts it, the list behind
it filters by it and the annual report tabulates it, so the three always agree. A scope is a
financial year (April to March) and, optionally, a directorate; figures that are a position
rather than a flow are taken at the scope's "as at" day: the year's last day, or today while
the year is still running.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract, ContractEvent
from contracts.selectors import (
    current_over_named_officers_threshold,
    data_quality_problems,
    running_condition,
    status_condition,
    status_expression,
    unmanaged_condition,
)
from gateways.models import GatewayReview, ProcurementProject, StepDecision, ThemeStatement
from gateways.selectors import reprocure_condition, weighting_report
from gateways.stages import EXTENSION_TESTS
from maturity.models import ActionItem, ActionPlan, Assessment
from performance.models import (
    PerformanceException,
    PerformanceReview,
    Saving,
    ThemeDelivery,
    financial_year_of,
)
from performance.models import financial_year_label as year_label
from performance.selectors import (
    key_condition,
    key_running_condition,
    latest_review_of,
    overdue_condition,
)
from procurement.dates import working_days_after
from procurement.models import GatewayStage, PlanTheme
from procurement.numbers import sum_known
from procurement.thresholds import KEY_CONTRACT_ABOVE, NAMED_OFFICERS_ABOVE, pounds, pounds_short
from socialvalue.models import Commitment
from socialvalue.selectors import PortfolioFilters, percent_of, social_value_portfolio

from .models import AnnualReport, PublishedReport, PublishedSocialValueReview

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
FORWARD_PLAN_MONTHS = 18
State = GatewayReview.State


@dataclass(frozen=True)
class Scope:
    """A financial year (by the year it starts: 2025 is 2025/26), optionally one directorate
    (and, for lists of contracts, one category: 0 for contracts with none), seen on ``today``."""

    year: int
    today: date
    directorate_id: int | None = None
    category_id: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)

    @property
    def as_at(self) -> date:
        return min(self.today, self.end)

    @property
    def in_progress(self) -> bool:
        return self.today < self.end

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def previous(self) -> "Scope":
        """The same scope a year earlier, seen on the same day."""
        return Scope(
            year=self.year - 1,
            today=self.today,
            directorate_id=self.directorate_id,
            category_id=self.category_id,
        )

    @property
    def plan_until(self) -> date:
        return add_months(self.as_at, FORWARD_PLAN_MONTHS)

    def query(self, **more) -> str:
        """The scope as a query string, for the links from a figure to its list."""
        given = {"year": self.year, "directorate": self.directorate_id, **more}
        return urlencode({k: v for k, v in given.items() if v})


# --- Figures and their rows -------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure: what it counts (``kind`` of rows), its label and the rows it counts."""

    kind: str  # contracts, reviews, projects, exceptions or savings
    label: str
    rows: Callable[[Scope], QuerySet]


def _contracts(scope: Scope) -> QuerySet[Contract]:
    found = Contract.objects.all()
    if scope.directorate_id:
        found = found.filter(directorate_id=scope.directorate_id)
    if scope.category_id == 0:
        found = found.filter(category__isnull=True)
    elif scope.category_id:
        found = found.filter(category_id=scope.category_id)
    return found


def _started_in_year(scope: Scope) -> Q:
    return Q(start_date__gte=scope.start, start_date__lte=scope.as_at)


# Conditions on contracts. Each figure is counted by the dashboard in one query, and listed by
# filtering on the same condition.
CONTRACT_CONDITIONS: dict[str, tuple[str, Callable[[Scope], Q]]] = {
    "running": ("Contracts running", lambda s: running_condition(today=s.as_at)),
    "key": (
        f"Key contracts running (over {pounds_short(KEY_CONTRACT_ABOVE)} or rated high risk)",
        lambda s: key_running_condition(today=s.as_at),
    ),
    "sme": (
        "Running contracts held by SMEs",
        lambda s: running_condition(today=s.as_at) & Q(supplier__is_sme=True),
    ),
    "vcse": (
        "Running contracts held by VCSE organisations",
        lambda s: running_condition(today=s.as_at) & Q(supplier__is_vcse=True),
    ),
    "no_plan": (
        "Contracts inside their renewal lead time with no plan to replace them",
        lambda s: reprocure_condition(today=s.as_at),
    ),
    "overdue_reviews": (
        "Running contracts whose performance review is overdue",
        lambda s: overdue_condition(today=s.as_at),
    ),
    "past_end": (
        "Contracts past their end date and not ended on the register",
        lambda s: data_quality_problems(today=s.as_at)["past_end"][1],
    ),
    "no_manager": (
        f"Contracts over {pounds(NAMED_OFFICERS_ABOVE)} with no current contract manager",
        lambda s: unmanaged_condition(today=s.as_at) & Q(start_date__lte=s.as_at),
    ),
    "awarded": ("Contracts starting in the year", _started_in_year),
    "awarded_sme": (
        "Contracts starting in the year held by SMEs",
        lambda s: _started_in_year(s) & Q(supplier__is_sme=True),
    ),
    "awarded_vcse": (
        "Contracts starting in the year held by VCSE organisations",
        lambda s: _started_in_year(s) & Q(supplier__is_vcse=True),
    ),
    "direct_awards": (
        "Direct awards starting in the year",
        lambda s: _started_in_year(s) & Q(procurement_route=Contract.Route.DIRECT_AWARD),
    ),
    "planned_savings": (
        "Running contracts with savings planned",
        lambda s: running_condition(today=s.as_at) & Q(planned_savings__gt=0),
    ),
}

KEY_RATINGS = (*PerformanceReview.Rating.values, "none")


def key_contracts(scope: Scope) -> QuerySet[Contract]:
    """The key contracts running, each with its latest performance rating by the as-at day."""
    condition = CONTRACT_CONDITIONS["key"][1](scope)
    return (
        _contracts(scope)
        .filter(condition)
        .annotate(latest_rating=latest_review_of("rating", on=scope.as_at))
    )


def _key_rated(rating: str) -> Callable[[Scope], QuerySet]:
    def rows(scope: Scope) -> QuerySet[Contract]:
        if rating == "none":
            return key_contracts(scope).filter(latest_rating__isnull=True)
        return key_contracts(scope).filter(latest_rating=rating)

    return rows


def _rating_label(rating: str) -> str:
    if rating == "none":
        return "Key contracts not yet reviewed"
    return f"Key contracts rated {PerformanceReview.Rating(rating).label.lower()}"


def _reviews(scope: Scope) -> QuerySet[GatewayReview]:
    found = GatewayReview.objects.all()
    if scope.directorate_id:
        found = found.filter(
            Q(project__directorate_id=scope.directorate_id)
            | Q(contract__directorate_id=scope.directorate_id)
        )
    return found


def _decided_in_year(scope: Scope) -> Q:
    # Days in the council's time zone, so a decision at 23:30 on 31 March counts in that year.
    return Q(decided_at__date__gte=scope.start, decided_at__date__lte=scope.as_at)


REVIEW_CONDITIONS: dict[str, tuple[str, Callable[[Scope], Q]]] = {
    "awaiting": ("Gateway reports awaiting a decision now", lambda s: Q(state=State.IN_REVIEW)),
    "decided": (
        "Gateway reports decided in the year",
        lambda s: _decided_in_year(s) & Q(state__in=[State.APPROVED, State.REJECTED]),
    ),
    "approved": (
        "Gateway reports approved in the year",
        lambda s: _decided_in_year(s) & Q(state=State.APPROVED),
    ),
    "rejected": (
        "Gateway reports rejected in the year",
        lambda s: _decided_in_year(s) & Q(state=State.REJECTED),
    ),
    "returned": (
        "Gateway reports returned for changes in the year and not yet resubmitted",
        lambda s: _decided_in_year(s) & Q(state=State.RETURNED),
    ),
    "withdrawn": (
        "Gateway reports withdrawn in the year",
        lambda s: _decided_in_year(s) & Q(state=State.WITHDRAWN),
    ),
    "extensions_approved": (
        "Extensions approved at Gateway 3 in the year",
        lambda s: (
            _decided_in_year(s) & Q(state=State.APPROVED, stage=GatewayStage.G3, is_extension=True)
        ),
    ),
}


def _projects(scope: Scope) -> QuerySet[ProcurementProject]:
    found = ProcurementProject.objects.all()
    if scope.directorate_id:
        found = found.filter(directorate_id=scope.directorate_id)
    return found


def awarded_by(day: date) -> Exists:
    """Whether a project's award (Gateway 2) was approved by the end of ``day``."""
    return Exists(
        GatewayReview.objects.filter(
            project=OuterRef("pk"),
            stage=GatewayStage.G2,
            state=State.APPROVED,
            decided_at__date__lte=day,
        )
    )


PROJECT_CONDITIONS: dict[str, tuple[str, Callable[[Scope], Q]]] = {
    "forward_plan": (
        "Procurements planned to start in the next 18 months",
        lambda s: Q(planned_start_date__gte=s.as_at, planned_start_date__lte=s.plan_until),
    ),
    "key_decisions": (
        "Procurements in the next 18 months with a key decision",
        lambda s: (
            Q(planned_start_date__gte=s.as_at, planned_start_date__lte=s.plan_until)
            & ~Q(key_decision_reference="")
        ),
    ),
    "planned_in_year": (
        "Procurements planned to start in the year",
        lambda s: Q(planned_start_date__gte=s.start, planned_start_date__lte=s.end),
    ),
    "delivered_in_year": (
        "Procurements planned to start in the year and awarded",
        lambda s: (
            Q(planned_start_date__gte=s.start, planned_start_date__lte=s.end) & Q(awarded=True)
        ),
    ),
}


def projects_in(scope: Scope) -> QuerySet[ProcurementProject]:
    return _projects(scope).annotate(awarded=awarded_by(scope.as_at))


def open_exceptions_at(scope: Scope) -> QuerySet[PerformanceException]:
    """Performance exceptions open on the as-at day."""
    found = PerformanceException.objects.filter(opened_on__lte=scope.as_at).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=scope.as_at)
    )
    if scope.directorate_id:
        found = found.filter(contract__directorate_id=scope.directorate_id)
    return found


def savings_in_year(scope: Scope) -> QuerySet[Saving]:
    found = Saving.objects.filter(financial_year=scope.year)
    if scope.directorate_id:
        found = found.filter(contract__directorate_id=scope.directorate_id)
    return found


def _condition_figure(kind, base, label, condition) -> Figure:
    return Figure(kind, label, lambda s: base(s).filter(condition(s)))


FIGURES: dict[str, Figure] = {
    **{
        key: _condition_figure("contracts", _contracts, label, condition)
        for key, (label, condition) in CONTRACT_CONDITIONS.items()
    },
    **{
        f"key_{rating}": Figure("contracts", _rating_label(rating), _key_rated(rating))
        for rating in KEY_RATINGS
    },
    **{
        key: _condition_figure("reviews", _reviews, label, condition)
        for key, (label, condition) in REVIEW_CONDITIONS.items()
    },
    **{
        key: _condition_figure("projects", projects_in, label, condition)
        for key, (label, condition) in PROJECT_CONDITIONS.items()
    },
    "open_exceptions": Figure("exceptions", "Performance exceptions open", open_exceptions_at),
    "savings": Figure("savings", "Savings recorded for the year", savings_in_year),
}

ORDER = {
    "contracts": ("-whole_life_value", "pk"),
    "reviews": ("-decided_at", "-submitted_at", "-pk"),
    "projects": ("planned_start_date", "reference"),
    "exceptions": ("opened_on", "pk"),
    "savings": ("-cashable", "pk"),
}
RELATED = {
    "contracts": ("directorate", "category", "supplier", "contract_manager"),
    "reviews": ("project__directorate", "contract__directorate", "author"),
    "projects": ("directorate", "lead_officer"),
    "exceptions": ("contract__supplier", "contract__directorate", "accountable_officer"),
    "savings": ("contract__directorate", "contract__supplier"),
}


def figure_rows(key: str, scope: Scope) -> QuerySet:
    """The rows behind the figure ``key``, as its list shows them."""
    figure = FIGURES[key]
    rows = figure.rows(scope).select_related(*RELATED[figure.kind]).order_by(*ORDER[figure.kind])
    if figure.kind == "contracts":
        # The status as the register shows it, on the as-at day.
        rows = rows.annotate(status=status_expression(today=scope.as_at))
    return rows


def figure_url(key: str, scope: Scope, **more) -> str:
    return f"{reverse('reporting:figure', args=[key])}?{scope.query(**more)}"


# --- The dashboard's counts, a fixed number of queries ---------------------------------------


def _by_figure(aggregated: dict) -> dict[str, dict]:
    """``{"running__count": 4, "running__value": …}`` as ``{"running": {"count": 4, …}}``."""
    figures: dict[str, dict] = {}
    for name, value in aggregated.items():
        key, part = name.split("__")
        figures.setdefault(key, {})[part] = value
    return figures


# Besides its count, the sums each contract figure is read with.
CONTRACT_SUMS = {
    "running": ("value", "annual"),
    "sme": ("annual",),
    "vcse": ("annual",),
    "awarded": ("value",),
    "awarded_sme": ("value",),
    "awarded_vcse": ("value",),
    "direct_awards": ("value",),
    "planned_savings": ("savings",),
}
SUMMED = {"value": "whole_life_value", "annual": "annual_value", "savings": "planned_savings"}


@dataclass
class ContractFigures:
    """Each contract figure's count and sums, in all and for each directorate and category
    (``groups``: directorate id, category id and that group's figures)."""

    totals: dict[str, dict]
    groups: list[tuple[int, int | None, dict[str, dict]]]

    def running_by(self, field: str) -> list[tuple[int | None, int, Decimal]]:
        """Running contracts by ``directorate`` or ``category``: its id, count and value, the
        highest value first."""
        found: dict[int | None, list] = {}
        for directorate_id, category_id, figures in self.groups:
            group = directorate_id if field == "directorate" else category_id
            row = found.setdefault(group, [0, Decimal("0")])
            row[0] += figures["running"]["count"]
            row[1] += figures["running"]["value"]
        rows = [(group, n, value) for group, (n, value) in found.items() if n]
        return sorted(rows, key=lambda row: (-row[2], row[0] or 0))


def contract_figure_rows(scope: Scope) -> QuerySet:
    """Every contract figure's count and sums for each directorate and category, in one pass
    over the register (a query)."""
    sums = {}
    for key, (_, condition) in CONTRACT_CONDITIONS.items():
        q = condition(scope)
        sums[f"{key}__count"] = Count("pk", filter=q)
        for part in CONTRACT_SUMS.get(key, ()):
            sums[f"{key}__{part}"] = Coalesce(Sum(SUMMED[part], filter=q), ZERO)
    return _contracts(scope).order_by().values("directorate_id", "category_id").annotate(**sums)


# What a person's home page counts of the register: the contracts they manage expiring or past
# their end; those they manage or lead whose review is overdue; in the directorates they are
# business partner for, those that must name officers and don't. Kept with the dashboard's.
HOME_CONDITIONS: dict[str, Callable[[Scope], Q]] = {
    "home_expiring": lambda s: status_condition(Contract.Status.EXPIRING, today=s.as_at),
    "home_expired": lambda s: status_condition(Contract.Status.EXPIRED, today=s.as_at),
    "home_overdue_reviews": lambda s: overdue_condition(today=s.as_at),
    "home_no_manager": lambda s: (
        current_over_named_officers_threshold(today=s.as_at) & Q(contract_manager__isnull=True)
    ),
    "home_no_lead_director": lambda s: (
        current_over_named_officers_threshold(today=s.as_at) & Q(lead_director__isnull=True)
    ),
}
HOME_GROUPS = ("directorate_id", "contract_manager_id", "lead_director_id")


def home_figure_rows(scope: Scope) -> QuerySet:
    """The home pages' counts for each directorate, contract manager and lead director, in one
    pass over the register (a query)."""
    counts = {
        f"{key}__count": Count("pk", filter=condition(scope))
        for key, condition in HOME_CONDITIONS.items()
    }
    return _contracts(scope).order_by().values(*HOME_GROUPS).annotate(**counts)


def figures_from_rows(rows) -> ContractFigures:
    """``ContractFigures`` from rows of each group's figures, as ``contract_figure_rows`` gives."""
    totals = {key: {"count": 0} for key in CONTRACT_CONDITIONS}
    for key, parts in CONTRACT_SUMS.items():
        totals[key].update(dict.fromkeys(parts, Decimal("0")))
    groups = []
    for row in rows:
        figures = _by_figure({k: v for k, v in row.items() if "__" in k})
        for key, parts in figures.items():
            for part, value in parts.items():
                totals[key][part] += value
        groups.append((row["directorate_id"], row["category_id"], figures))
    return ContractFigures(totals=totals, groups=groups)


def live_contract_figures(scope: Scope) -> ContractFigures:
    """Every contract figure worked out from the register itself (one query): what the kept
    figures (``reporting.summary``) are built from and checked against."""
    return figures_from_rows(contract_figure_rows(scope))


def contract_figures(scope: Scope) -> ContractFigures:
    """Every contract figure, in all and for each directorate and category, read from the
    figures kept for the scope's day (a few hundred rows, whatever the register's size)."""
    from .summary import kept_contract_figures  # the summary reads this module's conditions

    return kept_contract_figures(scope)


def contract_counts(scope: Scope) -> dict[str, dict]:
    """Each contract figure's count and the sums it is read with (one query)."""
    return contract_figures(scope).totals


def key_rating_counts(scope: Scope) -> dict[str, int]:
    """Key contracts running, by their latest rating ("none" if never reviewed) (one query)."""
    found = dict(
        key_contracts(scope)
        .order_by()
        .values_list("latest_rating")
        .annotate(n=Count("pk"))
        .values_list("latest_rating", "n")
    )
    return {rating: found.get(None if rating == "none" else rating, 0) for rating in KEY_RATINGS}


def review_counts(scope: Scope) -> dict[str, int]:
    """Each gateway figure's count (one query)."""
    return _reviews(scope).aggregate(
        **{
            key: Count("pk", filter=condition(scope))
            for key, (_, condition) in REVIEW_CONDITIONS.items()
        }
    )


def project_counts(scope: Scope) -> dict[str, dict]:
    """Each forward-plan figure's count and estimated value (one query)."""
    sums = {}
    for key, (_, condition) in PROJECT_CONDITIONS.items():
        q = condition(scope)
        sums[f"{key}__count"] = Count("pk", filter=q)
        sums[f"{key}__value"] = Coalesce(Sum("estimated_value", filter=q), ZERO)
    return _by_figure(projects_in(scope).aggregate(**sums))


def forward_plan_next(scope: Scope, *, most: int = 10) -> list[ProcurementProject]:
    """The first ``most`` procurements of the next 18 months, soonest first."""
    return list(figure_rows("forward_plan", scope)[:most])


def savings_totals(scope: Scope) -> dict:
    """Savings recorded for the year, and on the contracts with savings planned: the plan over
    their life against what they have delivered up to this year (two queries)."""
    year = savings_in_year(scope).aggregate(
        cashable=Coalesce(Sum("cashable"), ZERO),
        non_cashable=Coalesce(Sum("non_cashable"), ZERO),
        contracts=Count("contract", distinct=True),
    )
    planned_condition = CONTRACT_CONDITIONS["planned_savings"][1](scope)
    to_date = Saving.objects.filter(
        financial_year__lte=scope.year,
        contract__in=_contracts(scope).filter(planned_condition).values("pk"),
    ).aggregate(
        delivered=Coalesce(Sum(F("cashable") + F("non_cashable")), ZERO),
    )
    return {
        "cashable": year["cashable"],
        "non_cashable": year["non_cashable"],
        "total": year["cashable"] + year["non_cashable"],
        "contracts": year["contracts"],
        "delivered_on_planned": to_date["delivered"],
    }


def exceptions_count(scope: Scope) -> int:
    return open_exceptions_at(scope).count()


@dataclass(frozen=True)
class Compliance:
    """What the annual report's compliance section counts for a scope: extensions recorded and
    approved at Gateway 3, exceptions relied on, weighting departures and the contracts'
    positions on the as-at day."""

    contracts: dict[str, dict]
    extensions_recorded: int
    extensions_approved: int
    extensions_all_four_tests: int
    extensions_listed: list[GatewayReview]
    exceptions_approved: int
    social_value_exceptions: int
    open_exceptions: int
    weighting_departures: list


def compliance_in_year(scope: Scope, *, listed: int) -> Compliance:
    """The compliance figures for ``scope``, with the first ``listed`` extensions approved."""
    approved = figure_rows("extensions_approved", scope)
    tests = [name for name, _ in EXTENSION_TESTS]
    return Compliance(
        contracts=contract_counts(scope),
        extensions_recorded=_extensions_recorded(scope).count(),
        extensions_approved=review_counts(scope)["extensions_approved"],
        extensions_all_four_tests=sum(
            1 for shown in approved.values_list(*tests) if all(test.strip() for test in shown)
        ),
        extensions_listed=list(approved.select_related("contract")[:listed]),
        exceptions_approved=(
            figure_rows("approved", scope).exclude(exception_justification="").count()
        ),
        social_value_exceptions=_social_value_exceptions(scope).count(),
        open_exceptions=exceptions_count(scope),
        weighting_departures=weighting_report(since=scope.start, until=scope.as_at)["departures"],
    )


def _extensions_recorded(scope: Scope) -> QuerySet[ContractEvent]:
    """Extensions recorded on the register in the year, up to the as-at day."""
    found = ContractEvent.objects.filter(
        kind=ContractEvent.Kind.EXTENSION,
        effective_date__gte=scope.start,
        effective_date__lte=scope.as_at,
    )
    if scope.directorate_id:
        found = found.filter(contract__directorate_id=scope.directorate_id)
    return found


def _social_value_exceptions(scope: Scope) -> QuerySet[StepDecision]:
    """Decisions in the year that accepted social value below the minimum."""
    found = StepDecision.objects.filter(
        accepted_social_value_exception=True,
        decided_at__date__gte=scope.start,
        decided_at__date__lte=scope.as_at,
    )
    if scope.directorate_id:
        found = found.filter(
            Q(step__review__project__directorate_id=scope.directorate_id)
            | Q(step__review__contract__directorate_id=scope.directorate_id)
        )
    return found


def planned_by_directorate(scope: Scope) -> QuerySet:
    """Procurements planned to start in the year, by directorate: how many, how many awarded and
    their estimated value."""
    return (
        figure_rows("planned_in_year", scope)
        .order_by()
        .values("directorate__name")
        .annotate(
            planned=Count("pk"),
            awarded=Count("pk", filter=Q(awarded=True)),
            value=Sum("estimated_value"),
        )
        .order_by("directorate__name")
    )


def planned_not_awarded(scope: Scope) -> QuerySet[ProcurementProject]:
    """Procurements planned to start in the year itself (not only by its as-at day) and not yet
    awarded."""
    in_year = PROJECT_CONDITIONS["planned_in_year"][1](scope)
    return figure_rows("planned_in_year", scope).filter(in_year & Q(awarded=False))


@dataclass
class StageDecisions:
    """A gateway's reports decided in the year: how many approved and rejected, and the working
    days each decision took from submission."""

    approved: int = 0
    rejected: int = 0
    days: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class GatewayDecisions:
    """Gateway reports decided, returned and withdrawn in the year, by gateway."""

    by_stage: dict[str, StageDecisions]
    returned: dict[str, int]
    withdrawn: dict[str, int]

    @property
    def days(self) -> list[int]:
        return [day for stage in self.by_stage.values() for day in stage.days]


def gateway_decisions(scope: Scope) -> GatewayDecisions:
    """The gateway reports decided, returned and withdrawn in the year, by gateway."""
    by_stage = {stage: StageDecisions() for stage in GatewayStage.values}
    decided = (
        figure_rows("decided", scope)
        .filter(submitted_at__isnull=False)
        .values_list("stage", "state", "submitted_at", "decided_at")
    )
    for stage, state, submitted_at, decided_at in decided:
        row = by_stage[stage]
        setattr(row, state, getattr(row, state) + 1)
        row.days.append(
            working_days_after(timezone.localdate(submitted_at), timezone.localdate(decided_at))
        )
    return GatewayDecisions(
        by_stage=by_stage,
        returned=_count_by_stage(figure_rows("returned", scope)),
        withdrawn=_count_by_stage(figure_rows("withdrawn", scope)),
    )


def _count_by_stage(reviews: QuerySet[GatewayReview]) -> dict[str, int]:
    return dict(reviews.order_by().values_list("stage").annotate(n=Count("pk")))


@dataclass(frozen=True)
class KeyContractReviews:
    """Performance reviews of key contracts held in the year: how many by rating, how many
    contracts they covered, and the key contracts running with none."""

    by_rating: dict[str, int]
    contracts_reviewed: int
    key_running: int
    not_reviewed: int


def key_contract_reviews(scope: Scope) -> KeyContractReviews:
    """The performance reviews of key contracts held in the year, up to the as-at day."""
    reviews = PerformanceReview.objects.filter(
        held_on__gte=scope.start, held_on__lte=scope.as_at
    ).filter(**({"contract__directorate_id": scope.directorate_id} if scope.directorate_id else {}))
    key_reviews = reviews.filter(contract__in=Contract.objects.filter(key_condition()).values("pk"))
    return KeyContractReviews(
        by_rating=dict(key_reviews.order_by().values_list("rating").annotate(n=Count("pk"))),
        contracts_reviewed=key_reviews.values("contract").distinct().count(),
        key_running=contract_counts(scope)["key"]["count"],
        not_reviewed=(
            figure_rows("key", scope).exclude(pk__in=key_reviews.values("contract")).count()
        ),
    )


@dataclass(frozen=True)
class ActionPlanProgress:
    """The action plans answering an assessment: whether there are any, their actions by
    status, and how many are past their timescale."""

    has_plans: bool
    actions: int
    by_status: dict[str, int]
    overdue: int


def action_plan_progress(assessment: Assessment, *, on: date) -> ActionPlanProgress:
    """The progress of the action plans answering ``assessment`` on the day ``on``."""
    plans = ActionPlan.objects.filter(assessment=assessment).order_by("name")
    items = ActionItem.objects.filter(plan__in=plans)
    return ActionPlanProgress(
        has_plans=plans.exists(),
        actions=items.count(),
        by_status=dict(items.order_by().values_list("status").annotate(n=Count("pk"))),
        overdue=items.filter(due_by__lt=on).exclude(status=ActionItem.Status.DELIVERED).count(),
    )


def maturity_assessment(scope: Scope) -> Assessment | None:
    """The latest closed self-assessment for the year or before: the council's position."""
    return (
        Assessment.objects.filter(status=Assessment.Status.CLOSED, year__lte=scope.year)
        .select_related("framework")
        .order_by("-year", "-closed_at", "-pk")
        .first()
    )


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` as a whole percentage of ``whole`` (None where there is nothing to share)."""
    return percent_of(Decimal(part), Decimal(whole)) if whole else None


def years_with_data(*, today: date) -> list[int]:
    """The financial years with anything to show, the latest (the current one) first: from the
    year of the earliest contract, saving, decision, social value commitment or self-assessment
    (five queries)."""
    current = financial_year_of(today)
    firsts = [
        Contract.objects.aggregate(first=Min("start_date"))["first"],
        GatewayReview.objects.aggregate(first=Min("decided_at__date"))["first"],
        Commitment.objects.aggregate(first=Min("target_date"))["first"],
    ]
    years = [financial_year_of(day) for day in firsts if day]
    years += [
        year
        for year in (
            Saving.objects.aggregate(first=Min("financial_year"))["first"],
            Assessment.objects.aggregate(first=Min("year"))["first"],
        )
        if year is not None
    ]
    first = min([current, *years])
    return list(range(current, first - 1, -1))


@dataclass
class MeasureLine:
    """A measure's committed and delivered quantities and £ values in a theme, across every
    version of the library the measure appears in (they share its code)."""

    code: str
    unit: str
    committed: Decimal = Decimal("0")
    delivered: Decimal = Decimal("0")
    committed_value: Decimal | None = None
    delivered_value: Decimal | None = None
    contracts: int = 0

    @property
    def is_money(self) -> bool:
        return self.unit.strip() == "£"


@dataclass
class ThemeLine:
    """A theme's measures, and its £ committed and delivered (None where no measure has a £
    value)."""

    label: str
    measures: list[MeasureLine]

    def _sum(self, name: str) -> Decimal | None:
        return sum_known(getattr(line, name) for line in self.measures)

    @property
    def committed_value(self) -> Decimal | None:
        return self._sum("committed_value")

    @property
    def delivered_value(self) -> Decimal | None:
        return self._sum("delivered_value")


@dataclass
class SocialValue:
    themes: list[ThemeLine]

    @property
    def committed(self) -> Decimal:
        return sum((t.committed_value or 0 for t in self.themes), Decimal("0"))

    @property
    def delivered(self) -> Decimal:
        return sum((t.delivered_value or 0 for t in self.themes), Decimal("0"))


def _plus(total: Decimal | None, more: Decimal | None) -> Decimal | None:
    if more is None:
        return total
    return more if total is None else total + more


def social_value_by_theme(scope: Scope) -> SocialValue:
    """Social value committed and delivered in the year, by theme and measure: each theme and
    each measure once, whichever versions of the measures library the commitments were made
    under (four queries)."""
    groups = social_value_portfolio(
        filters=PortfolioFilters(year=scope.year, directorate_id=scope.directorate_id), by="theme"
    )
    themes: dict[str, dict[str, MeasureLine]] = {}
    for group in groups:
        lines = themes.setdefault(group.label, {})
        for row in group.rows:
            line = lines.setdefault(
                row.measure.code, MeasureLine(code=row.measure.code, unit=row.measure.unit)
            )
            line.committed += row.committed
            line.delivered += row.delivered
            line.committed_value = _plus(line.committed_value, row.committed_value)
            line.delivered_value = _plus(line.delivered_value, row.delivered_value)
            line.contracts += row.contracts
    return SocialValue(
        themes=[ThemeLine(label, list(lines.values())) for label, lines in themes.items()]
    )


@dataclass(frozen=True)
class PlanThemeLine:
    """One Council Plan theme's year (RBKC §4d and §8a, "other key policy outcomes"): the
    procurements whose approved strategy addresses it, the awards that commit to deliver against
    it, and the performance reviews (and their contracts) that recorded delivery against it."""

    theme: str
    is_active: bool
    strategies: int = 0
    awards: int = 0
    reviews: int = 0
    contracts: int = 0

    @property
    def has_figures(self) -> bool:
        return bool(self.strategies or self.awards or self.reviews)


def plan_themes_in_year(scope: Scope) -> list[PlanThemeLine]:
    """Each theme of the current plan, and each retired theme with something to count, with
    its year: Gateway 1 and 2 reports approved in the year that name it, and performance
    reviews held in the year that recorded delivery against it (three queries)."""
    named = ThemeStatement.objects.filter(
        review__state=GatewayReview.State.APPROVED,
        review__decided_at__date__range=(scope.start, scope.as_at),
        review__project__isnull=False,
    )
    delivered = ThemeDelivery.objects.filter(review__held_on__range=(scope.start, scope.as_at))
    if scope.directorate_id:
        named = named.filter(review__project__directorate_id=scope.directorate_id)
        delivered = delivered.filter(review__contract__directorate_id=scope.directorate_id)
    by_stage = {
        (row["theme"], row["review__stage"]): row["projects"]
        for row in named.values("theme", "review__stage").annotate(
            projects=Count("review__project", distinct=True)
        )
    }
    deliveries = {
        row["theme"]: row
        for row in delivered.values("theme").annotate(
            reviews=Count("review", distinct=True),
            contracts=Count("review__contract", distinct=True),
        )
    }
    lines = []
    for theme in PlanTheme.objects.order_by("-is_active", "order", "name"):
        found = deliveries.get(theme.pk, {})
        line = PlanThemeLine(
            theme=theme.name,
            is_active=theme.is_active,
            strategies=by_stage.get((theme.pk, GatewayStage.G1), 0),
            awards=by_stage.get((theme.pk, GatewayStage.G2), 0),
            reviews=found.get("reviews", 0),
            contracts=found.get("contracts", 0),
        )
        if theme.is_active or line.has_figures:
            lines.append(line)
    return lines


def published_reports() -> QuerySet[PublishedReport]:
    """Each year's published version of the annual report, the latest year first: what the
    public reads. Versions never published, or superseded, are not among them."""
    return PublishedReport.objects.select_related("report").order_by("-year")


def published_report(pk: int) -> AnnualReport:
    """The version ``pk`` if it is its year's published version (404 otherwise: a draft or a
    superseded version is not there for the public)."""
    return get_object_or_404(
        AnnualReport.objects.filter(
            state=AnnualReport.State.READY,
            pk__in=PublishedReport.objects.values("report_id"),
        ),
        pk=pk,
    )


def published_social_value_reviews() -> QuerySet[PublishedSocialValueReview]:
    """The years whose social value review is published, the latest first."""
    return PublishedSocialValueReview.objects.select_related("published_by").order_by("-year")


def social_value_review(year: int) -> tuple[PublishedSocialValueReview, list]:
    """A published year's review: committed against delivered by theme, a row per measure with
    its raw units beside any £ value (the portfolio's own selector); 404 for a year not
    published."""
    published = get_object_or_404(PublishedSocialValueReview, year=year)
    return published, social_value_portfolio(filters=PortfolioFilters(year=year), by="theme")
