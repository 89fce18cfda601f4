"""The measure library: the default loaded at installation, and the import (page and command) with
its preview, row errors, all-or-nothing writes and idempotence."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from procurement.roles import Role
from procurement.tabular import ImportFileError, ImportRefused
from socialvalue.importing import COLUMNS, measures_import, measures_import_check
from socialvalue.models import Commitment, Measure, MeasureLibrary, Outcome, Theme

from .factories import running_contract

pytestmark = pytest.mark.django_db

HEADINGS = [column.name for column in COLUMNS]
LIBRARY = ["Our measures", "2026/27", "2026", "Council policy", "Our own"]


def row(code, unit="hours", proxy="", description=None, theme="Skills", outcome="Training"):
    return [*LIBRARY, theme, outcome, code, description or f"Measure {code}", unit, proxy]


def csv_file(*rows, headings=HEADINGS) -> io.BytesIO:
    lines = [",".join(headings)]
    lines += [",".join(f'"{cell}"' for cell in cells) for cells in rows]
    return io.BytesIO("\n".join(lines).encode())


def run(user, stream, filename="measures.csv"):
    return measures_import(stream=stream, filename=filename, by=user, reason="Test import")


def counts():
    return tuple(model.objects.count() for model in (MeasureLibrary, Theme, Outcome, Measure))


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


def test_the_default_library_is_the_councils_own_goals_without_proxy_values():
    [default] = MeasureLibrary.objects.all()
    measures = list(default.measures.select_related("outcome__theme"))
    assert [m.code for m in measures] == [f"LSV{n}" for n in range(1, 9)]
    assert all(m.proxy_value is None for m in measures)
    assert default.themes.count() == 5
    assert {m.unit for m in measures} >= {"hours", "£", "people"}
    volunteering = next(m for m in measures if m.code == "LSV4")
    assert volunteering.description == "Number of hours of volunteering undertaken"
    assert volunteering.outcome.name == "Creating opportunities for staff to volunteer"
    assert volunteering.history.get().history_change_reason.startswith("Loaded at installation")


def test_an_import_adds_a_library_with_its_themes_outcomes_and_measures(head):
    result = run(
        head,
        csv_file(
            row("SK1", "people", "1,250.50"),
            row("SK2"),
            row("LE1", "£", theme="Local economy", outcome="Buying locally"),
        ),
    )
    assert (result.rows, result.libraries_created, result.created) == (3, 1, 3)
    library = MeasureLibrary.objects.get(name="Our measures", version="2026/27")
    assert (library.year, library.source, library.licence) == (2026, "Council policy", "Our own")
    assert [t.name for t in library.themes.all()] == ["Skills", "Local economy"]
    sk1 = library.measures.get(code="SK1")
    assert sk1.proxy_value == Decimal("1250.50")
    assert library.measures.get(code="SK2").proxy_value is None
    record = sk1.history.get()
    assert (record.history_user, record.history_change_reason) == (head, "Test import")


def test_importing_the_same_file_twice_changes_nothing(head):
    rows = (row("SK1", "people", "12"), row("SK2"))
    run(head, csv_file(*rows))
    before = counts()
    history = Measure.history.count()
    again = run(head, csv_file(*rows))
    assert (again.created, again.updated, again.unchanged, again.libraries_created) == (0, 0, 2, 0)
    assert counts() == before
    assert Measure.history.count() == history


def test_a_corrected_description_updates_the_measure(head):
    run(head, csv_file(row("SK1"), row("SK2")))
    result = run(head, csv_file(row("SK1", description="Apprentices started"), row("SK2")))
    assert (result.updated, result.unchanged) == (1, 1)
    assert Measure.objects.get(code="SK1").description == "Apprentices started"


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(head):
    before = counts()
    bad = csv_file(
        row("SK1"),
        row("", "hours"),
        row("SK3", "people", "ten pounds"),
        row("SK4", "people", "-5"),
        row("SK1", "people"),
        [LIBRARY[0], LIBRARY[1], "2027", *LIBRARY[3:], "Skills", "Training", "SK6", "x", "h", ""],
        row("SK7", unit=""),
    )
    with pytest.raises(ImportRefused) as refused:
        run(head, bad)
    problems = [(p.row, p.column, p.message) for p in refused.value.result.problems]
    assert problems == [
        (3, "Measure code", "Enter the measure code"),
        (
            4,
            "Proxy value",
            "'ten pounds' is not a proxy value: give the £ a unit is worth, like 14.50, or "
            "leave it blank",
        ),
        (5, "Proxy value", "A proxy value cannot be negative"),
        (
            6,
            "Measure code",
            "'SK1' is also on row 2: each measure code appears once in a library",
        ),
        (
            7,
            "Year",
            "The year of Our measures (2026/27) is different on row 2: give one value for the "
            "whole library",
        ),
        (8, "Unit", "Enter the unit, like hours, people, weeks or £"),
    ]
    assert counts() == before


def test_the_check_reports_without_writing(head):
    result = measures_import_check(stream=csv_file(row("SK1")), filename="m.csv", by=head)
    assert (result.ok, result.created, result.libraries_created) == (True, 1, 1)
    assert not MeasureLibrary.objects.filter(name="Our measures").exists()


def test_files_that_cannot_be_read_are_refused_whole(head):
    with pytest.raises(ImportRefused) as refused:
        run(head, csv_file(row("SK1"), headings=[h for h in HEADINGS if h != "Measure code"]))
    assert [p.message for p in refused.value.result.problems] == [
        "Say which column holds the measure code"
    ]
    with pytest.raises(ImportFileError, match="must be a CSV or XLSX"):
        run(head, io.BytesIO(b"x"), filename="measures.pdf")
    with pytest.raises(ImportRefused):
        run(head, csv_file())


def test_an_xlsx_file_with_other_headings_is_read(head):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["library name", "EDITION", "Theme", "Outcome", "Ref", "Description", "Units",
                  "Financial proxy"])  # fmt: skip
    sheet.append(["Licensed set", "2026", "Jobs", "More local jobs", "NT1", "Local FTEs", "FTE",
                  34000.5])  # fmt: skip
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    run(head, stream, filename="national.xlsx")
    assert Measure.objects.get(code="NT1", library__name="Licensed set").proxy_value == Decimal(
        "34000.50"
    )


def test_a_measure_committed_against_keeps_its_proxy_value(head):
    run(head, csv_file(row("SK1", "people", "100")))
    measure = Measure.objects.get(code="SK1")
    contract = running_contract()
    Commitment.objects.create(
        contract=contract,
        measure=measure,
        quantity=Decimal(5),
        target_date=contract.end_date,
        source=Commitment.Source.ADDED,
        created_by=head,
    )
    with pytest.raises(ImportRefused) as refused:
        run(head, csv_file(row("SK1", "people", "120")))
    [problem] = refused.value.result.problems
    assert (problem.row, problem.column) == (2, "Proxy value")
    assert "import the new values as a new version" in problem.message
    # A description may still be corrected; the value may not.
    run(head, csv_file(row("SK1", "people", "100", description="Apprentices")))
    measure.refresh_from_db()
    assert (measure.description, measure.proxy_value) == ("Apprentices", Decimal("100.00"))


def test_only_the_central_team_and_administrators_import(make_user):
    for role in (Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER, Role.LEAD_MEMBER):
        with pytest.raises(PermissionDenied):
            measures_import_check(stream=csv_file(row("SK1")), filename="m.csv", by=make_user(role))
    assert run(make_user(Role.ADMINISTRATOR), csv_file(row("SK1"))).created == 1


def test_the_command_checks_imports_and_refuses(tmp_path, head):
    good = tmp_path / "measures.csv"
    good.write_bytes(csv_file(row("SK1"), row("SK2")).getvalue())
    out = io.StringIO()
    call_command("import_measures", str(good), "--dry-run", stdout=out)
    assert "2 rows: 1 libraries would be added; 2 measures would be added" in out.getvalue()
    assert not Measure.objects.filter(code="SK1").exists()
    call_command("import_measures", str(good), stdout=io.StringIO())
    record = Measure.objects.get(code="SK1").history.get()
    assert record.history_user is None
    assert record.history_change_reason == "Imported from measures.csv (import_measures)"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(row("SK9", "people", "abc")).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem: nothing was imported"):
        call_command("import_measures", str(bad), "--as", head.email, stdout=out)
    assert "Row 2, Proxy value:" in out.getvalue()
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "import_measures", str(good), "--as", running_contract().contract_manager.email
        )


def test_the_import_pages_preview_then_import(client, head, imports_run_here):
    client.force_login(head)
    upload = csv_file(row("SK1"), row("SK2"))
    upload.name = "ours.csv"
    response = client.post(reverse("socialvalue:import"), {"file": upload})
    preview = response["Location"]
    page = client.get(preview).content.decode()
    assert "Measures to add" in page
    assert "Import 2 measures" in page
    assert not Measure.objects.filter(code="SK1").exists()
    response = client.post(preview, {"action": "import"})
    assert response["Location"] == preview
    assert Measure.objects.filter(code__in=["SK1", "SK2"]).count() == 2
    page = client.get(preview).content.decode()
    assert "Import complete" in page
    assert reverse("socialvalue:libraries") in page


def test_the_preview_lists_problems_in_an_error_summary(client, head, imports_run_here):
    client.force_login(head)
    upload = csv_file(row("SK1", "people", "abc"))
    upload.name = "ours.csv"
    preview = client.post(reverse("socialvalue:import"), {"file": upload})["Location"]
    page = client.get(preview).content.decode()
    assert "govuk-error-summary" in page
    assert "1 problem in ours.csv: nothing has been imported" in page
    refused = client.post(preview, {"action": "import"}, follow=True).content.decode()
    assert "Only a checked file with no problem can be imported" in refused
    assert not Measure.objects.filter(code="SK1").exists()


def test_the_template_downloads_with_every_column(client, head):
    client.force_login(head)
    response = client.get(reverse("socialvalue:template_csv"))
    first_line = b"".join(response.streaming_content).decode().splitlines()[0]
    assert first_line.lstrip("\ufeff").split(",") == HEADINGS
