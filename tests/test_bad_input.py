"""Hostile and malformed files thrown at every import (hypothesis), and the formulas in every
export: an import either takes every row or names each problem and writes nothing; an exported
cell never starts a formula."""

import csv
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from contracts.importing import COLUMNS as CONTRACT_COLUMNS
from contracts.importing import contracts_import
from procurement.downloads import FORMULA_PREFIXES, safe_cell, xlsx_response
from procurement.roles import Role
from procurement.tabular import ImportFileError, ImportRefused
from procurement.tests.factories import DirectorateFactory
from socialvalue.importing import COLUMNS as MEASURE_COLUMNS
from socialvalue.importing import measures_import

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x.example","x")']
ODD = [
    "",
    " ",
    "\x00",
    "\t\r\n",
    "<script>alert(1)</script>",
    "'; DROP TABLE contracts_contract;--",
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "31/02/2026",
    "2026-13-01",
    "£-0.001",
    "../../etc/passwd",
    "\ufeffbom",
    "é" * 300,
]
hostile_cell = st.one_of(
    st.sampled_from(FORMULAS + ODD),
    st.text(max_size=40),
    st.text(min_size=1, max_size=3).map(lambda t: t * 40_000),  # a huge cell
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "shift_jis"]
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@st.composite
def hostile_file(draw, columns):
    """A CSV or XLSX file of the import's headings (some dropped or renamed) and hostile rows,
    in any encoding, or plain garbage."""
    headings = [column.name for column in columns]
    kept = draw(st.lists(st.sampled_from(headings), unique=True, max_size=len(headings)))
    if draw(st.booleans()):
        kept = headings  # every column present: only the values are hostile
    rows = draw(
        st.lists(st.lists(hostile_cell, min_size=len(kept), max_size=len(kept)), max_size=4)
    )
    kind = draw(st.sampled_from(["csv", "xlsx", "garbage"]))
    if kind == "garbage":
        return draw(st.binary(max_size=2000)), draw(st.sampled_from(["a.csv", "a.xlsx"]))
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(kept)
        for values in rows:
            # A spreadsheet cannot hold control characters: openpyxl refuses them.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in values])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "a.xlsx"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(kept)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.getvalue().encode(encoding, errors="replace"), "a.csv"


def counts() -> dict[str, int]:
    """Rows in every table the imports could write to."""
    labels = {"contracts", "socialvalue", "procurement"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def assert_all_or_nothing(run, content, filename):
    before = counts()
    reasons = []
    try:
        result = run(stream=io.BytesIO(content), filename=filename)
    except ImportFileError as error:
        reasons = [str(error)]
    except ImportRefused as refused:
        reasons = [problem.message for problem in refused.result.problems]
    else:
        assert result.ok
        assert result.rows > 0
        return
    assert reasons, "a refused import says why"
    assert all(reason.strip() for reason in reasons)
    assert counts() == before, "a refused import wrote something"


# Each import: its columns, who runs it, and the service.
IMPORTS = {
    "register": (CONTRACT_COLUMNS, Role.BUSINESS_PARTNER, contracts_import),
    "measure library": (MEASURE_COLUMNS, Role.HEAD_OF_PROCUREMENT, measures_import),
}


@pytest.mark.parametrize("which", IMPORTS)
@given(data=st.data())
@HYPOTHESIS
def test_a_hostile_file_is_refused_with_reasons_or_taken_whole(make_user, which, data):
    columns, role, service = IMPORTS[which]
    DirectorateFactory(name="Adult Social Care", code="asc")
    user = make_user(role)
    content, filename = data.draw(hostile_file(columns))
    assert_all_or_nothing(
        lambda **file: service(**file, by=user, reason="Hostile file"), content, filename
    )


@given(upload=hostile_file(CONTRACT_COLUMNS))
@HYPOTHESIS
def test_the_import_page_answers_a_hostile_file_with_its_errors(
    client, make_user, imports_run_here, upload
):
    """Through the pages: the upload and its preview never fail, and show what is wrong."""
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    content, filename = upload
    response = client.post(
        "/contracts/import/", {"file": SimpleUploadedFile(filename, content)}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page or "Import " in page


@given(value=st.one_of(st.sampled_from(FORMULAS), st.text(max_size=30)))
@settings(max_examples=200, deadline=None)
def test_no_exported_cell_starts_a_formula(value):
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_PREFIXES)
    if value.startswith(FORMULA_PREFIXES):
        assert cell == "'" + value  # escaped, and otherwise as written
    else:
        assert cell == value


def test_an_xlsx_export_holds_escaped_text_not_formulas():
    response = xlsx_response(["Title"], [[f] for f in FORMULAS], "hostile.xlsx", title="Hostile")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), data_only=False).active
    cells = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert cells == [f"'{formula}" for formula in FORMULAS]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))
