"""Import payment files from the finance system (CSV or XLSX): check everything, then write all
of it or nothing, as the register import does (procurement/imports.py runs it).

A payment's identity is its source (the finance system the upload names), its transaction number
and its line: a line already imported is skipped and counted as such, so a month imported twice,
or an overlapping extract, adds nothing the second time (where its values differ, a note says
so; the first stays). A file with no line column numbers the lines of each transaction 1, 2, …
in the file's order, so the same extract imported again gives the same identities. Credit notes
and negative lines stay negative, so totals net off. A redacted payee is kept as written.

The file is read a batch at a time and written a batch at a time, so memory does not grow with
the file's payments; what is kept for the whole file is a fingerprint (an integer) of each
identity, to find a line given twice.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

from django.db import connection, transaction

from procurement.background import BackgroundUnavailable, enqueue
from procurement.imports import ImportKind, ValueMap, check_and_import, register, table_begin
from procurement.models import Directorate, User
from procurement.services import DomainError
from procurement.tabular import (
    CellError,
    Column,
    ImportFileError,
    ImportResult,
    Problem,
    batches,
    normalise_heading,
    parse_company_number,
    parse_date,
    parse_money,
    text,
)
from procurement.text import counted

from .matching import ContractIndex, SupplierIndex
from .models import Payment, PaymentImport, PaymentSource
from .names import is_redacted, payee_key
from .services.kept import kept_spend_retire
from .services.sources import payment_source_create
from .signals import payments_changed
from .tasks import kept_spend_task

logger = logging.getLogger(__name__)

# Payments are read, checked against those imported already, and written this many at a time.
WRITE_BATCH = 2000
# Notes (a line imported before with other values) kept to show; the count is always whole.
NOTES_KEPT = 5000
# Values parsed once per file and remembered (dates, payees, directorates repeat): at most this
# many of each, so memory stays flat whatever the file.
REMEMBERED = 20000
NO_DIRECTORATE = "none"  # in a value mapping: the value names none of the council's directorates

COLUMNS = (
    Column(
        "Body name",
        "body",
        False,
        ("body", "organisation name", "organisation", "council", "authority", "la name"),
    ),
    Column(
        "Directorate",
        "directorate",
        False,
        (
            "department",
            "department area",
            "department name",
            "directorate name",
            "service area categorisation",
            "portfolio",
        ),
        "Each value is matched to one of the council's directorates by name or code, or as the "
        "mapping step says.",
    ),
    Column(
        "Service area",
        "service_area",
        False,
        (
            "service",
            "service division",
            "service division categorisation",
            "division",
            "service area name",
            "service unit",
            "team",
        ),
        "With no directorate column, each service area is matched to a directorate.",
    ),
    Column(
        "Expenditure category",
        "expenditure_category",
        False,
        (
            "expenditure type",
            "category",
            "purpose of expenditure",
            "spend category",
            "subjective",
            "merchant category",
        ),
    ),
    Column(
        "Payment date",
        "paid_on",
        True,
        ("date", "date paid", "paid date", "payment date", "transaction date", "pay date"),
    ),
    Column(
        "Transaction number",
        "transaction_ref",
        True,
        (
            "transaction no",
            "transaction ref",
            "transaction reference",
            "transaction id",
            "payment number",
            "payment reference",
            "payment ref",
            "hbc ref no",
            "ref no",
            "document number",
            "voucher number",
        ),
    ),
    Column(
        "Line",
        "line",
        False,
        ("line number", "line no", "invoice line", "line ref", "line item"),
        "Without a line column, the lines of a transaction are numbered 1, 2, … in the file's "
        "order, so the same extract imported again is recognised.",
    ),
    Column(
        "Amount",
        "amount",
        True,
        (
            "amount paid",
            "net amount",
            "amount £",
            "amount excluding vat",
            "amount excl vat",
            "value",
            "total",
            "payment amount",
            "line amount",
        ),
        "Credit notes negative: -250.00, (250.00) or 250.00CR.",
    ),
    Column(
        "Supplier name",
        "payee",
        True,
        (
            "supplier",
            "name",
            "payee",
            "payee name",
            "beneficiary",
            "beneficiary name",
            "vendor",
            "vendor name",
            "creditor",
            "creditor name",
            "merchant name",
        ),
        "REDACTED, Personal data and the like are kept as written, matched to no supplier.",
    ),
    Column(
        "Supplier ID",
        "supplier_ref",
        False,
        ("supplier id", "supplier number", "supplier code", "vendor id", "vendor number"),
    ),
    Column("Invoice date", "invoice_date", False, ("date of invoice", "invoice dated")),
    Column(
        "Invoice received date",
        "invoice_received_on",
        False,
        ("invoice received", "date invoice received", "received date", "date received"),
    ),
    Column(
        "Purchase order",
        "purchase_order",
        False,
        ("purchase order number", "po number", "po no", "po", "order number", "po ref"),
    ),
    Column("VAT", "vat", False, ("vat amount", "vat £", "irrecoverable vat", "tax")),
    Column(
        "Company number",
        "company_number",
        False,
        (
            "company reg no",
            "company registration number",
            "companies house number",
            "company no",
            "supplier company number",
            "registered company number",
        ),
    ),
    Column(
        "Charity number",
        "charity_number",
        False,
        ("charity no", "charity registration number", "registered charity number"),
    ),
    Column("Cost centre", "cost_centre", False, ("cost center", "cost centre code", "cost code")),
    Column(
        "Expense type",
        "expense_type",
        False,
        ("expenses type", "expense area", "expense description", "account description"),
    ),
    Column(
        "Contract reference",
        "contract_reference",
        False,
        ("contract ref", "contract number", "contract id", "contract"),
        "Where it is a reference of the supplier's contracts, the payment goes to that contract.",
    ),
)
COLUMN_NAMES = {column.attribute: column.name for column in COLUMNS}
TEXTS = {
    "body": 200,
    "service_area": 200,
    "expenditure_category": 200,
    "expense_type": 200,
    "cost_centre": 100,
    "payee": 250,
    "supplier_ref": 60,
    "charity_number": 12,
    "purchase_order": 60,
    "contract_reference": 50,
}


@dataclass
class PaymentsImportResult(ImportResult):
    added: int = 0
    already_imported: int = 0
    credits: int = 0
    redacted: int = 0
    net: Decimal = Decimal(0)
    matched: int = 0  # payments matched to a register supplier, once written
    attributed: int = 0  # payments attributed to a contract, once written
    payment_import: int | None = None
    contract_ids: set[int] = field(default_factory=set)


class Remembered(dict):
    """What a value parsed to, for values a file repeats; forgotten once it holds too many."""

    def keep(self, key, value):
        if len(self) >= REMEMBERED:
            self.clear()
        self[key] = value
        return value


class Directorates:
    """The council's directorates, and which one each value written in the file names."""

    def __init__(self, values: ValueMap, attribute: str | None) -> None:
        self.values = values
        self.attribute = attribute
        self.own: dict[str, int] = {}
        for pk, name, code in Directorate.objects.values_list("pk", "name", "code"):
            self.own[normalise_heading(name)] = pk
            self.own[normalise_heading(code)] = pk
        self.known = set(self.own.values())
        self.seen = Remembered()

    def of(self, raw: str) -> tuple[int | None, bool]:
        """The directorate ``raw`` names, and whether it names one at all (or none, as said)."""
        if raw in self.seen:
            return self.seen[raw]
        chosen = self.values.get(self.attribute, raw) if self.attribute else None
        if chosen == NO_DIRECTORATE:
            found = (None, True)
        elif chosen is not None:
            pk = int(chosen) if chosen.isdigit() else None
            found = (pk, pk in self.known)
        else:
            pk = self.own.get(normalise_heading(raw))
            found = (pk, pk is not None)
        return self.seen.keep(raw, found)


class Reader:
    """Each row parsed to a payment's fields, each problem found on its own; the lines already
    imported sorted out, a batch at a time (one query a batch)."""

    def __init__(self, result: PaymentsImportResult, values: ValueMap, source: int | None):
        self.result = result
        self.source = source
        held = set(result.layout.positions.values())
        self.has_line = "line" in held
        attribute = "directorate" if "directorate" in held else None
        if attribute is None and "service_area" in held:
            attribute = "service_area"
        self.directorates = Directorates(values, attribute)
        self.seen: set[int] = set()  # fingerprints of the file's identities
        self.lines: dict[int, int] = {}  # without a line column: lines of a transaction so far
        self.dates = Remembered()
        # A source's first file (or a new source) has nothing to compare its lines with.
        self.imported_before = bool(source) and Payment.objects.filter(source_id=source).exists()

    def batch(self, rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        parsed = [payment for number, cells in rows if (payment := self.row(number, cells))]
        return self._new(parsed)

    def _date(self, value: Any) -> date | None:
        if isinstance(value, str):
            if value in self.dates:
                return self.dates[value]
            return self.dates.keep(value, parse_date(value))
        return parse_date(value)

    def row(self, number: int, cells: dict[str, Any]) -> dict[str, Any] | None:
        self.result.rows += 1
        found: list[Problem] = []

        def problem(attribute: str, message: str) -> None:
            found.append(Problem(number, COLUMN_NAMES[attribute], message))

        payment = {name: text(cells.get(name)) for name in TEXTS}
        for name, limit in TEXTS.items():
            if len(payment[name]) > limit:
                problem(name, f"Use at most {limit} characters")
        self._parse(cells, payment, problem)
        self._identity(cells, payment, problem)
        self._directorate(cells, payment, problem)
        if found:
            self.result.problems.extend(found)
            return None
        payment["number"] = number
        return payment

    def _parse(self, cells: dict[str, Any], payment: dict[str, Any], problem: Callable) -> None:
        parsers = {
            "paid_on": self._date,
            "invoice_date": self._date,
            "invoice_received_on": self._date,
            "amount": parse_money,
            "vat": parse_money,
            "company_number": parse_company_number,
        }
        failed = set()
        for name, parser in parsers.items():
            try:
                payment[name] = parser(cells.get(name))
            except CellError as error:
                payment[name], failed = None, failed | {name}
                problem(name, str(error))
        if payment["paid_on"] is None and "paid_on" not in failed:
            problem("paid_on", "Enter the payment date")
        if payment["amount"] is None and "amount" not in failed:
            problem("amount", "Enter the amount paid: negative for a credit note")
        payment["company_number"] = payment["company_number"] or ""
        if not payment["payee"]:
            problem("payee", "Enter the supplier name, or REDACTED where the file withholds it")
        payment["is_redacted"] = is_redacted(payment["payee"])

    def _identity(self, cells: dict[str, Any], payment: dict[str, Any], problem: Callable) -> None:
        ref = text(cells.get("transaction_ref"))
        if not ref:
            problem("transaction_ref", "Enter the transaction number")
            return
        if len(ref) > 60:
            problem("transaction_ref", "Use at most 60 characters")
            return
        if self.has_line:
            line = text(cells.get("line"))
        else:
            fingerprint = hash(ref)
            line = str(self.lines.get(fingerprint, 0) + 1)
            self.lines[fingerprint] = int(line)
        if len(line) > 20:
            problem("line", "Use at most 20 characters")
            return
        fingerprint = hash((ref, line))
        if fingerprint in self.seen:
            problem(
                "line" if self.has_line else "transaction_ref",
                f"Transaction {ref}" + (f", line {line}," if line else "") + " is on an earlier "
                "row of this file too: each line of a payment is given once",
            )
        self.seen.add(fingerprint)
        payment["transaction_ref"], payment["line"] = ref, line

    def _directorate(self, cells: dict[str, Any], payment: dict[str, Any], problem) -> None:
        payment["directorate_id"] = None
        attribute = self.directorates.attribute
        raw = text(cells.get(attribute)) if attribute else ""
        if not raw:
            return
        pk, known = self.directorates.of(raw)
        if not known:
            self.result.unknown(attribute, raw)
            problem(
                attribute,
                f"'{raw}' is not one of the council's directorates: say which it is, or that it "
                "is none of them",
            )
        payment["directorate_id"] = pk

    def _new(self, parsed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The payments not imported before; those that were are counted, and noted where the
        file now says something else of them."""
        result = self.result
        for payment in parsed:
            result.credits += payment["amount"] < 0
            result.redacted += payment["is_redacted"]
        if not self.imported_before or not parsed:
            return parsed
        before = {
            (ref, line): rest
            for ref, line, *rest in Payment.objects.filter(
                source_id=self.source, transaction_ref__in={p["transaction_ref"] for p in parsed}
            ).values_list("transaction_ref", "line", "amount", "paid_on", "payee")
        }
        new = []
        for payment in parsed:
            earlier = before.get((payment["transaction_ref"], payment["line"]))
            if earlier is None:
                new.append(payment)
                continue
            result.already_imported += 1
            if earlier != [payment["amount"], payment["paid_on"], payment["payee"]]:
                self._note(payment)
        return new

    def _note(self, payment: dict[str, Any]) -> None:
        if len(self.result.notes) < NOTES_KEPT:
            self.result.notes.append(
                Problem(
                    payment["number"],
                    COLUMN_NAMES["transaction_ref"],
                    f"Transaction {payment['transaction_ref']}, line {payment['line'] or '-'}, was "
                    "imported before with another amount, date or supplier name: the payment "
                    "imported first is kept",
                )
            )


class Writer:
    """The payments written, a batch at a time: each with its payee's key and its supplier, as
    the register's suppliers and the source's confirmed matches say (read once per file).

    Payments are a ledger of facts from the finance system, never edited here: they are written
    in bulk (bulk_create; on PostgreSQL its COPY), with no history per row; the PaymentImport
    row says who, when and why."""

    def __init__(self, *, source: PaymentSource, filename: str, by: User | None, reason: str):
        self.batch = PaymentImport.objects.create(
            source=source, filename=filename[:255], imported_by=by, reason=reason[:300]
        )
        self.index = SupplierIndex.read(source.pk)
        self.contracts = ContractIndex.read()
        self.payees = Remembered()

    def _match(self, payment: dict[str, Any]) -> tuple[str, int | None, str]:
        found = (payment["payee"], payment["company_number"], payment["charity_number"])
        if found in self.payees:
            return self.payees[found]
        key = payee_key(payment["payee"])
        supplier, match = self.index.match(
            payee=payment["payee"],
            key=key,
            company=payment["company_number"],
            charity=payment["charity_number"],
            redacted=payment["is_redacted"],
        )
        return self.payees.keep(found, (key, supplier, match))

    def rows(self, payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The payments as written: matched to a supplier and a contract."""
        rows = []
        for payment in payments:
            key, supplier, match = self._match(payment)
            row = {name: value for name, value in payment.items() if name != "number"}
            row.update(
                source_id=self.batch.source_id,
                batch_id=self.batch.pk,
                payee_key=key,
                supplier_id=supplier,
                supplier_match=match,
            )
            for name, normalise in NORMALISED.items():  # as a save would, before comparing
                if isinstance(row.get(name), str):
                    row[name] = normalise(row[name])
            row["contract_id"], row["contract_match"] = self.contracts.attribute(
                supplier=supplier,
                supplier_match=match,
                paid_on=row["paid_on"],
                directorate=row["directorate_id"],
                contract_reference=row["contract_reference"],
                purchase_order=row["purchase_order"],
            )
            rows.append(row)
        return rows

    def write(self, payments: list[dict[str, Any]]) -> None:
        rows = self.rows(payments)
        if not rows:
            return
        if connection.vendor == "postgresql":
            _copy(_Lines(iter([rows])))
        else:
            Payment.objects.bulk_create([Payment(**row) for row in rows], batch_size=WRITE_BATCH)

    def stream(self, batches: Iterator[list[dict[str, Any]]]) -> None:
        """Write every batch of new payments in one COPY, on PostgreSQL, reading the file as
        the database asks for lines: the database writes one batch while the next is read."""
        _copy(_Lines(self.rows(payments) for payments in batches))

    def finish(self, result: PaymentsImportResult) -> None:
        """Count what the file did (its payments were attributed to contracts as written), set
        the lists' kept figures aside, and, once committed, have them rebuilt and tell whatever
        keeps figures from payments which contracts' changed."""
        mine = Payment.objects.filter(batch=self.batch)
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, as autovacuum would keep them: without them
            # the planner takes the new rows for a handful in the figures that follow.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Payment._meta.db_table}")
        self.batch.rows = result.rows
        self.batch.added = result.added
        self.batch.already_imported = result.already_imported
        self.batch.save(update_fields=["rows", "added", "already_imported"])
        result.payment_import = self.batch.pk
        result.matched = mine.filter(supplier__isnull=False).count()
        contracts = mine.filter(contract__isnull=False).values_list("contract", flat=True)
        result.contract_ids = set(contracts.order_by().distinct())
        result.attributed = mine.filter(contract__isnull=False).count()
        contract_ids = set(result.contract_ids)
        # The lists sum the payments until their kept figures are rebuilt after the commit.
        kept_spend_retire()
        transaction.on_commit(
            lambda: payments_changed.send(sender=Payment, contract_ids=contract_ids)
        )
        transaction.on_commit(_rebuild_kept)


def _rebuild_kept() -> None:
    """Hand the rebuild of the lists' kept figures to the worker; without one, the nightly job
    rebuilds them, and the lists sum the payments until then."""
    try:
        enqueue(kept_spend_task)
    except BackgroundUnavailable:
        logger.warning("The spend lists' kept figures are not rebuilt until tonight")


# The columns a payment is written with, in order, for PostgreSQL's COPY.
COPIED = [field for field in Payment._meta.concrete_fields if not field.primary_key]
DEFAULTS = {column.attname: column.get_default() for column in COPIED}
NORMALISED = {column.attname: column.normalise for column in COPIED if hasattr(column, "normalise")}


# Written as CSV, where an empty value is NULL only in a column that can hold NULL (none of
# them is text: an empty text is written quoted, as a value).
NULLABLE = [column.column for column in COPIED if column.null]


class _Lines(io.TextIOBase):
    """Batches of payments' rows as COPY's CSV, a batch each time COPY reads. An error while
    reading the file ends COPY quietly and is raised once COPY is done (psycopg2 would put
    its own in its place); the import's transaction then leaves nothing written."""

    def __init__(self, batches: Iterator[list[dict[str, Any]]]) -> None:
        self.batches = batches
        self.error: BaseException | None = None
        self.text = io.StringIO()
        self.csv = csv.writer(self.text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        try:
            rows = next(self.batches, None)
            while rows == []:  # every line of a batch imported before: an empty read ends COPY
                rows = next(self.batches, None)
        except Exception as error:  # kept, and raised once COPY has ended
            self.error = error
            return ""
        if rows is None:
            return ""
        self.text.seek(0)
        self.text.truncate()
        defaults = DEFAULTS.items()
        self.csv.writerows([row.get(name, default) for name, default in defaults] for row in rows)
        return self.text.getvalue()


def _copy(lines: _Lines) -> None:
    """Write payments as bulk_create does (each field's default where the row gives none; the
    text fields the writer normalised), through PostgreSQL's COPY: the same rows in a fraction
    of the time, for files of half a million lines."""
    quoted = connection.ops.quote_name
    columns = ", ".join(quoted(column.column) for column in COPIED)
    nullable = ", ".join(quoted(column) for column in NULLABLE)
    table = quoted(Payment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NULL ({nullable}))",
            lines,
        )
    if lines.error is not None:
        raise lines.error


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _run(
    stream: IO[bytes],
    filename: str,
    *,
    by: User | None,
    write: bool,
    reason: str,
    mapping: dict | None,
    progress: Callable[[int, int], None] | None,
    source: int | None = None,
    new_source: str = "",
) -> PaymentsImportResult:
    result = PaymentsImportResult()
    rows, values = table_begin(stream, filename, COLUMNS, mapping, result)
    if rows is None:
        return result
    reader = Reader(result, values, source)
    writer = None
    if write:
        found = _source_to_write(source=source, new_source=new_source, by=by, filename=filename)
        writer = Writer(source=found, filename=filename, by=by, reason=reason)
    new = _new_payments(reader, result, rows, progress)
    if writer is None:
        for _ in new:
            pass
    elif connection.vendor == "postgresql" and not reader.imported_before:
        writer.stream(new)  # nothing to look up as it reads: one COPY
    else:
        for payments in new:
            writer.write(payments)
    if result.rows == 0:
        result.problems.append(
            Problem(result.layout.heading_row + 1, "", "The file has a heading row but no payments")
        )
    if writer and not result.problems:
        writer.finish(result)
    return result


def _new_payments(
    reader: Reader,
    result: PaymentsImportResult,
    rows: Iterator,
    progress: Callable[[int, int], None] | None,
) -> Iterator[list[dict[str, Any]]]:
    """The file's payments not imported before, a batch at a time, counted; none once a row
    has a problem (the rest of the file is read for its problems, and nothing is written)."""
    for chunk in _chunks(chain.from_iterable(batches(result.layout, rows)), WRITE_BATCH):
        if progress:
            progress(result.rows, result.layout.estimated_rows)
        new = reader.batch(chunk)
        result.added += len(new)
        result.net += sum((payment["amount"] for payment in new), Decimal(0))
        yield [] if result.problems else new


def _source_to_write(
    *, source: int | None, new_source: str, by: User | None, filename: str
) -> PaymentSource:
    """The finance system the payments are written under. One named new at upload is added
    here, in the import's own transaction, so a file refused, or never imported, leaves none."""
    found = PaymentSource.objects.filter(pk=source).first() if source else None
    if found is None and new_source.strip():
        try:
            found = payment_source_create(
                name=new_source, by=by, reason=f"Added importing {filename}"
            )
        except DomainError as error:
            raise ImportFileError(f"{error}: upload the file again and choose it") from None
    if found is None:
        raise ImportFileError("Say which finance system the file comes from")
    return found


# What importing the file would add, what was imported already, and every problem in it
# (writing nothing); and the import of the payments not imported before: every one, or, if any
# row has a problem, nothing at all. Both take the finance system (``source`` or ``new_source``).
payments_import_check, payments_import = check_and_import(_run, permission="spend.import_payments")


def _directorate_choices() -> list[tuple[str, str]]:
    return [
        *((str(pk), name) for pk, name in Directorate.objects.values_list("pk", "name")),
        (NO_DIRECTORATE, "None of the council's directorates"),
    ]


def _mapping_for(options: dict) -> str:
    """A source's payments are read with the mapping saved under the source's name."""
    source = options.get("source")
    if not source:
        return (options.get("new_source") or "").strip()  # to be added with the import
    return PaymentSource.objects.filter(pk=source).values_list("name", flat=True).first() or ""


def _done(result: PaymentsImportResult) -> str:
    return (
        f"{counted(result.added, 'payment')} added, {result.already_imported:,} already imported; "
        f"{result.matched:,} matched to a supplier, {result.attributed:,} to a contract"
    )


KIND = register(
    ImportKind(
        key="payments",
        noun="payment",
        columns=COLUMNS,
        permission="spend.import_payments",
        check=payments_import_check,
        run=payments_import,
        counts=lambda result: [
            ("Rows read", result.rows),
            ("Rows ready to import", result.ready),
            ("Payments to add", result.added),
            ("Already imported", result.already_imported),
            ("Credit notes and negative lines", result.credits),
            ("Redacted payees", result.redacted),
        ],
        done=_done,
        value_choices={
            "directorate": _directorate_choices,
            "service_area": _directorate_choices,
        },
        mapping_for=_mapping_for,
    )
)
