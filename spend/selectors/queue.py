"""The review queue: payees waiting for an officer to say which supplier they are, and suppliers'
payments waiting for an officer to say which contract they are paid under.

Each list is grouped and totalled by the database, and a page of it reads its directorates in
one more query, so a page's queries are the same whatever the number of payments.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from contracts.models import Contract, Supplier
from procurement.models import Directorate
from spend.matching import RECENTLY_ENDED
from spend.models import Payment, PaymentSource, SpendSettings
from spend.names import name_keys, score

Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch
# The most suppliers the queue offers for a payee, and the most it reads to find them.
CANDIDATES = 5
CANDIDATES_READ = 200
SEARCH_RESULTS = 10
# Words that say little of whom a name names: a supplier is not looked for by them.
COMMON_WORDS = frozenset(
    "and the of for limited ltd company services service group uk care council trust "
    "community interest partnership public international holdings solutions".split()
)


def _scoped(payments: QuerySet[Payment], directorate: Directorate | int | None) -> QuerySet:
    """``payments`` of one directorate (an officer's queue), or all (``None``: the central
    team's)."""
    if directorate is None:
        return payments
    return payments.filter(directorate=directorate)


def payees_waiting(*, directorate: Directorate | int | None = None) -> QuerySet:
    """Payees no rule could match to a supplier, one row per payee as each source writes it:
    the payee as written, the number of payments, their total and first and last dates; the
    largest total first. ``directorate``: only its payments (an officer's queue)."""
    waiting = _scoped(Payment.objects.filter(supplier_match=Match.WAITING), directorate)
    return (
        waiting.order_by()
        .values("source", "payee_key")
        .annotate(
            payee=Min("payee"),
            payments=Count("pk"),
            total=Sum("amount"),
            first_paid=Min("paid_on"),
            last_paid=Max("paid_on"),
        )
        .order_by("-total", "payee_key", "source")
    )


def with_directorates(rows: list[dict], *, directorate=None) -> list[dict]:
    """Give each payee row of a page its directorates' names and its source's name: two queries
    for the whole page."""
    keys = {row["payee_key"] for row in rows}
    sources = dict(
        PaymentSource.objects.filter(pk__in={row["source"] for row in rows}).values_list(
            "pk", "name"
        )
    )
    found: dict[tuple, list[str]] = {}
    pairs = (
        _scoped(Payment.objects.filter(supplier_match=Match.WAITING), directorate)
        .filter(payee_key__in=keys, source__in=sources)
        .order_by("directorate__name")
        .values_list("source", "payee_key", "directorate__name")
        .distinct()
    )
    for source, key, name in pairs:
        found.setdefault((source, key), []).append(name or "No directorate")
    for row in rows:
        row["source_name"] = sources.get(row["source"], "")
        row["directorates"] = found.get((row["source"], row["payee_key"]), [])
    return rows


@dataclass
class Payee:
    """A payee as a source writes it, with its payments' figures."""

    source: PaymentSource
    key: str
    name: str
    payments: int
    total: Decimal
    first_paid: date | None
    last_paid: date | None
    directorate_ids: set[int | None] = field(default_factory=set)
    supplier_match: str = ""
    supplier: Supplier | None = None


def payee_summary(*, source: PaymentSource, key: str, directorate=None) -> Payee | None:
    """A payee's payments (all, matched or waiting) in two queries; ``None`` where the source
    has none to that payee (or none in ``directorate``)."""
    payments = _scoped(Payment.objects.filter(source=source, payee_key=key), directorate)
    figures = payments.aggregate(
        payments=Count("pk"),
        total=Sum("amount"),
        first_paid=Min("paid_on"),
        last_paid=Max("paid_on"),
        name=Min("payee"),
    )
    if not figures["payments"]:
        return None
    latest = payments.select_related("supplier").order_by("-paid_on", "-pk").first()
    return Payee(
        source=source,
        key=key,
        name=figures["name"],
        payments=figures["payments"],
        total=figures["total"],
        first_paid=figures["first_paid"],
        last_paid=figures["last_paid"],
        supplier_match=latest.supplier_match,
        supplier=latest.supplier,
    )


def payee_directorates(*, source: PaymentSource, key: str) -> set[int | None]:
    """The directorates a payee's payments are in (who may confirm it)."""
    return set(
        Payment.objects.filter(source=source, payee_key=key)
        .order_by()
        .values_list("directorate", flat=True)
        .distinct()
    )


@dataclass
class Candidate:
    supplier: Supplier
    score: int
    likely: bool


def match_threshold() -> int:
    settings = SpendSettings.objects.order_by("pk").first()
    return settings.match_threshold if settings else 85


def _search_words(key: str) -> list[str]:
    """The words a payee's suppliers are looked for by: its first word and its most
    distinctive (longest uncommon) ones, at most three."""
    words = [word for word in key.split() if len(word) > 1]
    uncommon = sorted(
        (word for word in words if word not in COMMON_WORDS), key=lambda w: (-len(w), w)
    )
    return list(dict.fromkeys(words[:1] + uncommon))[:3]


def supplier_candidates(*, key: str, threshold: int | None = None) -> list[Candidate]:
    """The register's suppliers most like a payee, best first, with their scores (0 to 100):
    narrowed in the database to suppliers sharing its first or most distinctive words (those
    sharing more come first), then scored here. At most five; those at or above the council's
    threshold are "likely". One query (two without ``threshold``)."""
    words = _search_words(key)
    if not words:
        return []
    threshold = match_threshold() if threshold is None else threshold
    shared = sum(
        (Case(When(name__icontains=w, then=Value(1)), default=Value(0)) for w in words),
        start=Value(0),
    )
    anywhere = Q()
    for word in words:
        anywhere |= Q(name__icontains=word)
    read = (
        Supplier.objects.filter(anywhere)
        .annotate(shared=shared)
        .order_by("-shared", "name", "pk")[:CANDIDATES_READ]
    )
    scored = [
        (max((score(key, each) for each in name_keys(supplier.name)), default=0), supplier)
        for supplier in read
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1].name, pair[1].pk))
    return [Candidate(s, n, n >= threshold) for n, s in scored[:CANDIDATES] if n > 0]


NUMBER = re.compile(r"^[A-Za-z]{0,2}\d{5,8}$")


def suppliers_named(term: str) -> list[Supplier]:
    """Suppliers for the queue's search box: by company or charity number, or by name."""
    term = " ".join(term.split())[:100]
    if not term:
        return []
    found = Q(name__icontains=term)
    if NUMBER.match(term):
        found |= Q(companies_house_number__iexact=term) | Q(charity_number=term)
    return list(Supplier.objects.filter(found).order_by("name", "pk")[:SEARCH_RESULTS])


def contracts_waiting(*, directorate: Directorate | int | None = None) -> QuerySet:
    """Suppliers' payments no rule could put under a contract, one row per supplier and
    directorate: the number of payments, their total and first and last dates; the largest
    total first."""
    waiting = Payment.objects.filter(contract_match=ContractMatch.WAITING, supplier__isnull=False)
    return (
        _scoped(waiting, directorate)
        .order_by()
        .values("supplier", "supplier__name", "directorate", "directorate__name")
        .annotate(
            payments=Count("pk"),
            total=Sum("amount"),
            first_paid=Min("paid_on"),
            last_paid=Max("paid_on"),
        )
        .order_by("-total", "supplier__name", "supplier", "directorate")
    )


def waiting_payments(*, supplier: Supplier, directorate: Directorate | None) -> QuerySet:
    """A supplier's payments in a directorate (``None``: with none) waiting for a contract."""
    payments = Payment.objects.filter(
        supplier=supplier, contract_match=ContractMatch.WAITING
    ).select_related("source")
    if directorate is None:
        return payments.filter(directorate__isnull=True)
    return payments.filter(directorate=directorate)


def contract_candidates(
    *, supplier: Supplier, directorate: Directorate | None, first: date, last: date
) -> list[Contract]:
    """The supplier's contracts its payments from ``first`` to ``last`` could be under (as
    :func:`spend.matching.candidates_for` finds them for one payment, for the whole period in
    one query): started by the last, not ended a year before the first; those in the
    directorate first, then the newest."""
    elsewhere = (
        Case(When(directorate=directorate, then=Value(0)), default=Value(1))
        if directorate is not None
        else Value(1)
    )
    return list(
        Contract.objects.filter(supplier=supplier, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first - RECENTLY_ENDED))
        .select_related("directorate")
        .annotate(elsewhere=ExpressionWrapper(elsewhere, output_field=IntegerField()))
        .order_by("elsewhere", "-start_date", "pk")[:20]
    )
