"""The spend lists' figures kept from the payments (docs/decisions/0052): the lines of spend with
no contract over the twelve months to a day, and each contract's total paid and paid after its end.

They are written by whatever writes the payments, in its own transaction, so what is kept always
agrees with what is committed: an officer's decision, or a contract saved, refreshes only the
lines and contracts it touched, and a run of every match rebuilds them whole. A file's import sets
them aside in its transaction and has them rebuilt in the background once it commits (the
rebuild sums every payment, so it grows with the database, not the file). Each write locks the
one :class:`~spend.models.KeptSpend` row first, so two never interleave. When a day passes the
lines are rebuilt for the new day by the nightly job. Whenever what is kept is set aside or for
another day, the lists sum the payments themselves: slower, never wrong.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from spend.models import ContractPaid, KeptSpend, NoContractLine, Payment
from spend.selectors.gaps import KEPT_LINE, live_contracts_paid, live_no_contract_lines

CONTRACT_COLUMNS = ("contract", "paid", "after_end", "payments_after_end")
# Past this many suppliers, payees and contracts touched at once (the register written in bulk),
# one rebuild is cheaper than refreshing each, and keeps each statement's list of them short.
MANY_TOUCHED = 500


@dataclass
class Touched:
    """What a write to payments touched: their suppliers, payees' keys and contracts."""

    suppliers: set[int] = field(default_factory=set)
    payee_keys: set[str] = field(default_factory=set)
    contracts: set[int] = field(default_factory=set)

    def add(self, payments: QuerySet[Payment]) -> "Touched":
        """Add what ``payments`` name now (call it before and after the write)."""
        for supplier, key, contract in (
            payments.order_by().values_list("supplier", "payee_key", "contract").distinct()
        ):
            if supplier is None:
                self.payee_keys.add(key)
            else:
                self.suppliers.add(supplier)
            if contract is not None:
                self.contracts.add(contract)
        return self

    def __len__(self) -> int:
        return len(self.suppliers) + len(self.payee_keys) + len(self.contracts)

    def include(self, other: "Touched") -> "Touched":
        self.suppliers |= other.suppliers
        self.payee_keys |= other.payee_keys
        self.contracts |= other.contracts
        return self


def _state() -> KeptSpend:
    """The one row, locked until the transaction ends."""
    KeptSpend.objects.get_or_create(pk=1)
    return KeptSpend.objects.select_for_update().get(pk=1)


def _insert(model, columns: tuple[str, ...], rows: QuerySet) -> None:
    """Insert ``rows`` (values rows with ``columns``) into ``model``'s table, in the database."""
    sql, params = rows.order_by().query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    targets = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    chosen = ", ".join(f"found.{connection.ops.quote_name(c)}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({targets}) SELECT {chosen} FROM ({sql}) AS found",  # noqa: S608 - our own query
            params,
        )


def _lines(today: date, scope: Q | None = None) -> QuerySet:
    return live_no_contract_lines(today=today, scope=scope).values(*KEPT_LINE)


def _contracts(contract_ids: Iterable[int] | None = None) -> QuerySet:
    rows = live_contracts_paid(contract_ids=None if contract_ids is None else list(contract_ids))
    return rows.values(*CONTRACT_COLUMNS)


def kept_spend_rebuild(*, today: date | None = None) -> KeptSpend:
    """Build the kept lines for the twelve months to ``today`` (default: today) and every
    contract's totals afresh."""
    with transaction.atomic():
        return _build(_state(), today or timezone.localdate())


def _build(state: KeptSpend, today: date) -> KeptSpend:
    NoContractLine.objects.all().delete()
    _insert(NoContractLine, KEPT_LINE, _lines(today))
    ContractPaid.objects.all().delete()
    _insert(ContractPaid, CONTRACT_COLUMNS, _contracts())
    state.lines_for = today
    state.contracts_kept = True
    state.built_at = timezone.now()
    state.save()
    return state


def kept_spend_retire() -> None:
    """Set what is kept aside, in the caller's transaction, for the lists to sum the payments
    until :func:`kept_spend_day_passed` builds them again: for a write too large to refresh
    line by line (a file's import), which has them rebuilt once it commits."""
    state = _state()
    state.lines_for = None
    state.contracts_kept = False
    state.save()


def kept_spend_refresh(touched: Touched) -> None:
    """Work out again the kept lines and contracts ``touched`` names, in the caller's
    transaction (what it wrote is counted; what is kept commits with it)."""
    if not (touched.suppliers or touched.payee_keys or touched.contracts):
        return
    with transaction.atomic():
        state = _state()
        if len(touched) > MANY_TOUCHED:
            if state.lines_for is not None and state.contracts_kept:
                _build(state, state.lines_for)
            return
        if state.lines_for is not None and (touched.suppliers or touched.payee_keys):
            lines = Q(line_supplier__in=touched.suppliers) | Q(
                line_supplier=0, line_payee__in=touched.payee_keys
            )
            NoContractLine.objects.filter(lines).delete()
            payments = Q(supplier__in=touched.suppliers) | Q(
                supplier__isnull=True, payee_key__in=touched.payee_keys
            )
            _insert(NoContractLine, KEPT_LINE, _lines(state.lines_for, payments))
        if state.contracts_kept and touched.contracts:
            ContractPaid.objects.filter(contract__in=touched.contracts).delete()
            _insert(ContractPaid, CONTRACT_COLUMNS, _contracts(touched.contracts))


def kept_spend_day_passed(*, today: date | None = None) -> bool:
    """Rebuild what is kept if the lines are not for ``today`` or the contracts' totals were
    set aside: whether it did."""
    today = today or timezone.localdate()
    if KeptSpend.objects.filter(pk=1, lines_for=today, contracts_kept=True).exists():
        return False
    kept_spend_rebuild(today=today)
    return True


def kept_spend_disagreements() -> list[str]:
    """Where the kept figures differ from the payments summed afresh (none: they agree), for
    the day they were built for: what the tests and an administrator check."""
    state = KeptSpend.objects.filter(pk=1).first()
    if state is None:
        return []
    found = []
    if state.lines_for is not None:
        kept = set(NoContractLine.objects.values_list(*KEPT_LINE))
        summed = set(_lines(state.lines_for).values_list(*KEPT_LINE))
        found += [f"kept line {line} not in the payments" for line in sorted(kept - summed)]
        found += [f"line {line} not kept" for line in sorted(summed - kept)]
    if state.contracts_kept:
        kept = set(ContractPaid.objects.values_list("contract", *CONTRACT_COLUMNS[1:]))
        summed = set(_contracts().values_list(*CONTRACT_COLUMNS))
        found += [f"kept contract {row} not in the payments" for row in sorted(kept - summed)]
        found += [f"contract {row} not kept" for row in sorted(summed - kept)]
    return found
