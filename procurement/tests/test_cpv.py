"""CPV codes: how a code is read and checked against the loaded CPV 2008 list, loading the list
from the official file (page, service and command), and the Find a CPV code page."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from procurement import cpv
from procurement.api import CpvCodeField
from procurement.cpv_importing import cpv_codes_import, cpv_codes_import_check
from procurement.models import CpvCode
from procurement.roles import Role
from procurement.tabular import ImportRefused

pytestmark = pytest.mark.django_db

# Real codes of the CPV 2008 list with their English descriptions.
OFFICIAL = [
    ("03000000-1", "Agricultural, farming, fishing, forestry and related products"),
    ("09310000-5", "Electricity"),
    ("45000000-7", "Construction work"),
    ("90910000-9", "Cleaning services"),
    ("85310000-5", "Social work services"),
]
# The official file's heading row: the code, then a column for each language.
LANGUAGES = ["BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "GA", "HU", "IT"]


def official_row(code: str, description: str) -> list[str]:
    return [code, *(description if lang == "EN" else f"{lang} {code}" for lang in LANGUAGES)]


def official_xlsx(rows=OFFICIAL) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "CPV2008"
    sheet.append(["CODE", *LANGUAGES])
    for code, description in rows:
        sheet.append(official_row(code, description))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def excel_csv(rows) -> io.BytesIO:
    """A CSV as Excel saves one: a byte-order mark, CRLF line ends, quoted where needed."""
    lines = ["CODE,EN"] + [f'{code},"{description}"' for code, description in rows]
    return io.BytesIO(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def load(rows=OFFICIAL) -> None:
    for code, description in rows:
        CpvCode.objects.create(code=code, description=description)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


# --- Reading and checking a code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("45000000-7", "45000000-7"),
        ("  45000000-7 ", "45000000-7"),
        ("45000000 7", "45000000-7"),
        ("45000000 - 7", "45000000-7"),
        ("45000000\u20137", "45000000-7"),  # an en dash
        ("45000000", "45000000-7"),  # the check digit taken from the list
        ("3000000-1", "03000000-1"),  # a leading zero lost by a number column
        ("3000000", "03000000-1"),
        ("", ""),
    ],
)
def test_a_code_is_read_as_people_and_spreadsheets_write_it(written, stored):
    load()
    assert cpv.clean(written) == stored


@pytest.mark.parametrize("written", ["4500000-7x", "45-000000-7", "CPV 45000000", "450000007", "1"])
def test_a_code_in_another_form_is_refused_with_how_to_write_one(written):
    load()
    with pytest.raises(ValidationError, match="is not a CPV code: enter 8 digits, a hyphen"):
        cpv.clean(written)


def test_the_list_decides_the_check_digit():
    load()
    with pytest.raises(ValidationError) as refused:
        cpv.clean("45000000-8")
    assert refused.value.messages == ["The check digit of 45000000 is 7, not 8"]


def test_a_code_not_in_the_list_is_refused():
    load()
    with pytest.raises(ValidationError, match="45999999-1 is not in the CPV 2008 list"):
        cpv.clean("45999999-1")
    with pytest.raises(ValidationError, match="45999999 is not in the CPV 2008 list"):
        cpv.clean("45999999")


def test_with_no_list_loaded_every_code_is_refused_until_an_administrator_loads_it():
    with pytest.raises(ValidationError, match="an administrator must load the CPV 2008 list"):
        cpv.clean("45000000-7")
    with pytest.raises(ValidationError, match="an administrator must load"):
        cpv.clean("45000000-7", codes={})


def test_many_codes_are_checked_against_the_list_read_once():
    load()
    codes = cpv.CodesOnFirstUse()
    with CaptureQueriesContext(connection) as queries:
        assert [cpv.clean(c, codes=codes) for c in ("45000000", "3000000-1", "")] == [
            "45000000-7",
            "03000000-1",
            "",
        ]
        with pytest.raises(ValidationError, match="not 8"):
            cpv.clean("90910000-8", codes=codes)
    assert len(queries) == 1


def test_the_stored_code_is_validated_as_the_list_writes_it():
    load()
    cpv.validate_cpv_code("45000000-7")
    cpv.validate_cpv_code("")
    with pytest.raises(ValidationError, match="Write the CPV code as 45000000-7"):
        cpv.validate_cpv_code("45000000 7")


def test_the_api_field_reads_a_code_and_refuses_a_bad_one_as_json_messages():
    load()
    field = CpvCodeField()
    assert field.run_validation("45000000") == "45000000-7"
    from rest_framework.exceptions import ValidationError as ApiError

    with pytest.raises(ApiError) as refused:
        field.run_validation("45000000-8")
    assert refused.value.detail == ["The check digit of 45000000 is 7, not 8"]


# --- Loading the list ----------------------------------------------------------------------------


def test_the_official_xlsx_loads_the_code_and_english_description_only(admin):
    result = cpv_codes_import(
        stream=official_xlsx(), filename="cpv_2008_ver_2013.xlsx", by=admin, reason="Loaded"
    )
    assert (result.rows, result.created, result.problems) == (5, 5, [])
    code = CpvCode.objects.get(code="45000000-7")
    assert code.description == "Construction work"
    record = code.history.get()
    assert (record.history_user, record.history_change_reason) == (admin, "Loaded")


def test_a_csv_saved_by_excel_loads_with_its_lost_leading_zeros(admin):
    rows = [("3000000-1", OFFICIAL[0][1]), ("9310000-5", "Electricity"), *OFFICIAL[2:]]
    result = cpv_codes_import(stream=excel_csv(rows), filename="cpv.csv", by=admin, reason="Loaded")
    assert result.problems == []
    assert set(CpvCode.objects.values_list("code", flat=True)) == {c for c, _ in OFFICIAL}


def test_loading_again_updates_descriptions_and_adds_codes_with_history(admin):
    load(OFFICIAL[:3])
    changed = [(OFFICIAL[0][0], "Agricultural products"), *OFFICIAL[1:]]
    result = cpv_codes_import(
        stream=official_xlsx(changed), filename="cpv.xlsx", by=admin, reason="New edition"
    )
    assert (result.created, result.updated, result.unchanged) == (2, 1, 2)
    code = CpvCode.objects.get(code="03000000-1")
    assert code.description == "Agricultural products"
    assert code.history.first().history_change_reason == "New edition"
    assert CpvCode.objects.get(code="45000000-7").history.count() == 1  # unchanged: not saved


def test_a_file_with_any_problem_loads_nothing_and_says_where(admin):
    load(OFFICIAL[2:3])
    rows = [
        *OFFICIAL[:2],
        ("45000000-8", "Construction work"),  # another check digit for a loaded code
        ("90910000", "Cleaning services"),  # no check digit
        ("9091000A-9", "Cleaning"),
        ("85310000-5", ""),
        ("09310000-5", "Electricity again"),
    ]
    with pytest.raises(ImportRefused) as refused:
        cpv_codes_import(stream=official_xlsx(rows), filename="cpv.xlsx", by=admin, reason="x")
    problems = [(p.row, p.column, p.message) for p in refused.value.result.problems]
    assert problems == [
        (
            4,
            "CODE",
            "45000000 is loaded with the check digit 7, not 8: a list cannot change a "
            "code's check digit",
        ),
        (5, "CODE", "Give 90910000 with its check digit, like 45000000-7"),
        (
            6,
            "CODE",
            "'9091000A-9' is not a CPV code: enter 8 digits, a hyphen and the check "
            "digit, like 45000000-7",
        ),
        (7, "EN", "Enter the English description of the code"),
        (8, "CODE", "09310000 is also on row 3"),
    ]
    assert CpvCode.objects.count() == 1


def test_only_an_administrator_may_load_the_list(make_user):
    for role in Role:
        if role == Role.ADMINISTRATOR:
            continue
        with pytest.raises(PermissionDenied):
            cpv_codes_import_check(stream=official_xlsx(), filename="cpv.xlsx", by=make_user(role))
    assert not CpvCode.objects.exists()


def test_the_command_checks_then_loads_the_list(tmp_path, capsys):
    path = tmp_path / "cpv_2008_ver_2013.xlsx"
    path.write_bytes(official_xlsx().getvalue())
    call_command("import_cpv", str(path), "--dry-run")
    assert "5 CPV codes would be added" in capsys.readouterr().out
    assert not CpvCode.objects.exists()
    call_command("import_cpv", str(path))
    assert CpvCode.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_bytes(excel_csv([("45000000-8", "Construction work")]).getvalue())
    with pytest.raises(CommandError, match="1 problem: nothing was imported"):
        call_command("import_cpv", str(bad))


def test_the_load_page_checks_the_file_and_loads_it(client, admin, imports_run_here):
    client.force_login(admin)
    response = client.post(
        reverse("procurement:cpv_import"),
        {"file": _named(official_xlsx(), "cpv_2008_ver_2013.xlsx")},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "Codes to add" in preview.content.decode()
    client.post(response["Location"], {"action": "import"})
    assert CpvCode.objects.count() == 5


def _named(stream: io.BytesIO, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, stream.getvalue())


# --- Finding a code ----------------------------------------------------------------------------


def test_find_a_cpv_code_by_words_or_digits_in_a_constant_number_of_queries(client, make_user):
    load()
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    url = reverse("procurement:cpv_codes")
    page = client.get(url, {"q": "cleaning"}).content.decode()
    assert "90910000-9" in page
    assert "Construction work" not in page
    page = client.get(url, {"q": "4500"}).content.decode()
    assert "Construction work" in page
    assert "Cleaning services" not in page
    assert "90910000-9" in client.get(url, {"q": "90910000-9"}).content.decode()
    assert "No CPV codes match" in client.get(url, {"q": "zebra"}).content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    load([(f"7{n:07d}-0", f"Code {n}") for n in range(120)])
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"page": "2"})
    assert len(many) == len(few)
