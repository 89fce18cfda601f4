"""Importing the register: check first, then all rows or none, matched by reference."""

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from contracts import importing
from contracts.importing import (
    ImportFileError,
    ImportRefused,
    contracts_import,
    contracts_import_check,
)
from contracts.models import Contract, Supplier
from contracts.tests.factories import ContractOverFiftyThousandFactory
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
