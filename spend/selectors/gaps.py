"""What the council learns about the gaps between its payments and its register: spend with no
contract, and contracts paid past their value or their dates.

Every figure is summed by the database, over the payments as they stand (credit notes are
negative lines, so they net off); each reader runs a fixed number of queries whatever the number
of payments.

A line of the no-contract list is one payee in one directorate: the register's supplier where the
payee is matched to one, else the payee as compared (its key), and the redacted payees of a
directorate together as one "Redacted" line. An :class:`~spend.models.Explanation` names a line
the same way (supplier, payee key, directorate), whatever finance system the payments came from.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
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
from django.db.models.functions import Coalesce

from contracts.lead_times import add_months
from contracts.models import Contract, Supplier
from procurement.models import Directorate
from procurement.numbers import money
from procurement.query import MAX_ID
from spend.models import (
    ContractPaid,
    Explanation,
    KeptSpend,
    NoContractLine,
    Payment,
    SpendThreshold,
)

ContractMatch = Payment.ContractMatch
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
# The shares of a contract's value at which the list warns, and the alerts are sent.
WARN_AT = Decimal("80")
OVER_AT = Decimal("100")
REDACTED = "Redacted"
# A kept line's columns, as the lines summed from the payments name them.
KEPT_LINE = (
    "line_supplier",
    "line_payee",
    "line_directorate",
    "total",
    "payments",
    "first_paid",
    "last_paid",
    "source",
    "payee_name",
)


def twelve_months_to(day: date) -> tuple[date, date]:
    """The twelve months to and including ``day``, both days included: from the day after the
    same date a year earlier (by calendar months, so 29 February 2028 runs from 1 March 2027).
    Every "last twelve months" figure of the spend pages, the dashboard and the alerts uses it."""
    return add_months(day, -12) + timedelta(days=1), day


def window_start(today: date) -> date:
    """The first day of the twelve months to and including ``today``."""
    return twelve_months_to(today)[0]


def share(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one place (None where there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def value_share(share_of_value) -> Decimal:
    """A contract's share of its value paid, as shown: to one place, rounded down, so what is
    shown is on the same side of 80% and 100% as the share itself."""
    return Decimal(share_of_value).quantize(Decimal("0.1"), ROUND_DOWN)


class PastValueMixin:
    """Where a share of a contract's value paid stands (``share``, a percentage): past its value
    at 100% or more, near it from 80% to under 100%. The one boundary of the lists, the counts,
    the alerts and the annual report."""

    share: Decimal

    @property
    def is_over(self) -> bool:
        return self.share >= OVER_AT

    @property
    def is_near(self) -> bool:
        return WARN_AT <= self.share < OVER_AT


# --- Spend with no contract -------------------------------------------------------------------


@dataclass(frozen=True)
class GapFilters:
    directorate_id: int | None = None
    band: Decimal | None = None  # a threshold's amount: lines reaching it and not the next
    explained: bool | None = None  # None: both


def _line_keys() -> dict:
    """A payment's line, as columns: supplier (0 for none), payee key where no supplier,
    directorate (0 for none)."""
    return {
        "line_supplier": Coalesce("supplier", 0, output_field=IntegerField()),
        "line_payee": Case(
            When(supplier__isnull=True, then=F("payee_key")),
            default=Value(""),
            output_field=CharField(),
        ),
        "line_directorate": Coalesce("directorate", 0, output_field=IntegerField()),
    }


def _explanations_of_line() -> QuerySet[Explanation]:
    """The explanations of an outer row's line (its ``line_*`` columns)."""
    return Explanation.objects.annotate(
        of_supplier=Coalesce("supplier", 0, output_field=IntegerField()),
        of_directorate=Coalesce("directorate", 0, output_field=IntegerField()),
    ).filter(
        of_supplier=OuterRef("line_supplier"),
        payee_key=OuterRef("line_payee"),
        of_directorate=OuterRef("line_directorate"),
    )


def no_contract_payments(
    *, today: date, directorate_id: int | None = None, start: date | None = None
) -> QuerySet[Payment]:
    """The payments under no contract (``contract_match`` NONE) of the twelve months to
    ``today`` (or from ``start``), with their line's keys."""
    payments = Payment.objects.filter(
        contract_match=ContractMatch.NONE,
        paid_on__gte=start or window_start(today),
        paid_on__lte=today,
    )
    if directorate_id is not None:
        payments = payments.filter(directorate_id=directorate_id)
    return payments.annotate(**_line_keys())


def thresholds() -> list[Decimal]:
    """The thresholds' amounts, lowest first."""
    return list(SpendThreshold.objects.order_by("amount").values_list("amount", flat=True))


def live_no_contract_lines(
    *,
    today: date,
    directorate_id: int | None = None,
    start: date | None = None,
    scope: Q | None = None,
) -> QuerySet:
    """The lines summed from the payments (``scope``: of these payments only), unordered: the
    columns of :class:`~spend.models.NoContractLine`."""
    payments = no_contract_payments(today=today, directorate_id=directorate_id, start=start)
    if scope is not None:
        payments = payments.filter(scope)
    return (
        payments.order_by()
        .values("line_supplier", "line_payee", "line_directorate")
        .annotate(
            total=Sum("amount"),
            payments=Count("pk"),
            first_paid=Min("paid_on"),
            last_paid=Max("paid_on"),
            source=Min("source"),
            payee_name=Max("payee"),
        )
    )


def lines_kept_for(today: date) -> bool:
    """Whether the kept lines are the twelve months to ``today`` (docs/decisions/0052)."""
    return KeptSpend.objects.filter(pk=1, lines_for=today).exists()


def no_contract_lines(
    *, today: date, filters: GapFilters = GapFilters(), start: date | None = None
) -> QuerySet:
    """One row a line (``line_supplier``, ``line_payee``, ``line_directorate``, ``total``,
    ``payments``, ``first_paid``, ``last_paid``, ``source``, ``payee_name``, ``explained``),
    largest first; of the twelve months to ``today`` (the kept lines, where they are for
    ``today``), or from ``start`` to ``today`` (summed from the payments)."""
    if start is None and lines_kept_for(today):
        lines = NoContractLine.objects.order_by().values(*KEPT_LINE)
        if filters.directorate_id is not None:
            lines = lines.filter(line_directorate=filters.directorate_id)
    else:
        lines = live_no_contract_lines(
            today=today, directorate_id=filters.directorate_id, start=start
        )
    lines = lines.annotate(explained=Exists(_explanations_of_line()))
    if filters.explained is not None:
        lines = lines.filter(explained=filters.explained)
    if filters.band is not None:
        above = [amount for amount in thresholds() if amount > filters.band]
        lines = in_band(lines, filters.band, above[0] if above else None)
    return lines.order_by("-total", "line_directorate", "line_supplier", "line_payee")


def in_band(lines: QuerySet, lowest: Decimal | None, highest: Decimal | None) -> QuerySet:
    """The lines whose total reaches ``lowest`` (None: any) and not ``highest`` (None: no top):
    as :func:`band_of` bands them."""
    if lowest is not None:
        lines = lines.filter(total__gte=lowest)
    return lines if highest is None else lines.filter(total__lt=highest)


@dataclass(frozen=True)
class Band:
    """The lines of the no-contract list whose total falls in a band of the thresholds."""

    label: str
    lowest: Decimal | None
    highest: Decimal | None
    lines: int
    paid: Decimal


def no_contract_bands(*, start: date, end: date) -> list[Band]:
    """The no-contract list from ``start`` to ``end`` by the band each line's total falls in
    (:func:`band_of`): every line, explained or not, redacted lines and lines netting to nothing
    or less (below the lowest threshold) included, so the bands add up to the list's total (one
    query for the thresholds and one a band)."""
    amounts = thresholds()
    edges: list[Decimal | None] = [None, *amounts]
    lines = no_contract_lines(today=end, start=start).order_by()
    bands = []
    for index, lowest in enumerate(edges):
        highest = edges[index + 1] if index + 1 < len(edges) else None
        if lowest is None:
            label = f"Under {money(highest, 0)}" if highest is not None else "Any amount"
        elif highest is None:
            label = f"{money(lowest, 0)} or more"
        else:
            label = f"{money(lowest, 0)} to under {money(highest, 0)}"
        found = in_band(lines, lowest, highest).aggregate(
            lines=Count("line_supplier"), paid=Coalesce(Sum("total"), ZERO)
        )
        bands.append(Band(label, lowest, highest, found["lines"], found["paid"]))
    return bands


@dataclass
class GapLine:
    """A line of the no-contract list, as shown."""

    supplier: Supplier | None
    payee_key: str
    payee: str  # as the payments name it, or "Redacted"
    directorate: Directorate | None
    total: Decimal
    payments: int
    first_paid: date
    last_paid: date
    source_id: int
    band: Decimal | None
    explanation: Explanation | None = None

    @property
    def name(self) -> str:
        return self.supplier.name if self.supplier else self.payee

    @property
    def is_redacted(self) -> bool:
        return self.supplier is None and not self.payee_key


def band_of(total: Decimal, amounts: list[Decimal]) -> Decimal | None:
    """The highest threshold ``total`` reaches, if any."""
    reached = [amount for amount in amounts if total >= amount]
    return reached[-1] if reached else None


def _explanations_for(rows: list[dict]) -> dict[tuple, Explanation]:
    # 0 and "" are in each set so the query is made whatever the page holds: a page's queries
    # are as many with its lines all suppliers as all payees.
    suppliers = {0} | {row["line_supplier"] for row in rows}
    payees = {""} | {row["line_payee"] for row in rows if not row["line_supplier"]}
    found = Explanation.objects.filter(
        Q(supplier__in=suppliers) | Q(supplier__isnull=True, payee_key__in=payees)
    ).select_related("exempt_category", "explained_by")
    return {
        (each.supplier_id or 0, each.payee_key, each.directorate_id or 0): each
        for each in found.order_by("explained_at", "pk")
    }


def gap_lines_shown(rows: list[dict]) -> list[GapLine]:
    """The rows of a page of :func:`no_contract_lines`, with their supplier, payee's name,
    directorate, band and explanation (a fixed number of queries)."""
    amounts = thresholds()
    # With 0 (none) asked for too, each query is made whatever the page's lines are.
    suppliers = Supplier.objects.in_bulk({0} | {row["line_supplier"] for row in rows})
    directorates = Directorate.objects.in_bulk({0} | {row["line_directorate"] for row in rows})
    explanations = _explanations_for(rows)
    shown = []
    for row in rows:
        key = (row["line_supplier"], row["line_payee"], row["line_directorate"])
        shown.append(
            GapLine(
                supplier=suppliers.get(row["line_supplier"]),
                payee_key=row["line_payee"],
                payee=row["payee_name"] if row["line_payee"] else REDACTED,
                directorate=directorates.get(row["line_directorate"]),
                total=row["total"],
                payments=row["payments"],
                first_paid=row["first_paid"],
                last_paid=row["last_paid"],
                source_id=row["source"],
                band=band_of(row["total"], amounts),
                explanation=explanations.get(key),
            )
        )
    return shown


def gap_line(
    *, supplier_id: int | None, payee_key: str, directorate_id: int | None, today: date
) -> GapLine | None:
    """One line of the no-contract list, or None where there is no such line."""
    rows = list(
        no_contract_lines(today=today, filters=GapFilters(directorate_id=directorate_id))
        .filter(
            line_supplier=supplier_id or 0,
            line_payee="" if supplier_id else payee_key,
            line_directorate=directorate_id or 0,
        )
        .order_by()[:1]
    )
    if not rows:
        return None
    return gap_lines_shown(rows)[0]


# --- The headline figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class SpendTotals:
    """What was paid in a period, credit notes netted off: in all, under a contract on the
    register (``contract`` set), under none (``contract_match`` NONE: the rules or an officer
    found none) and waiting for an officer's match (``contract_match`` WAITING, whatever the
    supplier's match). The one definition of the spend index's, the dashboard's and the annual
    report's headline figures."""

    start: date
    end: date
    paid: Decimal
    on_contract: Decimal
    no_contract: Decimal
    waiting: Decimal
    waiting_payments: int
    waiting_payees: int
    payments: int

    @property
    def on_contract_share(self) -> Decimal | None:
        return share(self.on_contract, self.paid)


@dataclass(frozen=True)
class SpendFigures:
    """The spend index's figures: the twelve months' totals, what of the spend with no contract
    is not explained, and the contracts past their value or dates."""

    totals: SpendTotals
    unexplained: Decimal
    contracts_near: int  # paid 80% of their value, not yet 100%
    contracts_over: int  # paid 100% or more
    paid_after_end: int  # contracts paid after their end


def _sum(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), ZERO)


def explained_total(*, today: date) -> Decimal:
    """What the explained lines were paid in the last twelve months: the kept lines' totals
    where they are for ``today`` (two queries), else each explanation's payments summed through
    the payments' indexes, not every line summed."""
    if lines_kept_for(today):
        kept = NoContractLine.objects.filter(Exists(_explanations_of_line()))
        return kept.aggregate(paid=Coalesce(Sum("total"), ZERO))["paid"]
    payments = (
        no_contract_payments(today=today)
        .filter(line_directorate=OuterRef("of_directorate"))
        .order_by()
    )
    explanations = Explanation.objects.annotate(
        of_directorate=Coalesce("directorate", 0, output_field=IntegerField())
    )
    by_supplier = payments.filter(supplier=OuterRef("supplier")).values("supplier")
    by_payee = payments.filter(supplier__isnull=True, payee_key=OuterRef("payee_key"))
    total = Decimal("0")
    for found, lines in (
        (explanations.filter(supplier__isnull=False), by_supplier),
        (explanations.filter(supplier__isnull=True), by_payee.values("payee_key")),
    ):
        paid = Subquery(
            lines.annotate(paid=Sum("amount")).values("paid"), output_field=DecimalField()
        )
        # One explanation a line: the first, should two ever have been recorded at once.
        sums = found.annotate(paid=paid).order_by("supplier", "payee_key", "of_directorate", "pk")
        seen = set()
        for key, amount in (
            ((row[0], row[1], row[2]), row[3])
            for row in sums.values_list("supplier", "payee_key", "of_directorate", "paid")
        ):
            if key not in seen and amount is not None:
                seen.add(key)
                total += amount
    return total


def spend_totals(*, start: date, end: date, directorate_id: int | None = None) -> SpendTotals:
    """The spend of a period (one query)."""
    payments = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
    if directorate_id is not None:
        payments = payments.filter(directorate_id=directorate_id)
    waiting = Q(contract_match=ContractMatch.WAITING)
    found = payments.aggregate(
        paid=_sum(),
        on_contract=_sum(Q(contract__isnull=False)),
        no_contract=_sum(Q(contract_match=ContractMatch.NONE)),
        waiting=_sum(waiting),
        waiting_payments=Count("pk", filter=waiting),
        waiting_payees=Count(
            Coalesce("payee_key", Value("")), filter=waiting & ~Q(payee_key=""), distinct=True
        ),
        payments=Count("pk"),
    )
    return SpendTotals(start=start, end=end, **found)


def spend_figures(*, today: date) -> SpendFigures:
    """The spend section's headline figures for the twelve months to ``today`` (a fixed number
    of queries)."""
    totals = spend_totals(start=window_start(today), end=today)
    unexplained = totals.no_contract - explained_total(today=today)
    return SpendFigures(totals=totals, unexplained=unexplained, **contracts_past_counts())


# --- Contracts past their value or their dates ------------------------------------------------


@dataclass(frozen=True)
class PastFilters:
    directorate_id: int | None = None


def contracts_paid(
    *,
    directorate_id: int | None = None,
    contract_ids: list[int] | None = None,
    on: date | None = None,
) -> QuerySet:
    """Each contract with payments: ``paid`` (all time, or up to ``on``, net of credit notes),
    ``after_end`` (paid after it ended), ``payments_after_end``, ``share`` (of its whole-life
    value, as varied and extended), as values rows: the kept totals (docs/decisions/0052)
    where they stand and ``on`` is not given, else summed from the payments."""
    if on is not None or not KeptSpend.objects.filter(pk=1, contracts_kept=True).exists():
        return live_contracts_paid(
            directorate_id=directorate_id, contract_ids=contract_ids, on=on
        ).annotate(share=F("paid") * 100 / F("value"))
    kept = ContractPaid.objects.all()
    if directorate_id is not None:
        kept = kept.filter(contract__directorate_id=directorate_id)
    if contract_ids is not None:
        kept = kept.filter(contract_id__in=contract_ids)
    return (
        kept.order_by()
        .values("contract", "paid", "after_end", "payments_after_end")
        .annotate(value=F("contract__whole_life_value"))
        .annotate(share=F("paid") * 100 / F("value"))
    )


def live_contracts_paid(
    *,
    directorate_id: int | None = None,
    contract_ids: list[int] | None = None,
    on: date | None = None,
) -> QuerySet:
    """:func:`contracts_paid`'s rows, but ``share``, summed from the payments."""
    payments = Payment.objects.filter(contract__isnull=False)
    if on is not None:
        payments = payments.filter(paid_on__lte=on)
    if directorate_id is not None:
        payments = payments.filter(contract__directorate_id=directorate_id)
    if contract_ids is not None:
        payments = payments.filter(contract_id__in=contract_ids)
    late = Q(paid_on__gt=F("ended_on"))
    return (
        payments.annotate(ended_on=_ended_on_of_contract())
        .order_by()
        .values("contract")
        .annotate(
            value=Max("contract__whole_life_value"),
            paid=Sum("amount"),
            after_end=_sum(late),
            payments_after_end=Count("pk", filter=late),
        )
    )


def _ended_on_of_contract() -> Case:
    return Case(
        When(
            Q(contract__terminated_on__isnull=False)
            & (
                Q(contract__end_date__isnull=True)
                | Q(contract__terminated_on__lt=F("contract__end_date"))
            ),
            then=F("contract__terminated_on"),
        ),
        default=F("contract__end_date"),
    )


def past_value_or_dates(*, filters: PastFilters = PastFilters()) -> QuerySet:
    """The contracts paid 80% or more of their value, or paid after they ended: values rows as
    :func:`contracts_paid`'s, the largest share first."""
    return (
        contracts_paid(directorate_id=filters.directorate_id)
        .filter(Q(share__gte=WARN_AT) | Q(payments_after_end__gt=0))
        .order_by("-share", "contract")
    )


def contracts_past_counts(*, on: date | None = None) -> dict[str, int]:
    """How many contracts are near their value (paid 80%, not 100%), past it (paid 100% or
    more), and paid after their end: by now, or by ``on`` (one query, and one to see whether the
    kept totals stand). The spend index, the annual report and the alerts
    (:class:`PastValueMixin`) share the boundary."""
    rows = contracts_paid(on=on).filter(Q(share__gte=WARN_AT) | Q(payments_after_end__gt=0))
    found = rows.aggregate(
        near=Count("contract", filter=Q(share__gte=WARN_AT, share__lt=OVER_AT)),
        over=Count("contract", filter=Q(share__gte=OVER_AT)),
        late=Count("contract", filter=Q(payments_after_end__gt=0)),
    )
    return {
        "contracts_near": found["near"],
        "contracts_over": found["over"],
        "paid_after_end": found["late"],
    }


@dataclass
class PastLine(PastValueMixin):
    """A contract of the over-value list, as shown."""

    contract: Contract
    paid: Decimal
    share: Decimal
    after_end: Decimal
    payments_after_end: int
    ended_on: date | None = field(default=None)


def past_lines_shown(rows: list[dict]) -> list[PastLine]:
    """The rows of a page of :func:`past_value_or_dates`, with their contracts (one query)."""
    contracts = Contract.objects.select_related("directorate", "supplier").in_bulk(
        [row["contract"] for row in rows]
    )
    shown = []
    for row in rows:
        contract = contracts[row["contract"]]
        ends = [day for day in (contract.end_date, contract.terminated_on) if day]
        shown.append(
            PastLine(
                contract=contract,
                paid=row["paid"],
                share=value_share(row["share"]),
                after_end=row["after_end"],
                payments_after_end=row["payments_after_end"],
                ended_on=min(ends) if ends else None,
            )
        )
    return shown


# --- A page of lines in one query -------------------------------------------------------------


class _Counted:
    """What a paginator needs of a list it is told the length of."""

    def __init__(self, total: int) -> None:
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total


def lines_page(lines: QuerySet, *, number, per_page: int) -> Page:
    """A page of ``lines`` (values rows in their order) and their number, read in one query: the
    database sums the lines once and counts them as it returns the page (a second query only
    for a page past the end, which shows the last)."""
    try:
        # A page past any the lines could fill shows the last; a number too big for the
        # database's offset is one of those.
        number = min(max(1, int(number or 1)), MAX_ID // per_page)
    except (TypeError, ValueError):
        number = 1
    rows, total = _page_rows(lines, number=number, per_page=per_page)
    paginator = Paginator(_Counted(total), per_page)
    if not rows and total and number > 1:
        number = paginator.num_pages
        rows, total = _page_rows(lines, number=number, per_page=per_page)
    elif not rows:
        number = 1
    return Page(rows, number, paginator)


def _page_rows(lines: QuerySet, *, number: int, per_page: int) -> tuple[list[dict], int]:
    # Sorted once, outside, for the page alone: a sort of every line inside is wasted.
    sql, params = lines.order_by().query.sql_with_params()
    ordering = ", ".join(
        f'"{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}'
        for name in lines.query.order_by
    )
    paged = (
        f"SELECT *, COUNT(*) OVER () AS full_count FROM ({sql}) AS lines "  # noqa: S608 - our own query
        f"ORDER BY {ordering} LIMIT %s OFFSET %s"
    )
    with connections[lines.db].cursor() as cursor:
        cursor.execute(paged, [*params, per_page, (number - 1) * per_page])
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not found:
        return [], (0 if number == 1 else _count(lines))
    return found, found[0]["full_count"]


def _count(lines: QuerySet) -> int:
    return lines.order_by().count()
