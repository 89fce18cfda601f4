"""Payments matched to the register's suppliers and contracts (docs/decisions/0049).

Suppliers, in this order, the first that answers:

1. the company or charity number in the file, where it is a supplier's;
2. an officer's confirmed match for the payee, as this source writes it (:class:`SupplierMatch`);
3. the payee's name, compared as a key (:mod:`spend.names`), where exactly one supplier has it;
4. otherwise the payee waits in the review queue, with the likely suppliers and their scores: a
   near name is never applied without an officer's confirmation.

A redacted payee is kept as redacted and matched to nobody.

Contracts, for a payment whose supplier is known, the first that answers:

1. the contract reference, or the purchase order, in the file, where it is one of the supplier's
   contracts' references;
2. an officer's choice for the supplier's payments in that directorate and period
   (:class:`ContractChoice`);
3. the supplier's one contract in the payment's directorate live on the day it was paid;
4. otherwise, where the supplier has contracts that could be it (several live in the directorate,
   or live in another, or ended within the year before), it waits in the queue with them;
   where it has none, the payment is under no contract.

Payments already written are matched again in the database, a statement per rule over all the
payments concerned (:func:`attribute_contracts`: when a contract or a decision changes). A file's
new payments are matched as they are read, by the same rules over the register read once
(:class:`ContractIndex`), so each is written once, as it will stay: a file of half a million lines
is not written twice over. A test holds the two to the same answers. The matched supplier and
contract on a payment are derived: the decisions behind them keep their history.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Exact, IsNull

from contracts.models import Contract, Supplier

from .models import ContractChoice, Payment, SupplierMatch
from .names import name_keys

# A contract ended this long before a payment is still offered for it in the queue.
RECENTLY_ENDED = timedelta(days=365)
SUPPLIERS_READ_AT_ONCE = 5_000  # suppliers, or contracts, read from the database at once
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


@dataclass
class SupplierIndex:
    """What a payee is matched by, read once for a file: numbers, confirmed matches, keys."""

    companies: dict[str, int]
    charities: dict[str, int]
    confirmed: dict[str, int | None]  # payee key: supplier (None: not on the register)
    keys: dict[str, int | None]  # name key: supplier (None: two or more suppliers have it)

    @classmethod
    def read(cls, source_id: int) -> "SupplierIndex":
        companies: dict[str, int] = {}
        charities: dict[str, int] = {}
        keys: dict[str, int | None] = {}
        rows = Supplier.objects.values_list(
            "pk", "name", "companies_house_number", "charity_number"
        )
        for pk, name, company, charity in rows.iterator(chunk_size=SUPPLIERS_READ_AT_ONCE):
            if company:
                companies[company] = pk
            if charity:
                charities[charity] = pk
            for key in name_keys(name):
                keys[key] = pk if keys.get(key, pk) == pk else None
        confirmed = dict(
            SupplierMatch.objects.filter(source_id=source_id).values_list("payee_key", "supplier")
        )
        return cls(companies, charities, confirmed, keys)

    def match(
        self, *, payee: str, key: str, company: str, charity: str, redacted: bool
    ) -> tuple[int | None, str]:
        """The supplier a payment is to, and by which rule."""
        if company and company in self.companies:
            return self.companies[company], Match.NUMBER
        if charity and charity in self.charities:
            return self.charities[charity], Match.NUMBER
        if redacted:
            return None, Match.REDACTED
        if key in self.confirmed:
            supplier = self.confirmed[key]
            return supplier, Match.CONFIRMED if supplier else Match.NOT_ON_REGISTER
        found = {self.keys.get(each) for each in name_keys(payee)} - {None}
        if len(found) == 1:
            return found.pop(), Match.NAME
        return None, Match.WAITING


@dataclass(frozen=True, slots=True)
class _Contract:
    pk: int
    reference: str  # upper case, as the rule compares it
    directorate: int | None
    start: date
    end: date | None
    terminated: date | None


@dataclass(frozen=True, slots=True)
class _Choice:
    directorate: int | None
    paid_from: date
    paid_to: date
    contract: int | None


@dataclass
class ContractIndex:
    """The register's contracts and the officers' choices, read once for a file, to attribute
    its new payments as :func:`attribute_contracts` would, rule for rule, before they are
    written. Its size is the register's, whatever the file's."""

    contracts: dict[int, list[_Contract]]
    choices: dict[int, list[_Choice]]  # each supplier's, the latest decided first

    @classmethod
    def read(cls) -> "ContractIndex":
        contracts: dict[int, list[_Contract]] = defaultdict(list)
        rows = Contract.objects.filter(supplier__isnull=False).values_list(
            "supplier", "pk", "reference", "directorate", "start_date", "end_date", "terminated_on"
        )
        for supplier, pk, reference, *rest in rows.order_by("pk").iterator(
            chunk_size=SUPPLIERS_READ_AT_ONCE
        ):
            contracts[supplier].append(_Contract(pk, reference.upper(), *rest))
        choices: dict[int, list[_Choice]] = defaultdict(list)
        decided = ContractChoice.objects.order_by("-decided_at", "-pk").values_list(
            "supplier", "directorate", "paid_from", "paid_to", "contract"
        )
        for supplier, *rest in decided:
            choices[supplier].append(_Choice(*rest))
        return cls(dict(contracts), dict(choices))

    def attribute(
        self,
        *,
        supplier: int | None,
        supplier_match: str,
        paid_on: date,
        directorate: int | None,
        contract_reference: str,
        purchase_order: str,
    ) -> tuple[int | None, str]:
        """The contract a new payment is paid under, and by which rule."""
        if supplier is None:
            waiting = supplier_match == Match.WAITING
            return None, ContractMatch.WAITING if waiting else ContractMatch.NONE
        mine = self.contracts.get(supplier, ())
        # As the rule in SQL: a file giving either compares both (an empty one with nothing).
        given = contract_reference or purchase_order
        written = {contract_reference.upper(), purchase_order.upper()} if given else set()
        for contract in mine:  # in pk order: the first is the rule's
            if contract.reference in written:
                return contract.pk, ContractMatch.REFERENCE
        for choice in self.choices.get(supplier, ()):
            if choice.directorate == directorate and choice.paid_from <= paid_on <= choice.paid_to:
                found = choice.contract
                return found, ContractMatch.CONFIRMED if found else ContractMatch.NONE
        live = [c.pk for c in mine if c.directorate == directorate and _is_live(c, paid_on)]
        if directorate is not None and len(live) == 1:
            return live[0], ContractMatch.ONLY_LIVE
        year_before = paid_on - RECENTLY_ENDED
        if any(c.start <= paid_on and (c.end is None or c.end >= year_before) for c in mine):
            return None, ContractMatch.WAITING
        return None, ContractMatch.NONE


def _is_live(contract: _Contract, day: date) -> bool:
    return (
        contract.start <= day
        and (contract.end is None or contract.end >= day)
        and (contract.terminated is None or contract.terminated >= day)
    )


def _live_on(day) -> Q:
    """Contracts live on ``day`` (an outer payment's date)."""
    return (
        Q(start_date__lte=day)
        & (Q(end_date__isnull=True) | Q(end_date__gte=day))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=day))
    )


def _count(contracts: QuerySet) -> Subquery:
    return Subquery(
        contracts.order_by().values("supplier").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def _rules():
    """The contracts each rule finds for an outer payment."""
    paid_on = OuterRef("paid_on")
    mine = Contract.objects.filter(supplier=OuterRef("supplier"))
    by_reference = mine.filter(
        Q(reference__iexact=OuterRef("contract_reference"))
        | Q(reference__iexact=OuterRef("purchase_order"))
    )
    chosen = ContractChoice.objects.filter(
        supplier=OuterRef("supplier"), paid_from__lte=paid_on, paid_to__gte=paid_on
    ).filter(
        # The choice's own directorate: one made for payments with none covers only those.
        Q(directorate=OuterRef("directorate"))
        | Q(IsNull(OuterRef("directorate"), True), directorate__isnull=True)
    )
    live_here = mine.filter(_live_on(paid_on), directorate=OuterRef("directorate"))
    year_before = ExpressionWrapper(paid_on - Value(RECENTLY_ENDED), output_field=DateField())
    could_be = mine.filter(start_date__lte=paid_on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=year_before)
    )
    return by_reference, chosen, live_here, could_be


def attribute_contracts(payments: QuerySet[Payment]) -> None:
    """Work out the contract of each of ``payments`` by the rules above, but for those an
    officer chose by hand (their :data:`ContractMatch.CONFIRMED` stays)."""
    everything = payments
    payments = payments.exclude(contract_match=ContractMatch.CONFIRMED)
    # Each reset leaves the rows already so (a new import's payments) unwritten.
    waiting_now = Q(contract__isnull=True, contract_match=ContractMatch.WAITING)
    none_now = Q(contract__isnull=True, contract_match=ContractMatch.NONE)
    payments.filter(supplier__isnull=True, supplier_match=Match.WAITING).exclude(
        waiting_now
    ).update(contract=None, contract_match=ContractMatch.WAITING)
    payments.filter(supplier__isnull=True).exclude(supplier_match=Match.WAITING).exclude(
        none_now
    ).update(contract=None, contract_match=ContractMatch.NONE)
    known = payments.filter(supplier__isnull=False)
    known.exclude(waiting_now).update(contract=None, contract_match=ContractMatch.WAITING)
    waiting = known.filter(contract_match=ContractMatch.WAITING)  # read again at each step
    by_reference, chosen, live_here, could_be = _rules()
    known.exclude(contract_reference="", purchase_order="").filter(Exists(by_reference)).update(
        contract=Subquery(by_reference.order_by("pk").values("pk")[:1]),
        contract_match=ContractMatch.REFERENCE,
    )
    waiting.filter(Exists(chosen)).update(
        contract=Subquery(chosen.order_by("-decided_at", "-pk").values("contract")[:1]),
        contract_match=ContractMatch.CONFIRMED,
    )
    # An officer's "under no contract" (the latest choice names none) is spend with no contract;
    # read from ``everything``, as ``payments`` leaves out what is confirmed.
    everything.filter(
        supplier__isnull=False, contract_match=ContractMatch.CONFIRMED, contract__isnull=True
    ).update(contract_match=ContractMatch.NONE)
    waiting.filter(Exact(_count(live_here), 1)).update(
        contract=Subquery(live_here.values("pk")[:1]), contract_match=ContractMatch.ONLY_LIVE
    )
    waiting.filter(~Exists(could_be)).update(contract_match=ContractMatch.NONE)


def candidates_for(payment: Payment) -> list[Contract]:
    """The contracts a waiting payment could be paid under, for the queue: the supplier's,
    those in the payment's directorate first, then the newest."""
    day = payment.paid_on
    return list(
        Contract.objects.filter(supplier=payment.supplier_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day - RECENTLY_ENDED))
        .select_related("directorate")
        .annotate(
            elsewhere=Case(
                When(directorate=payment.directorate_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("elsewhere", "-start_date", "pk")[:10]
    )
