"""Importing the register: check first, then all rows or none, matched by reference."""

import csv
import io
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from contracts import importing
from contracts.forms import ContractFields, ContractForm
from contracts.importing import (
    ImportFileError,
    ImportRefused,
    contracts_import,
    contracts_import_check,
)
from contracts.models import Contract, Supplier
from contracts.tests.factories import ContractOverFiftyThousandFactory, SupplierFactory
from procurement import tabular
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Contract Ref",
    "Title",
    "Department",
    "Supplier",
    "Company Number",
    "SME",
    "Total Value",
    "Start Date",
    "End Date",
    "Route",
    "Contract Manager",
    "Lead Director",
]


@pytest.fixture
def people(make_user):
    directorate = DirectorateFactory(name="Adult Social Care", code="asc")
    return {
        "partner": make_user(Role.BUSINESS_PARTNER, email="partner@council.example"),
        "manager": make_user(Role.CONTRACT_MANAGER, email="manager@council.example"),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, email="director@council.example"),
        "officer": make_user(Role.PROCUREMENT_OFFICER, directorate=directorate),
        "directorate": directorate,
    }


def row(reference="C-1", **changes) -> list[str]:
    values = {
        "Contract Ref": reference,
        "Title": " Home care (north) ",
        "Department": "Adult Social Care",
        "Supplier": "Caring Ltd",
        "Company Number": "01234567",
        "SME": "Y",
        "Total Value": "£1,234,567.50",
        "Start Date": "01/04/2024",
        "End Date": "2027-03-31",
        "Route": "Published tender",
        "Contract Manager": "Manager@Council.example",
        "Lead Director": "director@council.example",
    }
    values.update(changes)
    return [values[heading] for heading in HEADINGS]


def csv_file(*rows: list[str], headings=HEADINGS, encoding="utf-8") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def check(people, stream, filename="register.csv", who="partner"):
    return contracts_import_check(stream=stream, filename=filename, by=people[who])


def run(people, stream, filename="register.csv", who="partner"):
    return contracts_import(stream=stream, filename=filename, by=people[who], reason="Annual load")


def test_check_reports_and_writes_nothing(people):
    result = check(
        people, csv_file(row("C-1"), row("C-2", Supplier="Other Ltd", **{"Company Number": ""}))
    )
    assert (result.rows, result.created, result.updated, result.problems) == (2, 2, 0, [])
    assert not Contract.objects.exists()
    assert not Supplier.objects.exists()


def test_import_writes_everything_with_history_and_messy_values(people):
    result = run(people, csv_file(row("C-1"), row("C-2", SME="no", **{"Total Value": " 4,999 "})))
    assert (result.created, result.suppliers_created) == (2, 1)
    contract = Contract.objects.get(reference="C-1")
    assert contract.title == "Home care (north)"
    assert contract.whole_life_value == Decimal("1234567.50")
    assert contract.end_date.isoformat() == "2027-03-31"
    assert contract.procurement_route == Contract.Route.TENDER
    assert contract.contract_manager == people["manager"]
    assert contract.supplier.is_sme
    record = contract.history.get()
    assert (record.history_user, record.history_change_reason) == (people["partner"], "Annual load")


def test_reimporting_the_same_file_changes_nothing(people):
    run(people, csv_file(row("C-1"), row("C-2")))
    again = run(people, csv_file(row("C-1"), row("C-2")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Contract.objects.get(reference="C-1").history.count() == 1


def test_an_import_keeps_the_procurement_act_figures_entered_on_the_page(people):
    """The VAT and the days the Act measures a contract by are entered on its page, not in the
    register file: importing the register again changes the contract but leaves them."""
    from contracts.services import contract_update

    run(people, csv_file(row("C-1")))
    figures = {
        "vat": Decimal("246913.50"),
        "procurement_began_on": date(2023, 10, 2),
        "signed_on": date(2024, 3, 20),
    }
    contract_update(
        contract=Contract.objects.get(reference="C-1"),
        fields=figures,
        by=people["partner"],
        reason="From the award letter",
    )
    result = run(people, csv_file(row("C-1", Title="Home care (north and west)")))
    assert result.updated == 1
    contract = Contract.objects.get(reference="C-1")
    assert contract.title == "Home care (north and west)"
    assert {name: getattr(contract, name) for name in figures} == figures


def test_changed_rows_update_the_register_with_history(people):
    run(people, csv_file(row("C-1")))
    result = run(people, csv_file(row("C-1", Title="Home care (north and west)")))
    assert (result.updated, result.unchanged) == (1, 0)
    contract = Contract.objects.get(reference="C-1")
    assert contract.title == "Home care (north and west)"
    assert contract.history.latest().prev_record.title == "Home care (north)"


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"Department": "Parks"}, "Directorate", "'Parks' is not a directorate of the council"),
        ({"Start Date": "31/02/2024"}, "Start date", "'31/02/2024' is not a real date"),
        (
            {"Total Value": "about a million"},
            "Whole-life value",
            "'about a million' is not an amount of money",
        ),
        ({"Route": "handshake"}, "Procurement route", "'handshake' is not a procurement route"),
        ({"SME": "maybe"}, "SME", "'maybe' is not Yes or No"),
        (
            {"End Date": "01/01/2024"},
            "End date",
            "The end date must be the same as or after the start date",
        ),
        ({"Title": ""}, "Title", "Enter the contract title"),
    ],
)
def test_each_kind_of_bad_row_is_reported_by_row_and_column(people, changes, column, message):
    result = check(people, csv_file(row("C-1"), row("C-2", **changes)))
    assert any(
        p.row == 3 and p.column == column and message in p.message for p in result.problems
    ), result.problems
    with pytest.raises(ImportRefused):
        run(people, csv_file(row("C-1"), row("C-2", **changes)))
    assert not Contract.objects.exists()


def test_a_duplicate_reference_in_the_file_is_refused(people):
    result = check(people, csv_file(row("C-1"), row("C-1")))
    assert [(p.row, p.column) for p in result.problems] == [(3, "Reference")]
    assert "also on row 2" in result.problems[0].message


def test_a_missing_required_column_is_asked_for_not_a_refusal_of_the_file(people):
    stream = csv_file(row("C-1")[:-3], headings=HEADINGS[:-3])
    result = check(people, stream)
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (0, "Procurement route", "Say which column holds the procurement route")
    ]
    assert result.rows == 0  # no row is checked until every required column is known


def test_all_or_nothing_across_batches(people, monkeypatch):
    monkeypatch.setattr(tabular, "BATCH_SIZE", 2)
    rows = [row(f"C-{n}") for n in range(1, 6)] + [row("C-6", Department="Parks")]
    with pytest.raises(ImportRefused) as refused:
        run(people, csv_file(*rows))
    assert refused.value.result.created == 5
    assert not Contract.objects.exists()
    assert not Supplier.objects.exists()


def test_an_officer_may_only_import_their_own_directorate(people):
    other = DirectorateFactory(name="Housing", code="hsg")
    result = check(people, csv_file(row("C-1"), row("C-2", Department=other.name)), who="officer")
    assert [(p.row, p.message) for p in result.problems] == [
        (
            3,
            "You cannot add contract C-2 to Housing: "
            "you may only add contracts of your own directorate",
        )
    ]


def test_xlsx_with_real_dates_and_numbers(people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADINGS)
    from datetime import datetime

    values = row("X-1")
    values[HEADINGS.index("Total Value")] = 250000
    values[HEADINGS.index("Start Date")] = datetime(2025, 4, 1)  # noqa: DTZ001 - a spreadsheet date
    sheet.append(values)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    result = run(people, stream, filename="register.xlsx")
    assert result.created == 1
    contract = Contract.objects.get(reference="X-1")
    assert (contract.whole_life_value, contract.start_date.isoformat()) == (
        Decimal("250000.00"),
        "2025-04-01",
    )


def test_a_windows_1252_csv_is_read(people):
    title = "Café services \u2013 £ value"
    result = run(people, csv_file(row("C-1", Title=title), encoding="cp1252"))
    assert result.created == 1
    assert Contract.objects.get().title == title


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty"),
        (b"PK\x03\x04 not really a workbook", "fake.xlsx", "not a readable XLSX workbook"),
        (b"\x00\x01\x02binary", "binary.csv", "not a CSV file"),
        (b"a,b", "notes.txt", "must be a CSV or XLSX file"),
    ],
)
def test_unreadable_files_are_refused_clearly(people, content, filename, message):
    with pytest.raises(ImportFileError, match=message):
        check(people, io.BytesIO(content), filename=filename)


def test_the_command_dry_run_writes_nothing_and_the_real_run_imports(people, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_file(row("C-1")).getvalue())
    out = io.StringIO()
    call_command(
        "import_contracts", str(path), "--as", "partner@council.example", "--dry-run", stdout=out
    )
    assert "1 contracts would be added" in out.getvalue()
    assert not Contract.objects.exists()
    call_command(
        "import_contracts", str(path), "--as", "partner@council.example", stdout=io.StringIO()
    )
    assert Contract.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(row("C-9", Department="Parks")).getvalue())
    with pytest.raises(CommandError, match="1 problem: nothing was imported"):
        call_command(
            "import_contracts", str(bad), "--as", "partner@council.example", stdout=io.StringIO()
        )


def test_the_import_pages_preview_then_confirm(client, people, imports_run_here):
    client.force_login(people["partner"])
    upload = csv_file(row("C-1"))
    upload.name = "register.csv"
    response = client.post(reverse("contracts:import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "Contracts to add" in preview.content.decode()
    assert not Contract.objects.exists()
    confirmed = client.post(response["Location"], {"action": "import"})
    assert confirmed["Location"] == response["Location"]
    assert Contract.objects.count() == 1
    assert "Import complete" in client.get(response["Location"]).content.decode()
    # The stored file is gone: the same confirmation cannot be replayed.
    replay = client.post(response["Location"], {"action": "import"}, follow=True)
    assert "Only a checked file with no problem can be imported" in replay.content.decode()
    assert Contract.objects.count() == 1


def test_the_templates_download_with_every_column(client, people):
    client.force_login(people["partner"])
    response = client.get(reverse("contracts:template_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    headings = next(csv.reader(io.StringIO(text)))
    assert headings == [column.name for column in importing.TEMPLATE_COLUMNS]
    assert client.get(reverse("contracts:template_xlsx")).status_code == 200


# --- Whose contracts a row may change -----------------------------------------------------------


@pytest.fixture
def housing_contract(people):
    housing = DirectorateFactory(name="Housing", code="hsg")
    return ContractOverFiftyThousandFactory(reference="HSG-1", title="Repairs", directorate=housing)


def test_an_officer_cannot_take_another_directorates_contract_into_theirs(people, housing_contract):
    stream = csv_file(row("C-1"), row("HSG-1", Title="Rewritten"))
    with pytest.raises(ImportRefused) as refused:
        run(people, stream, who="officer")
    assert [(p.row, p.column, p.message) for p in refused.value.result.problems] == [
        (3, "Directorate", "You cannot change contract HSG-1: it belongs to Housing")
    ]
    housing_contract.refresh_from_db()
    assert (housing_contract.title, housing_contract.directorate.name) == ("Repairs", "Housing")
    assert housing_contract.history.count() == 1
    assert not Contract.objects.filter(reference="C-1").exists()


def test_an_officer_cannot_move_their_contract_to_another_directorate(people):
    DirectorateFactory(name="Housing", code="hsg")
    run(people, csv_file(row("C-1")), who="officer")
    result = check(people, csv_file(row("C-1", Department="Housing")), who="officer")
    assert [(p.row, p.message) for p in result.problems] == [
        (
            2,
            "You cannot move contract C-1 to Housing: "
            "you may only change contracts of your own directorate",
        )
    ]


def test_the_central_team_imports_every_directorates_contracts(people, housing_contract):
    result = run(people, csv_file(row("HSG-1", Title="Rewritten")))
    assert result.updated == 1
    housing_contract.refresh_from_db()
    assert (housing_contract.title, housing_contract.directorate.name) == (
        "Rewritten",
        "Adult Social Care",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_refuses_the_row_and_names_it(postgres, people, housing_contract, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_file(row("C-1"), row("HSG-1", Title="Rewritten")).getvalue())
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    command = [sys.executable, "manage.py", "import_contracts", str(path)]
    command += ["--as", people["officer"].email]
    environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "true", "REDIS_URL": ""}
    if database["PASSWORD"]:
        environment["PGPASSWORD"] = database["PASSWORD"]
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert (
        "Row 3, Directorate: You cannot change contract HSG-1: it belongs to Housing" in done.stdout
    )
    assert "1 problem: nothing was imported." in done.stderr
    housing_contract.refresh_from_db()
    assert housing_contract.title == "Repairs"
    assert housing_contract.history.count() == 1
    assert not Contract.objects.filter(reference="C-1").exists()


# --- One set of rules: a row is checked by the contract's own form ------------------------------

MORE_HEADINGS = [
    "Annual value",
    "Review date",
    "Extension options",
    "Months per extension",
    "Risk rating",
]
PLACEHOLDER = "Give the contract's real title, not a placeholder"


def full_row(reference="C-1", **changes) -> list[str]:
    """A row of ``row()`` and the further columns, blank unless given."""
    return row(reference, **{k: v for k, v in changes.items() if k in HEADINGS}) + [
        changes.get(heading, "") for heading in MORE_HEADINGS
    ]


def page_form(people, **changes) -> ContractForm:
    """The contract's page, posted with the contract ``row()`` gives."""
    supplier = SupplierFactory(name="Caring Ltd", companies_house_number="01234567")
    data = {
        "reference": "C-1",
        "title": "Home care (north)",
        "description": "",
        "directorate": str(people["directorate"].pk),
        "category": "",
        "supplier": str(supplier.pk),
        "contract_manager": str(people["manager"].pk),
        "lead_director": str(people["director"].pk),
        "whole_life_value": "£1,234,567.50",
        "annual_value": "",
        "irrecoverable_vat": "0",
        **boxes("start_date", "1/4/2024"),
        **boxes("end_date", "31/3/2027"),
        **boxes("review_date", ""),
        "extension_options": "0",
        "extension_option_months": "0",
        "extension_options_value": "0",
        "procurement_route": "tender",
        "key_decision_reference": "",
        "risk_rating": "",
        "change_reason": "Adding it to the register",
    }
    data.update(changes)
    return ContractForm(data, user=people["partner"])


def boxes(name: str, typed: str) -> dict[str, str]:
    """A date as typed into the page's day, month and year boxes."""
    day, month, year = typed.split("/") if typed else ("", "", "")
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_a_rule_added_to_the_contract_form_holds_for_the_import_too(people, monkeypatch):
    def clean_title(form):
        if "TBC" in form.cleaned_data["title"]:
            raise ValidationError(PLACEHOLDER)
        return form.cleaned_data["title"]

    monkeypatch.setattr(ContractFields, "clean_title", clean_title, raising=False)
    assert page_form(people, title="Home care TBC").errors["title"] == [PLACEHOLDER]
    result = check(people, csv_file(row("C-1"), row("C-2", Title="Home care TBC")))
    assert [(p.row, p.column, p.message) for p in result.problems] == [(3, "Title", PLACEHOLDER)]


def test_an_end_before_the_start_is_refused_by_the_import_in_the_forms_own_words(people):
    page = page_form(people, **boxes("end_date", "1/1/2024"))
    result = check(people, csv_file(row("C-1", **{"End Date": "01/01/2024"})))
    assert [(p.column, p.message) for p in result.problems] == [
        ("End date", message) for message in page.errors["end_date"]
    ]


# Each value as the page takes it and as a register's cell gives it; then what both make of it:
# the value kept, or a refusal of that field (in the same words, unless only the import's reading
# of the cell found it wrong, which says what it could not read).
ACCEPTED, REFUSED, UNREAD = "accepted", "refused", "unread"
WHOLE, ANNUAL, ROUTE, RISK = "whole_life_value", "annual_value", "procurement_route", "risk_rating"
AGREED = [
    (WHOLE, {WHOLE: "£1,234.50"}, {"Total Value": "£1,234.50"}, ACCEPTED, Decimal("1234.50")),
    (WHOLE, {WHOLE: "1234.5"}, {"Total Value": "1234.5"}, ACCEPTED, Decimal("1234.50")),
    (WHOLE, {WHOLE: "0"}, {"Total Value": "0"}, REFUSED, None),
    (WHOLE, {WHOLE: "-250"}, {"Total Value": "-250"}, REFUSED, None),
    (WHOLE, {WHOLE: "lots"}, {"Total Value": "lots"}, UNREAD, None),
    (ANNUAL, {ANNUAL: "£2,000,000"}, {"Annual value": "£2,000,000"}, REFUSED, None),
    ("start_date", boxes("start_date", "31/2/2024"), {"Start Date": "31/02/2024"}, UNREAD, None),
    (
        "end_date",
        boxes("end_date", "31/3/2027"),
        {"End Date": "31/03/2027"},
        ACCEPTED,
        date(2027, 3, 31),
    ),
    ("end_date", boxes("end_date", "1/1/2024"), {"End Date": "01/01/2024"}, REFUSED, None),
    ("review_date", boxes("review_date", "1/1/2030"), {"Review date": "1/1/2030"}, REFUSED, None),
    (ROUTE, {ROUTE: "direct_award"}, {"Route": "Direct award"}, ACCEPTED, "direct_award"),
    (ROUTE, {ROUTE: "handshake"}, {"Route": "handshake"}, UNREAD, None),
    (RISK, {RISK: "high"}, {"Risk rating": "High"}, ACCEPTED, "high"),
    (RISK, {RISK: "purple"}, {"Risk rating": "purple"}, UNREAD, None),
    (
        "extension_option_months",
        {"extension_options": "2"},
        {"Extension options": "2"},
        REFUSED,
        None,
    ),
    ("title", {"title": "x" * 251}, {"Title": "x" * 251}, REFUSED, None),
]


@pytest.mark.parametrize(("name", "posted", "cells", "outcome", "kept"), AGREED)
def test_the_page_and_the_import_agree_on_what_a_valid_contract_is(
    people, name, posted, cells, outcome, kept
):
    page = page_form(people, **posted)
    stream = csv_file(full_row("C-1", **cells), headings=HEADINGS + MORE_HEADINGS)
    if outcome == ACCEPTED:
        assert page.is_valid(), page.errors
        assert page.cleaned_data[name] == kept
        run(people, stream)
        assert getattr(Contract.objects.get(), name) == kept
        return
    assert not page.is_valid()
    assert name in page.errors
    column = importing.COLUMN_BY_ATTRIBUTE[name].name
    found = [p for p in check(people, stream).problems if p.column == column]
    assert [p.row for p in found] == [2], found
    if outcome == REFUSED:
        assert [p.message for p in found] == page.errors[name]
