"""The officers' matching decisions, and the matching run again (docs/decisions/0049).

An officer confirms which supplier a payee is (or that it is not on the register) and chooses the
contract a supplier's payments in a directorate and period are paid under (or none). Each decision
is kept with its history (who, when, why) and applied at once to the payments it covers: their
supplier and contract are derived, so they are written in bulk, and ``payments_changed`` is sent
with the contracts whose payments changed once the decision commits.

A procurement officer decides for their own directorate's payments only; the central team for
any (spend/rules.py).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from contracts.models import Contract, Supplier
from procurement.dates import long_date
from procurement.history import save_with_history
from procurement.models import Directorate, User
from procurement.services import DomainError
from spend.matching import SupplierIndex, attribute_contracts
from spend.models import ContractChoice, Payment, PaymentSource, SupplierMatch
from spend.services.kept import Touched, kept_spend_rebuild, kept_spend_refresh
from spend.signals import payments_changed

Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch
PERMISSION = "spend.review_matches"
# Stands for "no directorate" in the permission check: no officer's own, so the central team's.
NO_DIRECTORATE = 0
# A payee's payments an officer's confirmation re-derives: not those the file's company or
# charity number matched (the number wins), nor redacted ones.
KEPT_BY_RULE = (Match.NUMBER, Match.REDACTED)
BATCH = 2000


class MatchingError(DomainError):
    """A matching decision the rules refuse."""


def may_review(user: User, directorates: Iterable[Directorate | int | None]) -> bool:
    """Whether ``user`` may decide for payments in all of ``directorates`` (the central team:
    always; an officer: where each is their own, so a payee paid by several directorates, whose
    match re-derives all its payments, is the central team's)."""
    directorates = set(directorates)
    return bool(directorates) and all(
        user.has_perm(PERMISSION, NO_DIRECTORATE if each is None else each) for each in directorates
    )


def _contracts_of(payments: QuerySet[Payment]) -> set[int]:
    return set(
        payments.exclude(contract=None).order_by().values_list("contract", flat=True).distinct()
    )


def _announce(contract_ids: set[int]) -> None:
    """Tell whatever keeps figures from payments, once the decision commits."""
    ids = set(contract_ids)
    transaction.on_commit(lambda: payments_changed.send(sender=Payment, contract_ids=ids))


def _rederive(payments: QuerySet[Payment], **derived) -> set[int]:
    """Write ``derived`` supplier fields on ``payments`` (none: keep them), put their contracts
    back to be worked out, and work them out, and the lists' kept figures they touch; the
    contracts whose payments changed."""
    touched = Touched().add(payments)
    payments.update(**derived, contract=None, contract_match=ContractMatch.WAITING)
    attribute_contracts(payments)
    kept_spend_refresh(touched.add(payments))
    return touched.contracts


@transaction.atomic
def supplier_match_confirm(
    *,
    source: PaymentSource,
    payee_key: str,
    supplier: Supplier | None,
    by: User,
    reason: str,
    score: int | None = None,
) -> SupplierMatch:
    """Remember that a payee, as ``source`` writes it, is ``supplier`` (``None``: not a supplier
    on the register), and match its payments so, this month's and every import's after."""
    key = payee_key.strip()
    payments = Payment.objects.filter(source=source, payee_key=key)
    directorates = set(payments.order_by().values_list("directorate", flat=True).distinct())
    if not key or not directorates:
        raise MatchingError(f"{source} has no payments to that payee.")
    if not may_review(by, directorates):
        raise PermissionDenied
    if score is not None and not 0 <= score <= 100:
        raise MatchingError("A score is from 0 to 100.")
    if not reason.strip():
        raise MatchingError("Say why this is the payee's supplier.")
    match = SupplierMatch.objects.select_for_update().filter(source=source, payee_key=key).first()
    if match is None:
        first = payments.order_by("paid_on", "pk").values_list("payee", flat=True)[0]
        match = SupplierMatch(source=source, payee_key=key, payee=first)
    match.supplier = supplier
    match.score = score if supplier is not None else None
    match.decided_by = by
    save_with_history(match, by=by, reason=reason.strip())
    matched = Match.CONFIRMED if supplier is not None else Match.NOT_ON_REGISTER
    _announce(
        _rederive(
            payments.exclude(supplier_match__in=KEPT_BY_RULE),
            supplier=supplier,
            supplier_match=matched,
        )
    )
    return match


def _check_choice(
    *, supplier: Supplier, paid_from: date, paid_to: date, contract: Contract | None
) -> None:
    if paid_from is None or paid_to is None:
        raise MatchingError("Give the first and last dates of the payments this choice covers.")
    if paid_to < paid_from:
        raise MatchingError(
            f"The period ends ({long_date(paid_to)}) before it starts ({long_date(paid_from)})."
        )
    if contract is None:
        return
    if contract.supplier_id != supplier.pk:
        raise MatchingError(f"{contract.reference} is not a contract with {supplier}.")
    if contract.start_date > paid_to:
        raise MatchingError(
            f"{contract.reference} starts on {long_date(contract.start_date)}, after the last "
            f"payment this choice covers ({long_date(paid_to)})."
        )


def supplier_payments_in(
    *, supplier: Supplier, directorate: Directorate | None, paid_from: date, paid_to: date
) -> QuerySet[Payment]:
    """A supplier's payments in a directorate (``None``: those with none) in a period."""
    payments = Payment.objects.filter(supplier=supplier, paid_on__range=(paid_from, paid_to))
    if directorate is None:
        return payments.filter(directorate__isnull=True)
    return payments.filter(directorate=directorate)


@transaction.atomic
def contract_choice_make(
    *,
    supplier: Supplier,
    directorate: Directorate | None,
    paid_from: date,
    paid_to: date,
    contract: Contract | None,
    by: User,
    reason: str,
) -> ContractChoice:
    """Record that ``supplier``'s payments in ``directorate`` from ``paid_from`` to ``paid_to``
    are paid under ``contract`` (``None``: under no contract on the register), and attribute
    them so, including any an earlier choice had put under another."""
    if not may_review(by, [directorate]):
        raise PermissionDenied
    if contract is not None and not may_review(by, [contract.directorate_id]):
        # An officer's choice moves a contract's spend and its alerts: their own directorate's.
        raise MatchingError(
            f"{contract.reference} is a contract of {contract.directorate}: ask the central "
            "team to put these payments under it."
        )
    _check_choice(supplier=supplier, paid_from=paid_from, paid_to=paid_to, contract=contract)
    if not reason.strip():
        raise MatchingError("Say why these payments are under this contract.")
    payments = supplier_payments_in(
        supplier=supplier, directorate=directorate, paid_from=paid_from, paid_to=paid_to
    )
    if not payments.exists():
        raise MatchingError(
            f"{supplier} has no payments {f'in {directorate} ' if directorate else ''}from "
            f"{long_date(paid_from)} to {long_date(paid_to)}."
        )
    choice = ContractChoice(
        supplier=supplier,
        directorate=directorate,
        contract=contract,
        paid_from=paid_from,
        paid_to=paid_to,
        decided_by=by,
    )
    save_with_history(choice, by=by, reason=reason.strip())
    _announce(_rederive(payments))
    return choice


@transaction.atomic
def payments_reattribute(*, supplier_ids: Iterable[int], contract_ids: Iterable[int] = ()) -> int:
    """Work out again the contracts of payments the register's changes may have settled: the
    suppliers' payments waiting for a contract or under none, and those the rules put under
    ``contract_ids`` as their supplier's one live contract. How many were looked at."""
    scope = Payment.objects.filter(
        Q(
            supplier__in=set(supplier_ids),
            contract_match__in=[ContractMatch.WAITING, ContractMatch.NONE],
        )
        | Q(contract__in=set(contract_ids), contract_match=ContractMatch.ONLY_LIVE)
    )
    pks = list(scope.values_list("pk", flat=True))
    if pks:
        _announce(_rederive(Payment.objects.filter(pk__in=pks)))
    return len(pks)


def _supplier_changes(source: PaymentSource) -> Iterable[Payment]:
    """The payments of ``source`` whose supplier the rules now find otherwise, as they should be."""
    index = SupplierIndex.read(source.pk)
    rows = (
        Payment.objects.filter(source=source)
        .order_by("pk")
        .values_list(
            "pk",
            "payee",
            "payee_key",
            "company_number",
            "charity_number",
            "is_redacted",
            "supplier_id",
            "supplier_match",
        )
    )
    for pk, payee, key, company, charity, redacted, supplier, matched in rows.iterator(
        chunk_size=BATCH
    ):
        found = index.match(
            payee=payee, key=key, company=company, charity=charity, redacted=redacted
        )
        if found != (supplier, matched):
            yield Payment(
                pk=pk,
                supplier_id=found[0],
                supplier_match=found[1],
                contract=None,
                contract_match=ContractMatch.WAITING,
            )


@transaction.atomic
def payments_match(*, sources: Iterable[PaymentSource] | None = None) -> Counter:
    """Match every payment (of ``sources``, or all) to suppliers and contracts again, by the
    rules and the officers' decisions as they stand: for a register changed in bulk, or rules
    changed. How many payments there are by supplier match and by contract match."""
    chosen = list(sources) if sources is not None else list(PaymentSource.objects.all())
    payments = Payment.objects.filter(source__in=chosen)
    before = _contracts_of(payments)
    batch: list[Payment] = []
    fields = ["supplier", "supplier_match", "contract", "contract_match"]
    for source in chosen:
        for payment in _supplier_changes(source):
            batch.append(payment)
            if len(batch) >= BATCH:
                Payment.objects.bulk_update(batch, fields)
                batch = []
    Payment.objects.bulk_update(batch, fields)
    attribute_contracts(payments)
    kept_spend_rebuild()
    _announce(before | _contracts_of(payments))
    counts = Counter()
    for field in ("supplier_match", "contract_match"):
        for value, number in payments.order_by().values_list(field).annotate(n=Count("pk")):
            counts[(field, value)] = number
    return counts
