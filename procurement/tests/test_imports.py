"""The shared import machinery on its own: reading values as councils write them, finding the
heading row, choosing a saved mapping, and clearing runs left behind."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from procurement.imports import (
    ImportKind,
    import_runs_clear,
    progress_of,
)
from procurement.models import ImportMapping, ImportRun
from procurement.selectors import import_mapping_fitting
from procurement.tabular import (
    CellError,
    Column,
    ImportFileError,
    parse_company_number,
    parse_date,
    parse_money,
    parse_yes_no,
    read_table,
    text,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", None),
        ("N/A", None),
        ("-", None),
        ("TBC", None),
        ("31/03/2026", date(2026, 3, 31)),
        ("31/3/26", date(2026, 3, 31)),
        ("31-Mar-26", date(2026, 3, 31)),
        ("31-MAR-2026", date(2026, 3, 31)),
        ("31 March 2026", date(2026, 3, 31)),
        ("31st March, 2026", date(2026, 3, 31)),
        ("2026-03-31", date(2026, 3, 31)),
        ("2026-03-31T00:00:00Z", date(2026, 3, 31)),
        ("31/03/2026 17:30:00", date(2026, 3, 31)),
        ("31.03.2026", date(2026, 3, 31)),
        (46112, date(2026, 3, 31)),
        (46112.0, date(2026, 3, 31)),
        ("46112", date(2026, 3, 31)),
    ],
)
def test_dates_as_councils_write_them(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("31/02/2026", "is not a real date"),
        ("next spring", "is not a date: use dd/mm/yyyy"),
        (12, "is not a date"),  # a number far outside the years a register holds
    ],
)
def test_dates_that_are_not_dates_say_how_to_write_one(written, message):
    with pytest.raises(CellError, match=message):
        parse_date(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", None),
        ("N/A", None),
        ("nil", None),
        ("£1,234.50", Decimal("1234.50")),
        ("£ 1 234.5", Decimal("1234.50")),
        ("(250.00)", Decimal("-250.00")),
        ("GBP 30,000", Decimal("30000.00")),
        ("£1.2m", Decimal("1200000.00")),
        ("30k", Decimal("30000.00")),
        (1234.5, Decimal("1234.50")),
        # As most lines of a finance system's file write them.
        ("1,234.50", Decimal("1234.50")),
        ("-1234.5", Decimal("-1234.50")),
        ("1,234,567,890", Decimal("1234567890.00")),
        ("999999999999.99", Decimal("999999999999.99")),
    ],
)
def test_money_as_councils_write_it(written, expected):
    assert parse_money(written) == expected


@pytest.mark.parametrize(
    "written", ["lots", "£1,2,3.4.5", "1e400", "12 pounds", "1000000000000", "1,000,000,000,000"]
)
def test_money_that_is_not_money_is_refused(written):
    with pytest.raises(CellError, match="is not an amount of money"):
        parse_money(written)


@pytest.mark.parametrize("written", ["-250.00CR", "(250.00)-", "(250.00)CR"])
def test_a_credit_marked_twice_is_refused_not_turned_into_a_payment(written):
    with pytest.raises(CellError, match="marked as a credit twice"):
        parse_money(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1234567", "01234567"),
        (1234567, "01234567"),
        ("01234567", "01234567"),
        ("sc12345", "SC012345"),
        ("NI 012345", "NI012345"),
        ("N/A", ""),
    ],
)
def test_company_numbers_get_back_the_zeros_a_spreadsheet_dropped(written, expected):
    assert parse_company_number(written) == expected


@pytest.mark.parametrize("written", ["123456789", "SC1234567", "ABC123"])
def test_a_company_number_that_cannot_be_one_is_refused(written):
    with pytest.raises(CellError, match="is not a Companies House number"):
        parse_company_number(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Yes", True), ("y", True), ("TRUE", True), ("No", False), ("n", False), ("Unknown", None)],
)
def test_yes_and_no(written, expected):
    assert parse_yes_no(written) is expected


def test_an_exports_formula_escape_is_read_back_and_nothing_else_is_touched():
    assert text("'=SUM(A1)") == "=SUM(A1)"
    assert text("'quoted'") == "'quoted'"


COLUMNS = (
    Column("Reference", "reference", True, ("reference number",)),
    Column("Title", "title", True, ("title of agreement",)),
    Column("Value", "value", False),
)


def _csv(text_: str) -> io.BytesIO:
    return io.BytesIO(text_.encode())


def test_the_heading_row_is_found_below_a_title_and_blank_rows():
    layout, rows = read_table(
        _csv(
            "Contracts register,,\n"
            "Published 1 Oct 2026,,\n"
            ",,\n"
            "Reference Number,Title of Agreement,Spare\n"
            "R-1,Repairs,x\n"
            ",,\n"
            "R-2,Lifts,y\n"
        ),
        "r.csv",
        COLUMNS,
    )
    assert layout.heading_row == 4
    assert layout.positions == {0: "reference", 1: "title"}
    assert layout.unused == ["Spare"]
    assert layout.samples[2] == ["x", "y"]
    numbered = [(number, cells[0]) for number, cells in rows if cells and cells[0]]
    assert numbered == [(5, "R-1"), (7, "R-2")]


def test_a_mapping_says_what_a_heading_the_import_does_not_know_holds():
    layout, _ = read_table(
        _csv("Contract No.,Agreement,Reference\nR-1,Repairs,old\n"),
        "r.csv",
        COLUMNS,
        mapping={"contract no": "reference", "agreement": "title", "reference": ""},
    )
    assert layout.positions == {0: "reference", 1: "title"}
    assert layout.missing == []


def _kind() -> ImportKind:
    return ImportKind(
        key="tests",
        noun="row",
        columns=COLUMNS,
        permission=None,
        check=lambda **kwargs: None,
        run=lambda **kwargs: None,
        counts=lambda result: [],
        done=lambda result: "",
    )


@pytest.mark.django_db
def test_the_saved_mapping_whose_headings_the_file_holds_is_chosen():
    ImportMapping.objects.create(kind="tests", name="Narrow", columns={"contract no": "reference"})
    ImportMapping.objects.create(
        kind="tests", name="Wide", columns={"contract no": "reference", "agreement": "title"}
    )
    ImportMapping.objects.create(
        kind="tests", name="Other system", columns={"contract no": "reference", "absent": "title"}
    )
    ImportMapping.objects.create(kind="other", name="Another import", columns={"agreement": "x"})
    chosen = import_mapping_fitting(kind="tests", headings=["Contract No.", "Agreement", "Value"])
    assert chosen.name == "Wide"
    assert import_mapping_fitting(kind="tests", headings=["Something else"]) is None


@pytest.mark.django_db
def test_runs_left_a_week_are_cleared_with_their_files(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_user()
    paths = [default_storage.save(f"imports/{n}.csv", ContentFile(b"a,b\n")) for n in range(2)]
    old = ImportRun.objects.create(token="old", kind="contracts", user=user, path=paths[0])
    new = ImportRun.objects.create(token="new", kind="contracts", user=user, path=paths[1])
    ImportRun.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=8))
    assert import_runs_clear() == 1
    assert list(ImportRun.objects.values_list("token", flat=True)) == ["new"]
    assert not default_storage.exists(paths[0])
    assert default_storage.exists(paths[1])
    assert not progress_of(new)["stalled"]
    ImportRun.objects.filter(pk=new.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    new.refresh_from_db()
    assert progress_of(new)["stalled"]


@pytest.mark.django_db
def test_a_step_that_fails_unexpectedly_ends_the_run_rather_than_leaving_it_waiting(
    make_user, settings, tmp_path, monkeypatch
):
    from procurement import imports

    settings.MEDIA_ROOT = tmp_path

    def broken(**kwargs):
        raise RuntimeError("a fault in the service")

    kind = _kind()
    monkeypatch.setitem(
        imports.KINDS, "tests", imports.ImportKind(**{**kind.__dict__, "check": broken})
    )
    path = default_storage.save("imports/t.csv", ContentFile(b"Reference,Title\nR-1,Repairs\n"))
    run = ImportRun.objects.create(
        token="t", kind="tests", user=make_user(), path=path, filename="t.csv"
    )
    with pytest.raises(RuntimeError):
        imports.import_run_execute(run.pk)
    run.refresh_from_db()
    assert run.state == ImportRun.State.REFUSED
    assert "nothing was imported" in run.file_error
    with pytest.raises(imports.ImportRunError):
        imports.import_run_confirm(run=run)


def test_columns_with_no_heading_or_the_same_heading_are_mapped_by_place_and_by_which_one():
    layout, _ = read_table(
        _csv("Reference,,Value,Value,£\nR-1,Repairs,10,20,x\n"),
        "r.csv",
        COLUMNS,
        mapping={"#2": "title", "value #2": "value", "value": "", "#5": ""},
    )
    assert layout.positions == {0: "reference", 1: "title", 3: "value"}
    assert layout.missing == []


def test_a_workbook_is_read_as_far_as_it_goes_not_as_far_as_it_says(settings):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Title"])
    for number in range(30):
        sheet.append([f"R-{number}", "Repairs"])
    stream = io.BytesIO()
    workbook.save(stream)
    # Rewrite the sheet's declared size as some generators write it: one cell.
    import zipfile

    original = zipfile.ZipFile(io.BytesIO(stream.getvalue()))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data
                )
                assert replaced == 1
            copy.writestr(item, data)
    rewritten.seek(0)
    _, rows = read_table(rewritten, "r.xlsx", COLUMNS)
    assert len([cells for _, cells in rows if cells]) == 30
    # And no more cells than the service takes, whatever the sheet says of itself.
    settings.IMPORT_MAX_CELLS = 40
    rewritten.seek(0)
    with pytest.raises(ImportFileError, match="more than 40 cells"):
        list(read_table(rewritten, "r.xlsx", COLUMNS)[1])
