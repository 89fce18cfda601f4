"""What the council learns from its payments beyond the gaps: where directorates buy the same
thing apart (aggregation opportunities, RBKC §8b), how quickly invoices are paid (the Procurement
Act 2023's payment compliance figures, s.69, and the council's local target, Kent R20), and the
few figures the dashboard and the annual report read.

Every figure is built in the database (GROUP BY and conditional aggregates), in a fixed number
of queries whatever the number of payments. The pages, their exports, the API, the dashboard and
the annual report all read these selectors, so they agree; the twelve months, the spend totals
and the contracts past their value are :mod:`spend.selectors.gaps`'s, for the same reason.

Payment timing counts payment lines, not invoices: a finance system's transparency file gives a
line per invoice paid as a rule, and a line is what the file identifies (its transaction and
line). A credit note (a negative line) is not an invoice paid and is left out of the timing
figures, as is a line of no amount; a line with neither an invoice date nor a date the invoice
was received is left out and counted as such.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear

from contracts.models import Contract
from contracts.selectors import running_condition
from spend.models import Payment, SpendSettings
from spend.selectors.gaps import share

PROMPT_DAYS = 30  # the Procurement Act 2023's payment term: paid within 30 days
MONEY_SUM = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY_SUM)
NOTHING = Decimal("0")
# Paid with no contract: the rules or an officer found none (not a payment still waiting).
NO_CONTRACT = Q(contract_match=Payment.ContractMatch.NONE)


# --- Periods ---------------------------------------------------------------------------------


def half_year_key(day: date) -> int:
    """The six-month period ``day`` falls in (1 April to 30 September, 1 October to 31 March),
    as ``half_year_of`` works it out in the database: twice its financial year, plus one for
    the second half."""
    year = day.year if day.month >= 4 else day.year - 1
    return year * 2 + (0 if 4 <= day.month <= 9 else 1)


def half_year_bounds(key: int) -> tuple[date, date]:
    """The first and last days of the six-month period ``key``."""
    year, second = divmod(key, 2)
    if second:
        return date(year, 10, 1), date(year + 1, 3, 31)
    return date(year, 4, 1), date(year, 9, 30)


def half_year_label(key: int) -> str:
    start, end = half_year_bounds(key)
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def half_year_of(field_name: str) -> Case:
    """``half_year_key`` of a date column, in the database."""
    year = ExtractYear(field_name)
    return Case(
        When(**{f"{field_name}__month__lt": 4}, then=(year - 1) * 2 + 1),
        When(**{f"{field_name}__month__gt": 9}, then=year * 2 + 1),
        default=year * 2,
        output_field=IntegerField(),
    )


class DaysBetween(Func):
    """Whole days from the first date to the second, in the database."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_postgresql(self, compiler, connection, **extra):
        # date - date is a whole number of days in PostgreSQL.
        return self.as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def _paid_between(start: date, end: date, directorate_id: int | None = None) -> QuerySet:
    found = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    return found.filter(directorate_id=directorate_id) if directorate_id else found


# --- Aggregation opportunities ----------------------------------------------------------------


def supplier_opportunities(*, start: date, end: date) -> QuerySet:
    """Suppliers on the register paid by two or more directorates in a period under separate
    contracts or with no contract (``contract_match`` NONE; a payment waiting for an officer is
    neither): each with the number of directorates and of contracts, the
    combined amount paid (and of it, paid with no contract) and the combined whole-life value of
    the contracts paid under; the largest combined amount first."""
    contracts_paid = Contract.objects.filter(
        supplier_id=OuterRef("supplier_id"),
        pk__in=Payment.objects.filter(paid_on__gte=start, paid_on__lte=end).values("contract_id"),
    )
    contract_value = (
        contracts_paid.order_by().values("supplier_id").annotate(total=Sum("whole_life_value"))
    )
    return (
        _paid_between(start, end)
        .filter(supplier__isnull=False)
        .values("supplier_id", "supplier__name", "supplier__is_sme", "supplier__is_vcse")
        .annotate(
            directorates=Count("directorate", distinct=True),
            contracts=Count("contract", distinct=True),
            paid=Sum("amount"),
            paid_no_contract=Coalesce(Sum("amount", filter=NO_CONTRACT), ZERO),
            lines_no_contract=Count("pk", filter=NO_CONTRACT),
            contract_value=Coalesce(
                Subquery(contract_value.values("total"), output_field=MONEY_SUM), ZERO
            ),
        )
        .filter(directorates__gte=2)
        .filter(Q(contracts__gte=2) | Q(lines_no_contract__gt=0))
        .order_by("-paid", "supplier__name")
    )


def directorates_paying(rows: list[dict], *, start: date, end: date) -> dict[int, list[str]]:
    """The directorates that paid each of ``rows``' suppliers in the period, by name (one
    query)."""
    suppliers = [row["supplier_id"] for row in rows]
    found: dict[int, list[str]] = {supplier: [] for supplier in suppliers}
    pairs = (
        _paid_between(start, end)
        .filter(supplier_id__in=suppliers, directorate__isnull=False)
        .values_list("supplier_id", "directorate__name")
        .distinct()
        .order_by("supplier_id", "directorate__name")
    )
    for supplier, name in pairs:
        found[supplier].append(name)
    return found


def category_opportunities(*, on: date, category_id: int | None = None) -> QuerySet:
    """Contract categories bought by two or more directorates under separate contracts running
    on ``on``: each with the number of directorates and contracts and their combined whole-life
    and annual value; the largest combined value first."""
    found = Contract.objects.filter(running_condition(today=on), category__isnull=False)
    if category_id:
        found = found.filter(category_id=category_id)
    return (
        found.order_by()
        .values("category_id", "category__name")
        .annotate(
            directorates=Count("directorate", distinct=True),
            contracts=Count("pk"),
            value=Coalesce(Sum("whole_life_value"), ZERO),
            annual=Coalesce(Sum("annual_value"), ZERO),
        )
        .filter(directorates__gte=2)
        .order_by("-value", "category__name")
    )


def contracts_ending_together(*, on: date, category_id: int | None = None) -> QuerySet:
    """Contracts in one category ending in the same six-month period (1 April to 30 September,
    1 October to 31 March) from ``on``, two or more of them: each category and period with the
    number of contracts and directorates and their combined whole-life value, soonest first."""
    found = Contract.objects.filter(
        running_condition(today=on), category__isnull=False, end_date__isnull=False
    )
    if category_id:
        found = found.filter(category_id=category_id)
    return (
        found.order_by()
        .annotate(period=half_year_of("end_date"))
        .values("category_id", "category__name", "period")
        .annotate(
            contracts=Count("pk"),
            directorates=Count("directorate", distinct=True),
            value=Coalesce(Sum("whole_life_value"), ZERO),
            first_end=Min("end_date"),
            last_end=Max("end_date"),
        )
        .filter(contracts__gte=2)
        .order_by("period", "-value", "category__name")
    )


def contracts_ending_in(*, on: date, category_id: int, period: int) -> QuerySet[Contract]:
    """The contracts behind a row of ``contracts_ending_together``."""
    start, end = half_year_bounds(period)
    return (
        Contract.objects.filter(running_condition(today=on), category_id=category_id)
        .filter(end_date__gte=start, end_date__lte=end)
        .select_related("directorate", "supplier")
        .order_by("end_date", "reference")
    )


# --- Payment performance ----------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """How promptly a group of invoices was paid."""

    label: str
    invoices: int
    within_30: int
    within_target: int
    average_days: Decimal | None
    key: object = None

    @property
    def late(self) -> int:
        return self.invoices - self.within_30

    @property
    def within_30_share(self) -> Decimal | None:
        return share(self.within_30, self.invoices)

    @property
    def within_target_share(self) -> Decimal | None:
        return share(self.within_target, self.invoices)


@dataclass(frozen=True)
class PaymentPerformance:
    """Payment performance in a period: overall, for SMEs and VCSEs, by directorate and by
    six-month period, with the council's target and the lines left out."""

    start: date
    end: date
    target_days: int
    target_share: Decimal
    overall: Timing
    sme: Timing
    vcse: Timing
    no_invoice_date: int
    credit_notes: int
    by_directorate: list[Timing] = field(default_factory=list)
    by_period: list[Timing] = field(default_factory=list)

    @property
    def meets_target(self) -> bool | None:
        found = self.overall.within_target_share
        return None if found is None else found >= self.target_share


def spend_settings() -> SpendSettings:
    """The council's spend settings (the defaults, if none were kept)."""
    return SpendSettings.objects.first() or SpendSettings()


def _timed(start: date, end: date, directorate_id: int | None) -> QuerySet:
    received = Coalesce("invoice_received_on", "invoice_date")
    return (
        _paid_between(start, end, directorate_id)
        .filter(amount__gt=0)
        .annotate(received=received)
        .filter(received__isnull=False)
        .annotate(days=DaysBetween("paid_on", "received"))
    )


def _timing(target_days: int, prefix: str = "", among: Q | None = None) -> dict:
    """The aggregates of a ``Timing``, of the lines ``among`` picks (all, if None)."""

    def of(condition: Q | None) -> Q | None:
        if among is None:
            return condition
        return among if condition is None else among & condition

    return {
        f"{prefix}invoices": Count("pk", filter=of(None)),
        f"{prefix}within_30": Count("pk", filter=of(Q(days__lte=PROMPT_DAYS))),
        f"{prefix}within_target": Count("pk", filter=of(Q(days__lte=target_days))),
        f"{prefix}average_days": Avg("days", filter=of(None)),
    }


def _timing_of(label: str, row: dict, prefix: str = "", key=None) -> Timing:
    average = row[f"{prefix}average_days"]
    return Timing(
        label=label,
        invoices=row[f"{prefix}invoices"],
        within_30=row[f"{prefix}within_30"],
        within_target=row[f"{prefix}within_target"],
        average_days=None
        if average is None
        else Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP),
        key=key,
    )


def payment_performance(
    *, start: date, end: date, directorate_id: int | None = None
) -> PaymentPerformance:
    """How promptly invoices paid in a period were paid: within 30 days and within the local
    target, overall, for SMEs and VCSEs, by directorate and by six-month period (five queries)."""
    kept = spend_settings()
    days = kept.local_target_days
    timed = _timed(start, end, directorate_id)
    found = timed.aggregate(
        **_timing(days),
        **_timing(days, "sme_", Q(supplier__is_sme=True)),
        **_timing(days, "vcse_", Q(supplier__is_vcse=True)),
    )
    left_out = _paid_between(start, end, directorate_id).aggregate(
        no_invoice_date=Count(
            "pk",
            filter=Q(amount__gt=0, invoice_received_on__isnull=True, invoice_date__isnull=True),
        ),
        credit_notes=Count("pk", filter=Q(amount__lt=0)),
    )
    by_directorate = (
        timed.order_by()
        .values("directorate_id", "directorate__name")
        .annotate(**_timing(days))
        .order_by("directorate__name")
    )
    by_period = (
        timed.order_by()
        .annotate(period=half_year_of("paid_on"))
        .values("period")
        .annotate(**_timing(days))
        .order_by("period")
    )
    return PaymentPerformance(
        start=start,
        end=end,
        target_days=days,
        target_share=kept.local_target_share,
        overall=_timing_of("All invoices", found),
        sme=_timing_of("SMEs", found, "sme_"),
        vcse=_timing_of("VCSE organisations", found, "vcse_"),
        by_directorate=[
            _timing_of(row["directorate__name"] or "No directorate", row, key=row["directorate_id"])
            for row in by_directorate
        ],
        by_period=[
            _timing_of(half_year_label(row["period"]), row, key=row["period"]) for row in by_period
        ],
        **left_out,
    )


def periods_start(day: date, *, periods: int = 4) -> date:
    """The first day of the six-month period ``periods - 1`` periods before ``day``'s."""
    return half_year_bounds(half_year_key(day) - periods + 1)[0]
