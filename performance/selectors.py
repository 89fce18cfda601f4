"""Reads of contract performance, shared by the pages, Gateway 3, the home page and the reports.

Each runs a fixed number of queries whatever the number of contracts, KPIs or returns.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import Contract, ResiliencePlan, Supplier
from contracts.selectors import (
    current_plans,
    key_condition,
    plans_missing,
    running_condition,
    status_expression,
)
from procurement.dates import long_date
from procurement.models import User
from procurement.thresholds import (
    HEALTH_CHECK_MONTHS,
    HEALTH_CHECK_MONTHS_KEY,
    KEY_CONTRACT_ABOVE,
    KPIS_REQUIRED,
)

from .models import (
    Kpi,
    KpiReturn,
    PerformanceException,
    PerformanceReview,
    Rag,
    SupplierHealthCheck,
    kpis_required,
    return_due,
)


@dataclass
class KpiPosition:
    """A KPI with its latest return and the periods whose return is late."""

    kpi: Kpi
    latest: KpiReturn | None
    late_periods: list[tuple[date, date]]
    due_periods: list[tuple[date, date]] = field(default_factory=list)

    @property
    def rating(self) -> str:
        return self.latest.rating if self.latest else ""

    def as_record(self) -> dict:
        """What a performance review keeps of the KPI's position when it is recorded."""
        latest = self.latest
        return {
            "kpi": self.kpi.name,
            "unit": self.kpi.unit,
            "target": str(self.kpi.target),
            "period": f"{long_date(latest.period_start)} to {long_date(latest.period_end)}"
            if latest
            else "",
            "value": str(latest.value) if latest else "",
            "rating": latest.rating if latest else "",
            "late_returns": len(self.late_periods),
        }


def _positions(kpis: list[Kpi], returns: Iterable[KpiReturn], today: date) -> list[KpiPosition]:
    by_kpi: dict[int, list[KpiReturn]] = defaultdict(list)
    for kpi_return in returns:
        by_kpi[kpi_return.kpi_id].append(kpi_return)
    positions = []
    for kpi in kpis:
        recorded = by_kpi[kpi.pk]
        returned = {r.period_start for r in recorded}
        ended = kpi.periods(until=today)
        missing = [period for period in ended if period[0] not in returned]
        positions.append(
            KpiPosition(
                kpi=kpi,
                latest=max(recorded, key=lambda r: r.period_start, default=None),
                late_periods=[p for p in missing if return_due(p[1]) < today],
                due_periods=missing,
            )
        )
    return positions


def kpi_positions(contract: Contract, today: date) -> list[KpiPosition]:
    """Each of the contract's KPIs with its latest return and late returns (two queries)."""
    kpis = list(contract.kpis.all())
    for kpi in kpis:
        kpi.contract = contract
    returns = KpiReturn.objects.filter(kpi__contract=contract).only(
        "kpi_id", "period_start", "period_end", "value", "rating", "target"
    )
    return _positions(kpis, returns, today)


def contract_returns(contract: Contract) -> QuerySet[KpiReturn]:
    """Every return on the contract's KPIs, newest period first (one query)."""
    return (
        KpiReturn.objects.filter(kpi__contract=contract)
        .select_related("kpi", "recorded_by")
        .order_by("-period_start", "kpi_id")
    )


def late_returns_by_contract(contract_ids: Iterable[int], today: date) -> dict[int, int]:
    """How many KPI returns are late on each of these contracts (two queries)."""
    # A query of contracts is read by the database, not listed here: a portfolio can be large.
    ids = contract_ids if isinstance(contract_ids, QuerySet) else list(contract_ids)
    kpis = list(Kpi.objects.filter(contract_id__in=ids).select_related("contract"))
    returns = KpiReturn.objects.filter(kpi__in=kpis).only("kpi_id", "period_start")
    late: Counter = Counter()
    for position in _positions(kpis, returns, today):
        late[position.kpi.contract_id] += len(position.late_periods)
    return dict(late)


@dataclass
class PerformanceSummary:
    """What a contract's performance shows at a glance: on its page, in Gateway 3, to members."""

    latest_review: PerformanceReview | None
    kpis: list[KpiPosition]
    open_exceptions: int
    kpis_required: bool

    @property
    def rag_counts(self) -> dict[str, int]:
        counts = Counter(position.rating for position in self.kpis if position.rating)
        return {rag.value: counts[rag.value] for rag in Rag}

    @property
    def late_returns(self) -> int:
        return sum(len(position.late_periods) for position in self.kpis)

    @property
    def too_few_kpis(self) -> bool:
        return self.kpis_required and len(self.kpis) < KPIS_REQUIRED

    @property
    def is_satisfactory(self) -> bool:
        """Nothing stands against it: no poor latest rating and no exception open."""
        return not self.open_exceptions and not (self.latest_review and self.latest_review.is_poor)

    def as_text(self) -> str:
        """The evidence in words, as a Gateway 3 report starts from it."""
        review = self.latest_review
        parts = [
            f"Latest performance review on {long_date(review.held_on)}: {review.rating_label}."
            if review
            else "No performance review has been recorded."
        ]
        counts = self.rag_counts
        if self.kpis:
            parts.append(
                f"KPIs' latest returns: {counts['green']} green, {counts['amber']} amber, "
                f"{counts['red']} red; {self.late_returns} late."
            )
        parts.append(
            f"Open exceptions: {self.open_exceptions}."
            if self.open_exceptions
            else "No open exceptions."
        )
        return " ".join(parts)


def performance_summary(contract: Contract, today: date) -> PerformanceSummary:
    return PerformanceSummary(
        latest_review=contract.reviews.order_by("-held_on", "-pk").first(),
        kpis=kpi_positions(contract, today),
        open_exceptions=contract.exceptions.exclude(
            status=PerformanceException.Status.CLOSED
        ).count(),
        kpis_required=kpis_required(contract.whole_life_value),
    )


# --- Portfolio --------------------------------------------------------------------------------


def latest_review_of(field_name: str, *, on: date | None = None) -> Subquery:
    """A contract's latest performance review's ``field_name`` (held on or before ``on``, if
    given), as a subquery to annotate."""
    reviews = PerformanceReview.objects.filter(contract=OuterRef("pk"))
    if on is not None:
        reviews = reviews.filter(held_on__lte=on)
    return Subquery(reviews.order_by("-held_on", "-pk").values(field_name)[:1])


def _count_of(queryset) -> Coalesce:
    counted = queryset.order_by().values("contract").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class PortfolioFilters:
    directorate_id: int | None = None
    rating: str = ""
    overdue: bool = False
    open_exceptions: bool = False
    key_only: bool = False


def key_running_condition(*, today: date) -> Q:
    """The key contracts running on ``today``: what the key contracts page lists, the dashboard
    counts and the maturity evidence measures."""
    return running_condition(today=today) & key_condition()


def key_contracts_with_kpis(*, today: date) -> dict[str, int]:
    """How many key contracts are running on ``today`` (``key``), and how many of them have a
    KPI (``with_kpis``): each contract once, however many KPIs it has (one query)."""
    return Contract.objects.filter(key_running_condition(today=today)).aggregate(
        key=Count("pk"),
        with_kpis=Count("pk", filter=Q(pk__in=Kpi.objects.values("contract_id"))),
    )


def overdue_condition(*, today: date) -> Q:
    """Running contracts whose next performance review was due before today."""
    return running_condition(today=today) & Q(review_date__lt=today)


def _reviewed() -> QuerySet:
    """The contracts ever reviewed: those with a latest rating."""
    return PerformanceReview.objects.values("contract_id")


def _with_open_exceptions() -> QuerySet:
    return PerformanceException.objects.exclude(status=PerformanceException.Status.CLOSED).values(
        "contract_id"
    )


def portfolio_rows(*, today: date, filters: PortfolioFilters | None = None) -> QuerySet[Contract]:
    """The running contracts ``filters`` select, without what the portfolio shows of each: what
    its counts count. The latest rating is read only for contracts ever reviewed, and open
    exceptions from the exceptions, so a count does not read every contract's reviews."""
    filters = filters or PortfolioFilters()
    contracts = Contract.objects.filter(
        key_running_condition(today=today) if filters.key_only else running_condition(today=today)
    )
    if filters.directorate_id:
        contracts = contracts.filter(directorate_id=filters.directorate_id)
    if filters.rating == "none":
        contracts = contracts.exclude(pk__in=_reviewed())
    elif filters.rating:
        contracts = (
            contracts.filter(pk__in=_reviewed())
            .alias(rated=latest_review_of("rating"))
            .filter(rated=filters.rating)
        )
    if filters.overdue:
        contracts = contracts.filter(review_date__lt=today)
    if filters.open_exceptions:
        contracts = contracts.filter(pk__in=_with_open_exceptions())
    return contracts


def portfolio(*, today: date, filters: PortfolioFilters | None = None) -> QuerySet[Contract]:
    """The running contracts with their latest rating, next review and open exceptions."""
    return (
        portfolio_rows(today=today, filters=filters)
        .select_related("directorate", "category", "supplier", "contract_manager", "lead_director")
        .annotate(
            status=status_expression(today=today),
            latest_rating=latest_review_of("rating"),
            latest_rating_other=latest_review_of("rating_other"),
            latest_review_on=latest_review_of("held_on"),
            open_exceptions=_count_of(
                PerformanceException.objects.filter(contract=OuterRef("pk")).exclude(
                    status=PerformanceException.Status.CLOSED
                )
            ),
            kpi_count=_count_of(Kpi.objects.filter(contract=OuterRef("pk"))),
        )
        .order_by("-whole_life_value", "pk")
    )


def portfolio_counts(*, today: date, filters: PortfolioFilters | None = None) -> dict[str, int]:
    """The headline figures of the portfolio (two queries: the latest ratings are read only for
    the contracts ever reviewed)."""
    rows = portfolio_rows(today=today, filters=filters)
    counts = rows.aggregate(
        contracts=Count("pk"),
        overdue=Count("pk", filter=Q(review_date__lt=today)),
        with_open_exceptions=Count("pk", filter=Q(pk__in=_with_open_exceptions())),
        reviewed=Count("pk", filter=Q(pk__in=_reviewed())),
    )
    poor = (
        rows.filter(pk__in=_reviewed())
        .alias(latest=latest_review_of("rating"))
        .filter(latest__in=PerformanceReview.POOR)
        .count()
    )
    return {
        "contracts": counts["contracts"],
        "overdue": counts["overdue"],
        "with_open_exceptions": counts["with_open_exceptions"],
        "poor": poor,
        "unrated": counts["contracts"] - counts["reviewed"],
    }


def open_exceptions() -> QuerySet[PerformanceException]:
    return (
        PerformanceException.objects.exclude(status=PerformanceException.Status.CLOSED)
        .select_related("contract", "contract__supplier", "accountable_officer", "kpi")
        .order_by("opened_on", "pk")
    )


def exceptions_open_on(*, on: date) -> QuerySet[PerformanceException]:
    """The exceptions open at the end of ``on``: opened by then and not closed by then."""
    return PerformanceException.objects.filter(opened_on__lte=on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    )


def _contract_as_at(field_name: str, *, on: date) -> Coalesce:
    """A contract's ``field_name`` as its history holds it at the end of ``on`` (or, entered
    later, as it was first entered), as a subquery to annotate."""
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
    records = Contract.history.model.objects.filter(id=OuterRef("pk"))
    return Coalesce(
        Subquery(
            records.filter(history_date__lt=end)
            .order_by("-history_date", "-history_id")
            .values(field_name)[:1]
        ),
        Subquery(records.order_by("history_date", "history_id").values(field_name)[:1]),
    )


def portfolio_as_at(*, on: date, filters: PortfolioFilters | None = None) -> QuerySet[Contract]:
    """The contracts running on ``on`` as they stood at its end, for a past quarter's report:
    the latest review held by then, the review then due (that review's next date or, with none,
    the contract's review date as its history holds it then) and the exceptions then open."""
    return (
        portfolio_rows(today=on, filters=filters)
        .select_related("directorate", "supplier")
        .annotate(
            latest_rating=latest_review_of("rating", on=on),
            latest_rating_other=latest_review_of("rating_other", on=on),
            latest_review_on=latest_review_of("held_on", on=on),
            review_due=Coalesce(
                latest_review_of("next_review_date", on=on),
                _contract_as_at("review_date", on=on),
                F("review_date"),
            ),
            open_exceptions=_count_of(exceptions_open_on(on=on).filter(contract=OuterRef("pk"))),
        )
        .order_by("-whole_life_value", "pk")
    )


def portfolio_counts_as_at(*, on: date) -> dict[str, int]:
    """The headline figures of the portfolio as it stood at the end of ``on`` (one query)."""
    return (
        portfolio_as_at(on=on)
        .order_by()
        .aggregate(
            contracts=Count("pk"),
            overdue=Count("pk", filter=Q(review_due__lt=on)),
            with_open_exceptions=Count("pk", filter=Q(open_exceptions__gt=0)),
            poor=Count("pk", filter=Q(latest_rating__in=PerformanceReview.POOR)),
            unrated=Count("pk", filter=Q(latest_rating__isnull=True)),
        )
    )


def contracts_of(
    *, user, today: date, filters: PortfolioFilters | None = None
) -> QuerySet[Contract]:
    """The running contracts ``user`` manages or is lead director for, as the portfolio shows
    them: their performance page and their home-page counts both read this."""
    return portfolio(today=today, filters=filters).filter(
        Q(contract_manager=user) | Q(lead_director=user)
    )


def with_late_returns(contracts: QuerySet[Contract], *, today: date) -> QuerySet[Contract]:
    """Those of ``contracts`` with at least one KPI return late (three queries)."""
    late = late_returns_by_contract(contracts.values("pk"), today)
    return contracts.filter(pk__in=[pk for pk, count in late.items() if count])


def exceptions_of(*, user) -> QuerySet[PerformanceException]:
    """Open exceptions ``user`` is accountable for or on contracts they manage."""
    return open_exceptions().filter(
        Q(accountable_officer=user) | Q(contract__contract_manager=user)
    )


def strategic_suppliers(*, today: date) -> list[Supplier]:
    """Strategic suppliers, each with its running contracts (``running``) and their risks."""
    suppliers = list(Supplier.objects.filter(is_strategic=True).order_by("name"))
    contracts = portfolio(today=today).filter(supplier__in=suppliers)
    by_supplier: dict[int, list[Contract]] = defaultdict(list)
    for contract in contracts:
        by_supplier[contract.supplier_id].append(contract)
    for supplier in suppliers:
        supplier.running = by_supplier[supplier.pk]
        supplier.running_value = sum(c.whole_life_value for c in supplier.running)
    return suppliers


# --- Supplier resilience (seed 000 §8d, §9 objective 4) ---------------------------------------

RISK_RANKS = {Contract.Risk.LOW: 1, Contract.Risk.MEDIUM: 2, Contract.Risk.HIGH: 3}
RISK_OF_RANK = {rank: Contract.Risk(risk).label for risk, rank in RISK_RANKS.items()}


def _risk_rank(field_name: str = "risk_rating") -> Case:
    return Case(
        *[When(**{field_name: risk}, then=Value(rank)) for risk, rank in RISK_RANKS.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def holds_key_contract(*, on: date, supplier_ref: str = "supplier") -> Exists:
    """Whether the supplier holds a contract over £1.5m running on ``on``, as a subquery."""
    return Exists(
        Contract.objects.filter(
            running_condition(today=on),
            supplier=OuterRef(supplier_ref),
            whole_life_value__gt=KEY_CONTRACT_ABOVE,
        )
    )


def health_check_months(supplier: Supplier, *, on: date) -> int:
    """How often ``supplier``'s health is checked: more often for a strategic supplier or one
    holding a running key contract (over £1.5m) on ``on`` (one query at most)."""
    if supplier.is_strategic:
        return HEALTH_CHECK_MONTHS_KEY
    key = Supplier.objects.filter(holds_key_contract(on=on, supplier_ref="pk"), pk=supplier.pk)
    return HEALTH_CHECK_MONTHS_KEY if key.exists() else HEALTH_CHECK_MONTHS


def health_check_due(*, on: date) -> Case:
    """A health check's next due date as its supplier stands on ``on``: the sooner date once
    the supplier is strategic or holds a running key contract, however it became one after the
    check (a new contract, an import, a variation, a change of the supplier's flag)."""
    return Case(
        When(
            holds_key_contract(on=on) | Q(supplier__is_strategic=True),
            then=F("next_due_if_key"),
        ),
        default=F("next_due"),
        output_field=DateField(),
    )


def latest_health_of(field_name: str, *, on: date, supplier_ref: str = "pk") -> Subquery:
    """A supplier's latest health check's ``field_name`` (or ``due``, its next due date as the
    supplier stands on ``on``), as a subquery to annotate."""
    checks = SupplierHealthCheck.objects.filter(supplier=OuterRef(supplier_ref)).annotate(
        due=health_check_due(on=on)
    )
    return Subquery(checks.order_by("-checked_on", "-pk").values(field_name)[:1])


@dataclass
class SupplierResilience:
    supplier: Supplier
    checks: list[SupplierHealthCheck]
    running: list[Contract]
    plans: list[ResiliencePlan]
    months: int
    today: date

    @property
    def latest(self) -> SupplierHealthCheck | None:
        return self.checks[0] if self.checks else None

    @property
    def checked_sooner(self) -> bool:
        """Strategic or holding a running contract over £1.5m: checked every 6 months."""
        return self.months == HEALTH_CHECK_MONTHS_KEY

    @property
    def due(self) -> date | None:
        """When the next check is due, as the supplier now stands."""
        return self.latest.due_on(key=self.checked_sooner) if self.latest else None

    @property
    def overdue(self) -> bool:
        return self.latest is not None and self.due < self.today

    @property
    def needs_plans(self) -> bool:
        return self.supplier.is_strategic

    @property
    def current_plans(self) -> dict[str, ResiliencePlan]:
        return current_plans(self.plans, self.today)

    @property
    def missing_plans(self) -> list[str]:
        """The current plans a strategic supplier lacks: "No exit plan"."""
        return plans_missing(self.current_plans) if self.needs_plans else []


def supplier_resilience(supplier: Supplier, *, today: date) -> SupplierResilience:
    """A supplier's health checks, running contracts (each with its plans and ``key`` flag) and
    its own plans (a fixed number of queries)."""
    checks = list(supplier.health_checks.select_related("checked_by"))
    running = list(
        portfolio(today=today)
        .filter(supplier=supplier)
        .annotate(is_key=ExpressionWrapper(key_condition(), output_field=BooleanField()))
        .prefetch_related(
            Prefetch("plans", queryset=ResiliencePlan.objects.select_related("uploaded_by"))
        )
    )
    for contract in running:
        contract.current_plans = current_plans(contract.plans.all(), today)
        contract.missing_plans = plans_missing(contract.current_plans) if contract.is_key else []
    plans = list(supplier.plans.select_related("uploaded_by"))
    # Checked more often for a contract over £1.5m, not for every key contract (0057).
    sooner = supplier.is_strategic or any(c.whole_life_value > KEY_CONTRACT_ABOVE for c in running)
    months = HEALTH_CHECK_MONTHS_KEY if sooner else HEALTH_CHECK_MONTHS
    return SupplierResilience(supplier, checks, running, plans, months, today)


def _running_contracts(*, today: date, partner=None) -> QuerySet[Contract]:
    contracts = Contract.objects.filter(running_condition(today=today))
    if partner is not None:
        contracts = contracts.filter(directorate__business_partner=partner)
    return contracts


def supplier_risks(*, today: date, partner=None) -> QuerySet:
    """Each supplier with running contracts (in ``partner``'s directorates, if given): their
    total whole-life value, number of contracts and directorates, worst risk rating (as a rank,
    ``RISK_OF_RANK``), and its last health check's rating, date and next due; largest first.
    One query."""
    return (
        _running_contracts(today=today, partner=partner)
        .values("supplier_id", "supplier__name", "supplier__is_strategic")
        .annotate(
            total=Sum("whole_life_value"),
            contracts=Count("pk"),
            directorates=Count("directorate", distinct=True),
            worst=Max(_risk_rank()),
            key=Count("pk", filter=Q(whole_life_value__gt=KEY_CONTRACT_ABOVE)),
            health=latest_health_of("rating", on=today, supplier_ref="supplier_id"),
            checked_on=latest_health_of("checked_on", on=today, supplier_ref="supplier_id"),
            due=latest_health_of("due", on=today, supplier_ref="supplier_id"),
        )
        .order_by("-total", "supplier__name")
    )


def supplier_risk_counts(*, today: date, partner=None) -> dict[str, int]:
    """The headline figures of the supplier risk page (one query)."""
    rows = supplier_risks(today=today, partner=partner)
    return rows.aggregate(
        suppliers=Count("supplier_id"),
        high=Count("supplier_id", filter=Q(worst=RISK_RANKS[Contract.Risk.HIGH])),
        never_checked=Count("supplier_id", filter=Q(checked_on__isnull=True)),
        overdue=Count("supplier_id", filter=Q(due__lt=today)),
        concerns=Count("supplier_id", filter=Q(health__in=SupplierHealthCheck.CONCERNS)),
    )


@dataclass(frozen=True)
class Concentration:
    total: Decimal
    suppliers: int
    top: list[dict]

    @property
    def top_total(self) -> Decimal:
        return sum((row["value"] for row in self.top), Decimal("0"))


def share_of(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def contracted_concentration(*, today: date, partner=None, top: int = 10) -> Concentration:
    """The whole-life value of the contracts running on ``today`` (in ``partner``'s
    directorates), the number of suppliers holding it and the ``top`` suppliers by value, each
    with its share (two queries)."""
    contracts = _running_contracts(today=today, partner=partner)
    totals = contracts.aggregate(
        total=Coalesce(Sum("whole_life_value"), Decimal("0")),
        suppliers=Count("supplier", distinct=True),
    )
    rows = list(
        contracts.values("supplier_id", "supplier__name")
        .annotate(value=Sum("whole_life_value"))
        .order_by("-value", "supplier__name")[:top]
    )
    for row in rows:
        row["share"] = share_of(row["value"], totals["total"])
    return Concentration(totals["total"], totals["suppliers"], rows)


def health_checks_overdue(*, on: date) -> QuerySet[SupplierHealthCheck]:
    """Each supplier's latest health check whose next check was due before ``on`` (``due``, as
    the supplier stands on ``on``), for suppliers with a contract running on ``on``: what the
    overdue alert is about (one query)."""
    running = Contract.objects.filter(running_condition(today=on), supplier=OuterRef("supplier"))
    latest = SupplierHealthCheck.objects.filter(supplier=OuterRef("supplier")).order_by(
        "-checked_on", "-pk"
    )
    return (
        SupplierHealthCheck.objects.annotate(due=health_check_due(on=on))
        .filter(due__lt=on)
        .alias(latest=Subquery(latest.values("pk")[:1]))
        .filter(pk=F("latest"))
        .filter(Exists(running))
        .select_related("supplier")
        .order_by("due", "pk")
    )


def health_check_managers(*, supplier_ids: Iterable[int], on: date) -> dict[int, list[User]]:
    """The active contract managers of each supplier's contracts running on ``on`` (one query)."""
    found: dict[int, list[User]] = defaultdict(list)
    contracts = (
        Contract.objects.filter(
            running_condition(today=on),
            supplier_id__in=list(supplier_ids),
            contract_manager__is_active=True,
        )
        .select_related("contract_manager")
        .order_by("contract_manager__email", "pk")
    )
    for contract in contracts:
        managers = found[contract.supplier_id]
        if contract.contract_manager not in managers:
            managers.append(contract.contract_manager)
    return found
