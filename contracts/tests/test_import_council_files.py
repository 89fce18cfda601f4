"""Registers as councils keep and publish them, written here the way their spreadsheets come: the
Transparency Code's own headings in Windows-1252 with £ signs, a title and a blank row above the
headings, Excel's serial dates, lots sharing a reference, people named rather than emailed, values
in the council's words that the officer maps once, and the register's own exports brought back."""

import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from contracts.importing import KIND, contracts_import, contracts_import_check
from contracts.models import Contract, Supplier
from contracts.tests.factories import ContractFactory, ContractOverFiftyThousandFactory
from procurement.imports import import_file
from procurement.models import ImportMapping, ImportRun
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from procurement.uploads import value_field

pytestmark = pytest.mark.django_db

# The Code's field names, as many councils head their published register.
CODE_HEADINGS = [
    "Reference Number",
    "Title of Agreement",
    "Local Authority Department Responsible",
    "Description of the goods and/or services",
    "Supplier Name",
    "Supplier Company Registration Number",
    "Supplier Charity Registration Number",
    "SME/VCSE",
    "Sum to be paid over the length of the contract",
    "Estimated annual spend",
    "Value Added Tax that cannot be recovered",
    "Start Date",
    "End Date",
    "Review Date",
    "Invitation to quote or published invitation to tender",
    "Contract Manager",
    "Lead Director",
]


@pytest.fixture
def council(make_user):
    adults = DirectorateFactory(name="Adult Social Care", code="asc")
    housing = DirectorateFactory(name="Housing", code="hsg")
    partner = make_user(Role.BUSINESS_PARTNER, email="partner@council.example")
    manager = make_user(
        Role.CONTRACT_MANAGER, email="j.okafor@council.example", first_name="Jo", last_name="Okafor"
    )
    director = make_user(
        Role.EXECUTIVE_DIRECTOR,
        email="director@council.example",
        first_name="Sam",
        last_name="Reid",
    )
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=adults)
    return {
        "officer": officer,
        "adults": adults,
        "housing": housing,
        "partner": partner,
        "manager": manager,
        "director": director,
    }


def code_row(reference="CR24/0001 A", **changes) -> list[str]:
    values = {
        "Reference Number": reference,
        "Title of Agreement": "Home care \u2013 north",
        "Local Authority Department Responsible": "Adult Social Care",
        "Description of the goods and/or services": "Home care for the north of the borough",
        "Supplier Name": "Caring Ltd",
        "Supplier Company Registration Number": "1234567",  # Excel dropped the leading zero
        "Supplier Charity Registration Number": "N/A",
        "SME/VCSE": "SME",
        "Sum to be paid over the length of the contract": "£1,250,000.00",
        "Estimated annual spend": "£ 250,000",
        "Value Added Tax that cannot be recovered": "N/A",
        "Start Date": "01-Apr-24",
        "End Date": "31 March 2027",
        "Review Date": "",
        "Invitation to quote or published invitation to tender": "Published invitation to tender",
        "Contract Manager": "Jo Okafor",
        "Lead Director": "director@council.example",
    }
    values.update(changes)
    return [values[heading] for heading in CODE_HEADINGS]


def published_csv(*rows, headings=CODE_HEADINGS, encoding="cp1252") -> io.BytesIO:
    """A register as a council publishes it: a title, a date, a blank row, then the headings."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["Northmere Borough Council \u2013 contracts over £5,000", "", ""])
    writer.writerow(["Published 1 October 2026"])
    writer.writerow([])
    writer.writerow(headings)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def run(council, stream, filename="register.csv", **kwargs):
    return contracts_import(
        stream=stream, filename=filename, by=council["partner"], reason="First load", **kwargs
    )


def check(council, stream, filename="register.csv", who="partner", **kwargs):
    return contracts_import_check(stream=stream, filename=filename, by=council[who], **kwargs)


def test_the_codes_own_headings_in_windows_1252_below_a_title_go_in_whole(council):
    result = run(council, published_csv(code_row(), code_row("CR24/0002", **{"SME/VCSE": "Both"})))
    assert (result.rows, result.created, result.problems) == (2, 2, [])
    assert result.layout.heading_row == 4
    contract = Contract.objects.get(reference="CR24/0001 A")
    assert contract.title == "Home care \u2013 north"
    assert contract.directorate == council["adults"]
    assert (contract.whole_life_value, contract.annual_value, contract.irrecoverable_vat) == (
        Decimal("1250000.00"),
        Decimal("250000.00"),
        Decimal("0.00"),
    )
    assert (contract.start_date, contract.end_date) == (date(2024, 4, 1), date(2027, 3, 31))
    assert contract.procurement_route == Contract.Route.TENDER
    assert (contract.contract_manager, contract.lead_director) == (
        council["manager"],
        council["director"],
    )
    supplier = contract.supplier
    # The zero Excel dropped is restored; the second row names the same company, which the
    # first row registered.
    assert (supplier.companies_house_number, supplier.is_sme, supplier.is_vcse) == (
        "01234567",
        True,
        False,
    )
    assert Supplier.objects.count() == 1
    # Imported again, the same file changes nothing.
    again = run(council, published_csv(code_row(), code_row("CR24/0002", **{"SME/VCSE": "Both"})))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("31/03/2027", date(2027, 3, 31)),
        ("31-Mar-27", date(2027, 3, 31)),
        ("31 March 2027", date(2027, 3, 31)),
        ("31st March 2027", date(2027, 3, 31)),
        ("2027-03-31", date(2027, 3, 31)),
        ("2027-03-31T00:00:00", date(2027, 3, 31)),
        ("31/03/2027 00:00", date(2027, 3, 31)),
        ("46477", date(2027, 3, 31)),  # an Excel serial number that lost its date format
    ],
)
def test_dates_as_councils_write_them(council, written, expected):
    run(council, published_csv(code_row(**{"End Date": written})))
    assert Contract.objects.get().end_date == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("£1,250,000.00", Decimal("1250000.00")),
        ("1250000", Decimal("1250000.00")),
        ("£ 1 250 000", Decimal("1250000.00")),
        ("£1.25m", Decimal("1250000.00")),
        ("1250k", Decimal("1250000.00")),
    ],
)
def test_money_as_councils_write_it(council, written, expected):
    run(
        council,
        published_csv(code_row(**{"Sum to be paid over the length of the contract": written})),
    )
    assert Contract.objects.get().whole_life_value == expected


def test_an_xlsx_with_serial_dates_a_title_row_and_numbers_for_company_numbers(council):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Contracts register 2026"])
    sheet.append([])
    sheet.append(CODE_HEADINGS)
    values = code_row()
    values[CODE_HEADINGS.index("Start Date")] = 45383  # 1 April 2024, unformatted
    values[CODE_HEADINGS.index("End Date")] = datetime(2027, 3, 31, 0, 0)  # noqa: DTZ001
    values[CODE_HEADINGS.index("Supplier Company Registration Number")] = 1234567
    values[CODE_HEADINGS.index("Sum to be paid over the length of the contract")] = 1250000
    sheet.append(values)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    result = run(council, stream, filename="register.xlsx")
    assert (result.created, result.layout.heading_row) == (1, 3)
    contract = Contract.objects.get()
    assert (contract.start_date, contract.end_date) == (date(2024, 4, 1), date(2027, 3, 31))
    assert contract.supplier.companies_house_number == "01234567"


def test_a_scottish_company_number_keeps_its_prefix(council):
    run(council, published_csv(code_row(**{"Supplier Company Registration Number": "SC12345"})))
    assert Supplier.objects.get().companies_house_number == "SC012345"


def test_lots_sharing_a_reference_are_separate_contracts_linked_by_it(council):
    rows = [
        code_row("FW/2024/7", **{"Supplier Name": "Caring Ltd"}),
        code_row(
            "FW/2024/7",
            **{
                "Supplier Name": "Homecare Partners",
                "Supplier Company Registration Number": "7654321",
            },
        ),
    ]
    result = run(council, published_csv(*rows))
    assert (result.created, result.problems) == (2, [])
    lots = Contract.objects.filter(reference="FW/2024/7").order_by("lot")
    assert [(c.lot, c.supplier.name) for c in lots] == [
        ("Caring Ltd", "Caring Ltd"),
        ("Homecare Partners", "Homecare Partners"),
    ]
    assert str(lots[0]).startswith("FW/2024/7 (Caring Ltd)")
    again = run(council, published_csv(*rows))
    assert (again.created, again.unchanged) == (0, 2)


def test_a_lot_column_names_the_lots(council):
    headings = [*CODE_HEADINGS, "Lot"]
    rows = [[*code_row("FW/9"), "Lot 1"], [*code_row("FW/9"), "Lot 2"]]
    assert run(council, published_csv(*rows, headings=headings)).created == 2
    assert sorted(Contract.objects.values_list("lot", flat=True)) == ["Lot 1", "Lot 2"]
    twice = check(
        council,
        published_csv(
            [*code_row("FW/9"), "Lot 1"], [*code_row("FW/9"), "Lot 1"], headings=headings
        ),
    )
    assert [(p.row, p.column) for p in twice.problems] == [(6, "Lot")]


def test_every_problem_of_every_row_comes_in_one_pass(council):
    """A field that cannot be read does not hide the whole-row checks of the same row."""
    bad = code_row(
        "CR-3",
        **{
            "Estimated annual spend": "lots",  # cannot be read
            "Start Date": "01/04/2027",
            "End Date": "31/03/2026",  # ends before it starts: a whole-row check
            "Local Authority Department Responsible": "Housing",  # not the officer's
        },
    )
    result = check(council, published_csv(code_row(), bad), who="officer")
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(6, "Annual value"), (6, "End date"), (6, "Directorate")}, result.problems
    assert (result.rows, result.ready) == (2, 1)


def test_people_named_but_not_users_leave_a_gap_noted_not_a_refusal(council):
    result = check(council, published_csv(code_row(**{"Contract Manager": "Pat Nobody"})))
    assert [(p.row, p.column) for p in result.notes] == [(5, "Contract manager email")]
    assert "Pat Nobody" in result.notes[0].message


def test_a_deactivated_manager_in_the_registers_own_export_imports_back(client, council):
    contract = ContractOverFiftyThousandFactory(directorate=council["adults"])
    leaver = contract.contract_manager
    leaver.is_active = False
    leaver.save()
    client.force_login(council["partner"])
    for name, read in (
        ("contracts:export_csv", _csv_bytes),
        ("contracts:export_xlsx", _xlsx_bytes),
    ):
        content, filename = read(client.get(reverse(name)))
        result = run(council, io.BytesIO(content), filename=filename)
        assert (result.problems, result.unchanged, result.updated) == ([], 1, 0), result.problems
    contract.refresh_from_db()
    assert contract.contract_manager == leaver


def test_the_public_transparency_csv_imports_back_with_nothing_to_change(client, council):
    ContractOverFiftyThousandFactory.create_batch(3, directorate=council["adults"])
    ContractFactory(directorate=council["adults"], title="=SUM(A1) formula-looking")
    before = list(
        Contract.objects.values_list("pk", "contract_manager", "category", "whole_life_value")
    )
    content, filename = _csv_bytes(client.get(reverse("register:transparency_csv")))
    result = run(council, io.BytesIO(content), filename=filename)
    assert (result.problems, result.created, result.updated) == ([], 0, 0), result.problems
    assert result.unchanged == 4
    assert (
        list(Contract.objects.values_list("pk", "contract_manager", "category", "whole_life_value"))
        == before
    )


def _csv_bytes(response) -> tuple[bytes, str]:
    content = b"".join(response.streaming_content)
    return content, "export.csv"


def _xlsx_bytes(response) -> tuple[bytes, str]:
    return b"".join(response.streaming_content), "export.xlsx"


# --- The mapping step ---------------------------------------------------------------------------

FINANCE_HEADINGS = [
    "Contract No.",
    "Agreement",  # not a heading the import knows: the officer says it is the title
    "Dept",  # nor this
    "Supplier",
    "Total Value",
    "Start",
    "Finish",  # nor this
    "Procurement Method",
    "Cost Centre",  # nothing to import
]


def finance_row(reference, **changes):
    values = {
        "Contract No.": reference,
        "Agreement": "Grounds maintenance",
        "Dept": "ASC",
        "Supplier": "Green Ltd",
        "Total Value": "40000",
        "Start": "01/04/2025",
        "Finish": "31/03/2026",
        "Procurement Method": "RFQ",
        "Cost Centre": "C123",
    }
    values.update(changes)
    return [values[h] for h in FINANCE_HEADINGS]


def finance_file(*rows) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(FINANCE_HEADINGS)
    writer.writerows(rows)
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = "ledger-export.csv"
    return upload


def test_the_officer_maps_columns_and_values_once_and_the_next_file_maps_itself(
    client, council, imports_run_here
):
    client.force_login(council["partner"])
    first = client.post(
        reverse("contracts:import"), {"file": finance_file(finance_row("GM-1", Dept="Adults Svcs"))}
    )
    page_url = first["Location"]
    page = client.get(page_url).content.decode()
    # What the file holds is asked for, with the first values of each column to decide by.
    assert "Say which column holds the title" in page
    assert "Grounds maintenance" in page
    assert "Not imported now: Agreement, Dept, Finish, Cost Centre" in page
    run_ = ImportRun.objects.get()
    positions = {h: i for i, h in enumerate(FINANCE_HEADINGS)}
    answer = {
        "action": "map",
        "save_as": "Ledger",
        **{f"column-{i}": "" for i in positions.values()},
        f"column-{positions['Contract No.']}": "reference",
        f"column-{positions['Agreement']}": "title",
        f"column-{positions['Dept']}": "directorate",
        f"column-{positions['Supplier']}": "supplier_name",
        f"column-{positions['Total Value']}": "whole_life_value",
        f"column-{positions['Start']}": "start_date",
        f"column-{positions['Finish']}": "end_date",
        f"column-{positions['Procurement Method']}": "procurement_route",
    }
    # The same column chosen twice is refused beside the field, and nothing is saved.
    twice = client.post(page_url, {**answer, f"column-{positions['Cost Centre']}": "title"})
    assert twice.status_code == 400
    assert "Title is in Agreement already: choose one column" in twice.content.decode()
    assert not ImportMapping.objects.exists()
    assert client.post(page_url, answer)["Location"] == page_url
    page = client.get(page_url).content.decode()
    # Now the directorate's value is unknown: the officer says which directorate it is.
    assert "Adults Svcs" in page
    assert "is not a directorate of the council" in page
    run_.refresh_from_db()
    assert run_.state == ImportRun.State.CHECKED
    client.post(
        page_url,
        {**answer, value_field("directorate", "Adults Svcs"): str(council["adults"].pk)},
    )
    run_.refresh_from_db()
    assert run_.result["ok"], run_.result["problems"]
    assert client.post(page_url, {"action": "import"})["Location"] == page_url
    contract = Contract.objects.get(reference="GM-1")
    assert (contract.title, contract.directorate, contract.procurement_route) == (
        "Grounds maintenance",
        council["adults"],
        Contract.Route.QUOTE,
    )
    saved = ImportMapping.objects.get(name="Ledger")
    assert saved.values["directorate"] == {"adults svcs": str(council["adults"].pk)}
    assert saved.history.count() == 2

    # Next month's file from the same system maps itself, values included.
    second = client.post(
        reverse("contracts:import"), {"file": finance_file(finance_row("GM-2", Dept="Adults Svcs"))}
    )
    page = client.get(second["Location"]).content.decode()
    assert "Mapping used" in page
    assert "Ledger" in page
    assert "Import 1 contract" in page
    # And the command line takes it by name.
    stream = finance_file(finance_row("GM-3", Dept="Adults Svcs"))
    result = import_file(
        kind=KIND,
        stream=stream,
        filename="ledger.csv",
        by=council["partner"],
        mapping_name="ledger",
        write=True,
        reason="Monthly load",
    )
    assert result.created == 1


def test_someone_elses_import_is_not_found(client, council, make_user, imports_run_here):
    client.force_login(council["partner"])
    url = client.post(reverse("contracts:import"), {"file": finance_file(finance_row("GM-1"))})[
        "Location"
    ]
    other = make_user(Role.BUSINESS_PARTNER)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "import"}).status_code == 404
    assert client.get(url + "progress.json").status_code == 404
    assert client.get(url + "problems.csv").status_code == 404


def test_the_problems_download_lists_every_problem_safe_for_a_spreadsheet(
    client, council, imports_run_here
):
    client.force_login(council["partner"])
    rows = [code_row(f"R-{n}", **{"Estimated annual spend": "=1+1"}) for n in range(3)]
    upload = published_csv(*rows)
    upload.name = "register.csv"
    url = client.post(reverse("contracts:import"), {"file": upload})["Location"]
    content = b"".join(client.get(url + "problems.csv").streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == ["Row", "Column", "Problem"]
    assert [line[:2] for line in lines[1:]] == [
        ["5", "Annual value"],
        ["6", "Annual value"],
        ["7", "Annual value"],
    ]
    assert all(not cell.startswith("=") for line in lines for cell in line)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_line_takes_a_saved_mapping_by_name(postgres, council, tmp_path):
    """As the README writes it: ``manage.py import_contracts FILE --as EMAIL --mapping NAME``."""
    positions = {heading: i for i, heading in enumerate(FINANCE_HEADINGS)}
    ImportMapping.objects.create(
        kind="contracts",
        name="Ledger",
        columns={
            "contract no": "reference",
            "agreement": "title",
            "dept": "directorate",
            "supplier": "supplier_name",
            "total value": "whole_life_value",
            "start": "start_date",
            "finish": "end_date",
            "procurement method": "procurement_route",
            "cost centre": "",
        },
        values={},
    )
    assert len(positions) == 9
    path = tmp_path / "ledger.csv"
    path.write_bytes(finance_file(finance_row("GM-7")).getvalue())
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "true", "REDIS_URL": ""}
    command = [sys.executable, "manage.py", "import_contracts", str(path)]
    command += ["--as", council["partner"].email, "--mapping", "Ledger"]
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 contracts were added" in done.stdout
    assert Contract.objects.get(reference="GM-7").title == "Grounds maintenance"
    unknown = subprocess.run(
        [*command[:-1], "Nothing like it"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 1
    assert (
        "No mapping is saved as 'Nothing like it': the saved mappings are Ledger" in unknown.stderr
    )


def test_an_administrator_adds_a_directorate_from_the_mapping_step_and_no_one_else_can(
    client, council, make_user, imports_run_here
):
    from procurement.models import Directorate

    admin = make_user(Role.ADMINISTRATOR, email="admin@council.example")
    for who in (council["partner"], admin):
        client.force_login(who)
        upload = published_csv(
            code_row(**{"Local Authority Department Responsible": "Children's Services"})
        )
        upload.name = "register.csv"
        url = client.post(reverse("contracts:import"), {"file": upload})["Location"]
        page = client.get(url).content.decode()
        assert "Children&#x27;s Services" in page
        offered = "Add it as a new directorate" in page
        assert offered == (who == admin)
        run_ = ImportRun.objects.get(token=url.rstrip("/").rsplit("/", 1)[-1])
        layout = run_.result["layout"]
        answer = {
            "action": "map",
            "save_as": "",
            value_field("directorate", "Children's Services"): "new",
            **{
                f"column-{position}": layout["positions"].get(str(position), "")
                for position in range(len(layout["headings"]))
            },
        }
        response = client.post(url, answer)
        if who != admin:
            # The choice is not offered, and posting it anyway is refused.
            assert response.status_code == 400
            assert not Directorate.objects.filter(name="Children's Services").exists()
            continue
        assert response.status_code == 302
        added = Directorate.objects.get(name="Children's Services")
        assert added.history.get().history_user == admin
        run_.refresh_from_db()
        assert run_.result["ok"], run_.result["problems"]


def test_a_legacy_contract_over_50000_without_named_officers_goes_in_as_a_gap(council):
    result = run(
        council,
        published_csv(code_row(**{"Contract Manager": "", "Lead Director": "Pat Nobody"})),
    )
    assert (result.created, result.problems) == (1, [])
    assert [(p.row, p.column) for p in result.notes] == [(5, "Lead director email")]
    contract = Contract.objects.get()
    assert (contract.contract_manager, contract.lead_director) == (None, None)


@pytest.mark.parametrize("written", ["Ongoing", "ROLLING", "No end date", ""])
def test_a_contract_with_no_end_date_is_rolling_and_reviewed_on_its_review_date(council, written):
    result = run(
        council, published_csv(code_row(**{"End Date": written, "Review Date": "1 April 2027"}))
    )
    assert (result.created, result.problems) == (1, [])
    contract = Contract.objects.get()
    assert (contract.end_date, contract.review_date, contract.is_rolling) == (
        None,
        date(2027, 4, 1),
        True,
    )
    # A blank is read as rolling too, and the officer is told; a word for it needs no note.
    assert [p.column for p in result.notes] == (["End date"] if not written else [])


def test_a_rolling_contract_in_the_registers_export_imports_back_unchanged(client, council):
    ContractOverFiftyThousandFactory(
        directorate=council["adults"], end_date=None, review_date=date(2027, 1, 1)
    )
    client.force_login(council["partner"])
    for name, read in (
        ("contracts:export_csv", _csv_bytes),
        ("contracts:export_xlsx", _xlsx_bytes),
    ):
        content, filename = read(client.get(reverse(name)))
        assert b"Ongoing" in content or filename.endswith(".xlsx")
        result = run(council, io.BytesIO(content), filename=filename)
        assert (result.problems, result.unchanged, result.notes) == ([], 1, []), result.problems
    assert Contract.objects.get().end_date is None


def test_lots_named_on_the_register_come_back_through_the_public_csv_and_files_without_lots(
    client, council
):
    headings = [*CODE_HEADINGS, "Lot"]
    rows = [
        [*code_row("FW/11"), "Lot 1 (north)"],
        [
            *code_row(
                "FW/11",
                **{
                    "Supplier Name": "Homecare Partners",
                    "Supplier Company Registration Number": "7654321",
                },
            ),
            "Lot 2 (south)",
        ],
    ]
    assert run(council, published_csv(*rows, headings=headings)).created == 2
    content, filename = _csv_bytes(client.get(reverse("register:transparency_csv")))
    back = run(council, io.BytesIO(content), filename=filename)
    assert (back.problems, back.created, back.updated, back.unchanged) == ([], 0, 0, 2)
    # A file with no lot column tells the lots apart by their suppliers, and keeps their names.
    changed = [
        code_row("FW/11", **{"Title of Agreement": "Home care north (varied)"}),
        rows[1][:-1],
    ]
    result = run(council, published_csv(*changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert sorted(Contract.objects.values_list("lot", "title")) == [
        ("Lot 1 (north)", "Home care north (varied)"),
        ("Lot 2 (south)", "Home care \u2013 north"),
    ]


def test_a_name_the_service_cannot_match_never_takes_away_the_registers_officer(council):
    run(council, published_csv(code_row()))
    result = run(council, published_csv(code_row(**{"Contract Manager": "J Okafor (old post)"})))
    assert (result.updated, result.unchanged) == (0, 1)
    assert "the contract manager on the register is kept" in result.notes[0].message
    assert Contract.objects.get().contract_manager == council["manager"]


def test_no_contract_goes_into_a_directorate_no_longer_in_use(council):
    council["housing"].is_active = False
    council["housing"].save()
    result = check(
        council, published_csv(code_row(**{"Local Authority Department Responsible": "Housing"}))
    )
    assert [(p.column, p.message.split(":")[0]) for p in result.problems] == [
        ("Directorate", "Housing is no longer one of the council's directorates in use")
    ]


def test_a_row_without_a_lot_finds_the_lot_its_supplier_holds(council):
    headings = [*CODE_HEADINGS, "Lot"]
    run(council, published_csv([*code_row("FW/12"), "Lot A"], headings=headings))
    result = run(council, published_csv(code_row("FW/12")))  # a few columns, no lot
    assert (result.created, result.unchanged, result.problems) == (0, 1, [])
    assert list(Contract.objects.values_list("lot", flat=True)) == ["Lot A"]


def test_the_import_reads_the_file_as_its_check_did_whatever_is_saved_in_between(
    client, council, imports_run_here
):
    client.force_login(council["partner"])
    upload = published_csv(code_row())
    upload.name = "register.csv"
    url = client.post(reverse("contracts:import"), {"file": upload})["Location"]
    checked = ImportRun.objects.get()
    assert checked.result["ok"]
    # Someone saves a mapping this file's headings fit, saying the annual spend is the value.
    ImportMapping.objects.create(
        kind="contracts",
        name="Sneaky",
        columns={"estimated annual spend": "whole_life_value"},
    )
    client.post(url, {"action": "import"})
    assert Contract.objects.get().whole_life_value == Decimal("1250000.00")
    checked.refresh_from_db()
    assert (checked.state, checked.mapping_name) == (ImportRun.State.IMPORTED, "")


def test_a_run_that_stopped_moving_can_be_tried_again(client, council, imports_run_here):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(council["partner"])
    upload = published_csv(code_row())
    upload.name = "register.csv"
    url = client.post(reverse("contracts:import"), {"file": upload})["Location"]
    refused = client.post(url, {"action": "retry"}, follow=True).content.decode()
    assert "This file is still being worked on" in refused
    stuck = ImportRun.objects.get()
    # Its worker was lost while checking: the run still says so a quarter of an hour later.
    ImportRun.objects.filter(pk=stuck.pk).update(
        state=ImportRun.State.CHECKING, updated_at=timezone.now() - timedelta(minutes=20)
    )
    from django.core.cache import cache

    cache.clear()
    page = client.get(url).content.decode()
    assert "This has not moved for a while" in page
    assert client.post(url, {"action": "retry"})["Location"] == url
    stuck.refresh_from_db()
    assert stuck.state == ImportRun.State.CHECKED
    assert stuck.result["ok"]


def test_only_the_central_team_changes_a_saved_mapping_others_save_their_own(
    client, council, imports_run_here
):
    saved = ImportMapping.objects.create(
        kind="contracts", name="Ledger", columns={"cost centre": ""}
    )
    client.force_login(council["officer"])
    upload = published_csv(code_row())
    upload.name = "register.csv"
    url = client.post(reverse("contracts:import"), {"file": upload})["Location"]
    layout = ImportRun.objects.get().result["layout"]
    answer = {
        "action": "map",
        **{
            f"column-{position}": layout["positions"].get(str(position), "")
            for position in range(len(layout["headings"]))
            if layout["headings"][position] or layout["samples"][str(position)]
        },
    }
    refused = client.post(url, {**answer, "save_as": "ledger"}, follow=True).content.decode()
    assert "only the central procurement team may change it" in refused
    saved.refresh_from_db()
    assert saved.columns == {"cost centre": ""}
    assert client.post(url, {**answer, "save_as": "Officer's own"})["Location"] == url
    assert ImportMapping.objects.filter(name="Officer's own").exists()
