"""The import of payment files (spend/importing.py): files laid out as finance systems export
them, payments never counted twice, credit notes and redacted payees kept as written, the supplier
and contract worked out at import, and all rows or none."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from procurement.roles import Role
from procurement.tabular import ImportRefused, parse_money
from spend.importing import COLUMNS, WRITE_BATCH, payments_import, payments_import_check
from spend.models import Payment, PaymentImport
from spend.signals import payments_changed

from .factories import PaymentSourceFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def adults_as(council) -> dict:
    """The mapping step's answer: the ledger's "Adults & Health" is Adult Social Care."""
    asc = str(council["directorates"]["asc"].pk)
    return {"columns": {}, "values": {"directorate": {"adults health": asc}}}


def check(user, name, source, mapping=None):
    with (FILES / name).open("rb") as stream:
        return payments_import_check(
            stream=stream, filename=name, by=user, source=source.pk, mapping=mapping
        )


def run(user, name, source, mapping=None):
    with (FILES / name).open("rb") as stream:
        return payments_import(
            stream=stream,
            filename=name,
            by=user,
            reason="Test import",
            source=source.pk,
            mapping=mapping,
        )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("(123.45)", Decimal("-123.45")),
        ("123.45CR", Decimal("-123.45")),
        ("£1,234.50 cr", Decimal("-1234.50")),
        ("123.45-", Decimal("-123.45")),
        ("100.00DR", Decimal("100.00")),
        ("-£5", Decimal("-5.00")),
    ],
)
def test_credits_as_finance_systems_write_them(written, expected):
    assert parse_money(written) == expected


def test_the_columns_know_the_headings_finance_systems_use():
    from procurement.tabular import heading_lookup, normalise_heading

    lookup = heading_lookup(COLUMNS)
    for heading, attribute in {
        "Body Name": "body",
        "Department Area": "directorate",
        "Service Area": "service_area",
        "Service Division": "service_area",
        "Directorate": "directorate",
        "Expenditure Category": "expenditure_category",
        "Expense Type": "expense_type",
        "Payment Date": "paid_on",
        "Date Paid": "paid_on",
        "Transaction Number": "transaction_ref",
        "Transaction No": "transaction_ref",
        "HBC Ref No.": "transaction_ref",
        "Amount": "amount",
        "Amount Paid": "amount",
        "Net Amount": "amount",
        "Supplier Name": "payee",
        "Name:": "payee",
        "Beneficiary": "payee",
        "Vendor Name": "payee",
        "Supplier ID": "supplier_ref",
        "Vendor ID": "supplier_ref",
        "Line": "line",
        "Line Number": "line",
        "PO Number": "purchase_order",
        "Company Reg No": "company_number",
    }.items():
        assert lookup[normalise_heading(heading)] == attribute, heading
    line = next(column for column in COLUMNS if column.attribute == "line")
    assert "numbered 1, 2" in line.hint


def test_a_ledger_below_a_title_asks_what_an_unknown_directorate_is(council, partner):
    found = check(partner, "ledger_april.csv", council["source"])
    assert found.layout.heading_row == 4
    assert found.rows == 8  # the blank row is not a payment
    assert found.unknown_values == {"directorate": {"Adults & Health": 5}}
    assert {problem.column for problem in found.problems} == {"Directorate"}
    assert not Payment.objects.exists()

    mapped = check(partner, "ledger_april.csv", council["source"], adults_as(council))
    assert mapped.ok, mapped.problems
    assert (mapped.added, mapped.already_imported) == (8, 0)
    assert (mapped.credits, mapped.redacted) == (2, 2)
    assert not Payment.objects.exists()  # the check writes nothing


def test_a_ledger_is_imported_with_its_suppliers_and_contracts(
    council, partner, django_capture_on_commit_callbacks
):
    told = []

    def listen(sender, contract_ids, **kwargs):
        told.append(contract_ids)

    payments_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = run(partner, "ledger_april.csv", council["source"], adults_as(council))
    finally:
        payments_changed.disconnect(listen)
    assert result.ok
    assert result.added == 8
    batch = PaymentImport.objects.get()
    assert (batch.rows, batch.added, batch.already_imported) == (8, 8, 0)
    assert (batch.imported_by, batch.reason, batch.filename) == (
        partner,
        "Test import",
        "ledger_april.csv",
    )
    payments = {(p.transaction_ref, p.line): p for p in Payment.objects.all()}
    assert len(payments) == 8
    # Credit notes stay negative, so the totals net off.
    assert payments["500103", "1"].amount == Decimal("-450.00")
    assert payments["500106", "1"].amount == Decimal("-250.00")
    assert sum(p.amount for p in payments.values()) == Decimal("13720.49")
    # The company number that lost its leading zero still finds its supplier.
    acme = payments["500101", "1"]
    assert (acme.supplier, acme.supplier_match) == (council["acme"], Match.NUMBER)
    assert acme.company_number == "01234567"
    assert acme.directorate == council["directorates"]["asc"]
    # By the contract reference in the file, though the payments exceed its value.
    assert acme.contract == council["contract"]
    assert acme.contract_match == ContractMatch.REFERENCE
    assert payments["500101", "2"].contract == council["contract"]
    # By name, written another way.
    bright = payments["500102", "1"]
    assert (bright.supplier, bright.supplier_match) == (council["brightside"], Match.NAME)
    # Redacted payees are kept as written, with no key and no supplier.
    redacted = payments["500104", "1"]
    assert (redacted.payee, redacted.is_redacted, redacted.payee_key) == ("REDACTED", True, "")
    assert redacted.supplier_match == Match.REDACTED
    assert payments["500105", "1"].is_redacted
    assert payments["500107", "1"].supplier_match == Match.WAITING
    assert told == [{council["contract"].pk}]
    assert result.matched == 5
    assert result.attributed == 3


def test_the_same_month_imported_twice_adds_nothing(council, partner):
    run(partner, "ledger_april.csv", council["source"], adults_as(council))
    again = run(partner, "ledger_april.csv", council["source"], adults_as(council))
    assert (again.added, again.already_imported, again.notes) == (0, 8, [])
    assert Payment.objects.count() == 8
    second = PaymentImport.objects.order_by("pk").last()
    assert (second.rows, second.added, second.already_imported) == (8, 0, 8)


def test_an_overlapping_extract_adds_only_the_new_lines(council, partner):
    run(partner, "ledger_april.csv", council["source"], adults_as(council))
    later = run(partner, "ledger_april_may.csv", council["source"], adults_as(council))
    assert (later.added, later.already_imported) == (2, 6)
    assert Payment.objects.count() == 10
    # The line whose amount changed in the finance system is noted, not doubled or changed.
    [note] = later.notes
    assert "500107" in note.message
    assert "imported before" in note.message
    assert Payment.objects.get(transaction_ref="500107").amount == Decimal("8000.00")


def test_the_same_identity_from_another_source_is_another_payment(council, partner):
    run(partner, "ledger_april.csv", council["source"], adults_as(council))
    other = PaymentSourceFactory(name="Schools ledger")
    result = run(partner, "ledger_april.csv", other, adults_as(council))
    assert result.added == 8
    assert Payment.objects.count() == 16


def test_the_transparency_codes_own_headings(council, partner):
    result = run(partner, "transparency_code.csv", council["source"])
    assert result.ok, result.problems
    payments = {p.transaction_ref: p for p in Payment.objects.all()}
    first = payments["TC-1"]
    assert (first.body, first.service_area) == ("Northmere Council", "Adult Social Care")
    # No directorate column: the service area names the directorate.
    assert first.directorate == council["directorates"]["asc"]
    assert payments["TC-2"].directorate == council["directorates"]["hou"]
    assert (first.supplier, first.supplier_match) == (council["brightside"], Match.NUMBER)
    assert first.expense_type == "Home care"
    assert first.expenditure_category == "Third party payments"
    assert payments["TC-2"].vat == Decimal("500.00")
    assert payments["TC-3"].amount == Decimal("-75.00")
    assert payments["TC-3"].supplier == council["acme"]
    # No contract reference: the supplier's one live contract in the directorate.
    assert payments["TC-3"].contract == council["contract"]
    assert payments["TC-3"].contract_match == ContractMatch.ONLY_LIVE


def test_without_a_line_column_lines_are_numbered_in_the_files_order(council, partner):
    result = run(partner, "no_line_column.csv", council["source"])
    assert result.ok, result.problems
    lines = list(
        Payment.objects.order_by("transaction_ref", "line").values_list(
            "transaction_ref", "line", "amount"
        )
    )
    assert lines == [
        ("7001", "1", Decimal("100.00")),
        ("7001", "2", Decimal("200.00")),
        ("7001", "3", Decimal("-50.00")),
        ("7002", "1", Decimal("300.00")),
    ]
    assert Payment.objects.get(transaction_ref="7002").supplier == council["greenway"]
    again = run(partner, "no_line_column.csv", council["source"])
    assert (again.added, again.already_imported) == (0, 4)


def test_a_workbook_with_excel_serial_dates_and_a_lost_zero(council, partner):
    result = run(partner, "ledger_serial_dates.xlsx", council["source"])
    assert result.ok, result.problems
    assert result.layout.heading_row == 3
    first = Payment.objects.get(transaction_ref="610001")
    assert (first.paid_on, first.invoice_date, first.invoice_received_on) == (
        date(2026, 4, 8),
        date(2026, 3, 19),
        date(2026, 3, 24),
    )
    assert first.days_to_pay == 15
    assert (first.line, first.company_number, first.supplier_ref) == ("1", "01234567", "V001")
    assert (first.supplier, first.supplier_match) == (council["acme"], Match.NUMBER)
    assert first.vat == Decimal("300.00")
    credit = Payment.objects.get(transaction_ref="610002", line="2")
    assert credit.amount == Decimal("-250.50")
    assert credit.supplier == council["greenway"]


def test_a_file_with_problems_writes_nothing_and_lists_every_problem(council, partner):
    with pytest.raises(ImportRefused) as refused:
        run(partner, "with_problems.csv", council["source"])
    found = {(p.row, p.column) for p in refused.value.result.problems}
    assert found == {
        (2, "Payment date"),  # 31 February
        (3, "Amount"),  # blank
        (4, "Amount"),  # not money
        (5, "Transaction number"),  # blank
        (7, "Line"),  # the line of row 6 again
        (8, "Directorate"),  # no directorate of the council's
    }
    assert not Payment.objects.exists()
    assert not PaymentImport.objects.exists()


def test_only_those_who_may_import_payments_can(council, make_user):
    from django.core.exceptions import PermissionDenied

    officer = make_user(Role.PROCUREMENT_OFFICER)
    with pytest.raises(PermissionDenied):
        check(officer, "ledger_april.csv", council["source"])


def test_a_payee_written_with_a_backslash_or_a_quote_is_kept_as_written(council, partner):
    import io

    written = (
        "Date Paid,Transaction No,Amount,Supplier Name\n"
        '01/04/2026,1,10.00,"O\'Neil \\ Sons ""North"""\n'
    )
    result = payments_import(
        stream=io.BytesIO(written.encode()),
        filename="odd.csv",
        by=partner,
        reason="Test import",
        source=council["source"].pk,
    )
    assert result.ok, result.problems
    assert Payment.objects.get().payee == 'O\'Neil \\ Sons "North"'


def _ledger(lines: int, *, last: str = "10.00", tail: bytes = b"") -> bytes:
    """A ledger of ``lines`` payments in one source's first file, the last line's amount as
    given, with ``tail`` after it."""
    rows = ["Date Paid,Transaction No,Amount,Supplier Name,VAT,Cost Centre,Directorate"]
    rows += [f"01/04/2026,{n},12.50,Acme Cleaning Ltd,,,asc" for n in range(1, lines)]
    rows.append(f"01/04/2026,{lines},{last},Acme Cleaning Ltd,,,asc")
    return "\n".join(rows).encode() + b"\n" + tail


def _import_bytes(written: bytes, partner, source):
    import io

    return payments_import(
        stream=io.BytesIO(written),
        filename="ledger.csv",
        by=partner,
        reason="Test import",
        source=source.pk,
    )


def test_a_first_file_of_several_batches_is_written_whole(council, partner):
    lines = 2 * WRITE_BATCH + 7
    result = _import_bytes(_ledger(lines), partner, council["source"])
    assert result.added == lines == Payment.objects.count()
    payment = Payment.objects.get(transaction_ref="1")
    # An empty text is kept as text, an empty amount as none.
    assert (payment.vat, payment.cost_centre, payment.supplier) == (None, "", council["acme"])
    # Attributed as it was written, by the supplier's one live contract in the directorate.
    assert (payment.contract, payment.contract_match) == (
        council["contract"],
        ContractMatch.ONLY_LIVE,
    )


def test_a_problem_after_batches_were_written_leaves_nothing(council, partner):
    written = _ledger(2 * WRITE_BATCH + 7, last="lots")
    with pytest.raises(ImportRefused) as refused:
        _import_bytes(written, partner, council["source"])
    assert [(p.row, p.column) for p in refused.value.result.problems] == [
        (2 * WRITE_BATCH + 8, "Amount")
    ]
    assert not Payment.objects.exists()
    assert not PaymentImport.objects.exists()


def test_a_file_that_breaks_off_while_written_says_so_and_leaves_nothing(
    council, partner, monkeypatch
):
    from procurement.tabular import ImportFileError
    from spend import importing

    caught = []
    copy = importing._copy

    def watched(lines):
        try:
            copy(lines)
        finally:
            caught.append(lines.error)

    monkeypatch.setattr(importing, "_copy", watched)
    # A cell longer than a CSV reader takes, after two batches: found only when reached.
    written = _ledger(2 * WRITE_BATCH + 7, tail=b'01/04/2026,X,1,"' + b"a" * 200_000 + b'"\n')
    with pytest.raises(ImportFileError) as broken:
        _import_bytes(written, partner, council["source"])
    # The file's own error, raised from the middle of writing it, not the database's.
    assert caught == [broken.value] or connection.vendor != "postgresql"
    assert not Payment.objects.exists()
