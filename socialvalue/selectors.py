"""Reads of social value, shared by the pages, the CSV export, the home page and the reports.

Each runs a fixed number of queries whatever the number of contracts, commitments or returns.
Raw outputs (hours, people, £ spent locally) always come with any £ value: a £ value exists only
where the measure has a proxy value, in the library version the commitment was made under.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear

from contracts.models import Contract
from performance.models import financial_year_label, financial_year_of
from procurement.numbers import sum_known
from procurement.rules import is_central_team

from .models import Commitment, DeliveryReturn, Measure, MeasureLibrary

Status = DeliveryReturn.Status


def measures_in_use(ids: Iterable[int]) -> set[int]:
    """Which of these measures anything (a contract, a bid, a Gateway 1 strategy) refers to."""
    ids = list(ids)
    used: set[int] = set()
    if not ids:
        return used
    for relation in Measure._meta.related_objects:
        name = relation.field.name
        used.update(
            relation.related_model._default_manager.filter(**{f"{name}__in": ids}).values_list(
                name, flat=True
            )
        )
    return used


def measures_for_choice() -> QuerySet[Measure]:
    """Every measure, with its library, outcome and theme, in library order."""
    return Measure.objects.select_related("library", "outcome__theme").order_by(
        "library__name", "-library__year", "-library__version", "order", "pk"
    )


def libraries_with_counts() -> QuerySet[MeasureLibrary]:
    return MeasureLibrary.objects.annotate(
        measure_count=Count("measures", distinct=True),
        valued_count=Count(
            "measures", filter=Q(measures__proxy_value__isnull=False), distinct=True
        ),
        commitment_count=Count("measures__commitments", distinct=True),
    )


# --- A contract's plan ------------------------------------------------------------------------


@dataclass
class CommitmentPosition:
    """A commitment with what its returns show: verified delivery, and what awaits checking."""

    commitment: Commitment
    returns: list[DeliveryReturn]
    today: date

    @property
    def measure(self) -> Measure:
        return self.commitment.measure

    def _total(self, status: str) -> Decimal:
        return sum((r.quantity for r in self.returns if r.status == status), Decimal("0"))

    @property
    def delivered(self) -> Decimal:
        return self._total(Status.VERIFIED)

    @property
    def awaiting(self) -> Decimal:
        return self._total(Status.AWAITING)

    @property
    def queried(self) -> int:
        return sum(1 for r in self.returns if r.status == Status.QUERIED)

    @property
    def expected(self) -> Decimal:
        return self.commitment.expected_by(self.today)

    @property
    def percent(self) -> Decimal:
        return percent_of(self.delivered, self.commitment.quantity)

    @property
    def delivered_value(self) -> Decimal | None:
        return self.measure.value_of(self.delivered)

    @property
    def status(self) -> str:
        """Delivered, on track, behind (against an even pace to the target date) or missed."""
        if self.delivered >= self.commitment.quantity:
            return "delivered"
        if self.today > self.commitment.target_date:
            return "missed"
        return "on_track" if self.delivered >= self.expected else "behind"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


STATUS_LABELS = {
    "delivered": "Delivered",
    "on_track": "On track",
    "behind": "Behind target",
    "missed": "Target date missed",
}


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0")
    return (part * 100 / whole).quantize(Decimal("1"))


def contract_plan(contract: Contract, today: date) -> list[CommitmentPosition]:
    """The contract's social value plan: each commitment with its returns (two queries)."""
    commitments = (
        Commitment.objects.filter(contract=contract)
        .select_related("measure__library", "measure__outcome__theme", "created_by")
        .prefetch_related(
            Prefetch(
                "returns",
                queryset=DeliveryReturn.objects.select_related("recorded_by", "checked_by"),
            )
        )
    )
    positions = []
    for commitment in commitments:
        commitment.contract = contract  # the pace to the target is from the contract's start
        positions.append(
            CommitmentPosition(
                commitment=commitment, returns=list(commitment.returns.all()), today=today
            )
        )
    return positions


def plan_summary(positions: list[CommitmentPosition]) -> dict:
    """Counts and £ totals of a plan, for the contract page's panel."""
    counts = defaultdict(int)
    for position in positions:
        counts[position.status] += 1
    committed = [p.commitment.value for p in positions if p.commitment.value is not None]
    delivered = [p.delivered_value for p in positions if p.delivered_value is not None]
    return {
        "commitments": len(positions),
        "behind": counts["behind"] + counts["missed"],
        "delivered": counts["delivered"],
        "awaiting": sum(1 for p in positions for r in p.returns if r.status == Status.AWAITING),
        "queried": sum(p.queried for p in positions),
        "committed_value": sum(committed, Decimal("0")) if committed else None,
        "delivered_value": sum(delivered, Decimal("0")) if delivered else None,
    }


# --- The portfolio ----------------------------------------------------------------------------


def _financial_year(field_name: str):
    """The financial year (by the year it starts) of a date column, in the database."""
    return ExtractYear(field_name) - Case(
        When(**{f"{field_name}__month__lt": 4}, then=1), default=0, output_field=IntegerField()
    )


GROUPINGS = {
    # key: (label, commitment's group column, return's group column)
    "theme": (
        "Theme",
        "measure__outcome__theme__name",
        "commitment__measure__outcome__theme__name",
    ),
    "directorate": (
        "Directorate",
        "contract__directorate__name",
        "commitment__contract__directorate__name",
    ),
    "supplier": ("Supplier", "contract__supplier__name", "commitment__contract__supplier__name"),
    "year": ("Financial year", "year", "year"),
}


@dataclass(frozen=True)
class PortfolioFilters:
    year: int | None = None
    directorate_id: int | None = None
    theme: str = ""
    supplier_id: int | None = None

    def commitments(self) -> QuerySet[Commitment]:
        found = Commitment.objects.annotate(year=_financial_year("target_date"))
        return found.filter(self._condition(""))

    def returns(self) -> QuerySet[DeliveryReturn]:
        found = DeliveryReturn.objects.annotate(year=_financial_year("period_start"))
        return found.filter(self._condition("commitment__"))

    def _condition(self, prefix: str) -> Q:
        condition = Q()
        if self.year is not None:
            condition &= Q(year=self.year)
        if self.directorate_id:
            condition &= Q(**{f"{prefix}contract__directorate_id": self.directorate_id})
        if self.supplier_id:
            condition &= Q(**{f"{prefix}contract__supplier_id": self.supplier_id})
        if self.theme:
            condition &= Q(**{f"{prefix}measure__outcome__theme__name": self.theme})
        return condition


@dataclass
class PortfolioRow:
    measure: Measure
    committed: Decimal = Decimal("0")
    delivered: Decimal = Decimal("0")
    awaiting: Decimal = Decimal("0")
    contracts: int = 0

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.delivered, self.committed) if self.committed else None

    @property
    def committed_value(self) -> Decimal | None:
        return self.measure.value_of(self.committed)

    @property
    def delivered_value(self) -> Decimal | None:
        return self.measure.value_of(self.delivered)


@dataclass
class PortfolioGroup:
    label: str
    rows: list[PortfolioRow] = field(default_factory=list)

    def _sum(self, name: str) -> Decimal | None:
        return sum_known(getattr(line, name) for line in self.rows)

    @property
    def committed_value(self) -> Decimal | None:
        return self._sum("committed_value")

    @property
    def delivered_value(self) -> Decimal | None:
        return self._sum("delivered_value")


def social_value_portfolio(*, filters: PortfolioFilters, by: str) -> list[PortfolioGroup]:
    """Committed against delivered, a row per measure, grouped by theme, directorate, supplier
    or financial year (four queries).

    Committed counts the commitments due in a year (by their target date); delivered counts the
    verified returns for periods in it, and awaiting those not yet checked.
    """
    _, commitment_key, return_key = GROUPINGS[by]
    committed = (
        filters.commitments()
        .values(group=F(commitment_key), measure_key=F("measure_id"))
        .annotate(quantity=Sum("quantity"), contracts=Count("contract_id", distinct=True))
    )
    delivered = (
        filters.returns()
        .filter(status__in=[Status.VERIFIED, Status.AWAITING])
        .values(group=F(return_key), measure_key=F("commitment__measure_id"), state=F("status"))
        .annotate(quantity=Sum("quantity"))
    )
    rows: dict[tuple, PortfolioRow] = {}
    measure_ids = set()
    figures = list(committed), list(delivered)
    for entry in figures[0] + figures[1]:
        measure_ids.add(entry["measure_key"])
    measures = Measure.objects.select_related("library", "outcome__theme").in_bulk(measure_ids)
    for entry in figures[0]:
        row = rows.setdefault(
            (entry["group"], entry["measure_key"]), PortfolioRow(measures[entry["measure_key"]])
        )
        row.committed = entry["quantity"]
        row.contracts = entry["contracts"]
    for entry in figures[1]:
        row = rows.setdefault(
            (entry["group"], entry["measure_key"]), PortfolioRow(measures[entry["measure_key"]])
        )
        if entry["state"] == Status.VERIFIED:
            row.delivered = entry["quantity"]
        else:
            row.awaiting = entry["quantity"]
    groups: dict = {}
    for (group, _), row in rows.items():
        groups.setdefault(group, []).append(row)
    ordered = sorted(groups.items(), key=lambda item: _group_order(by, item[0]))
    return [
        PortfolioGroup(
            label=_group_label(by, group),
            rows=sorted(
                group_rows,
                key=lambda r: (r.measure.library.name, r.measure.library.version, r.measure.order),
            ),
        )
        for group, group_rows in ordered
    ]


def _group_order(by: str, group) -> tuple:
    if by == "year":
        return (group is None, group or 0)
    return (group is None, str(group or "").lower())


def _group_label(by: str, group) -> str:
    if group is None:
        return "No supplier" if by == "supplier" else "Not recorded"
    return financial_year_label(group) if by == "year" else str(group)


def portfolio_years(today: date) -> list[int]:
    """The financial years with commitments due or returns made, and the current one."""
    # Unordered, so the distinct years are a few rows, not a row per commitment or return.
    years = set(
        Commitment.objects.annotate(year=_financial_year("target_date"))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    ) | set(
        DeliveryReturn.objects.annotate(year=_financial_year("period_start"))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    years.add(financial_year_of(today))
    return sorted(years, reverse=True)


def portfolio_themes() -> list[str]:
    """The names of the themes of every library, once each."""
    return sorted(
        set(Measure.objects.values_list("outcome__theme__name", flat=True)), key=str.lower
    )


# --- Work waiting on someone ------------------------------------------------------------------


def returns_awaiting_verification(*, user) -> QuerySet[DeliveryReturn]:
    """Returns nobody has checked that are ``user``'s to verify, oldest first: on contracts they
    manage; and for the central team, those the contract manager cannot verify (the contract
    names none, or one who has left, or the manager recorded the return). Never their own."""
    mine = Q(commitment__contract__contract_manager=user)
    if is_central_team(user):
        manager = "commitment__contract__contract_manager"
        mine |= (
            Q(**{f"{manager}__isnull": True})
            | Q(**{f"{manager}__is_active": False})
            | Q(recorded_by=F(manager))
        )
    # The returns awaiting a check are few: found first, by themselves. Joined to the contracts
    # with the conditions above, the database reads every contract to find them.
    awaiting = (
        DeliveryReturn.objects.filter(status=Status.AWAITING)
        .exclude(recorded_by=user)
        .values_list("pk", flat=True)
    )
    return DeliveryReturn.objects.filter(mine, pk__in=list(awaiting)).order_by("recorded_at", "pk")


def returns_queried(*, user) -> QuerySet[DeliveryReturn]:
    """Returns ``user`` recorded that the contract manager has queried."""
    return DeliveryReturn.objects.filter(status=Status.QUERIED, recorded_by=user)
