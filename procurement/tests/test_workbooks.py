"""An XLSX that would expand to gigabytes, or make openpyxl fill billions of empty cells, is refused
from its zip directory and its first sheet's first bytes, before anything parses it."""

import io
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook, load_workbook

from procurement.workbooks import readable_size, xlsx_refusal

MB = 1024 * 1024


class CountingStream(io.BytesIO):
    """A file that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def workbook(rows: int = 20) -> bytes:
    """A register as a spreadsheet program saves one."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Contract Ref", "Title", "Total Value", "End Date"])
    for number in range(rows):
        sheet.append([f"C-{number}", "Home care (north)", 1234.5, "2027-03-31"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def repacked(original: bytes, parts: dict[str, Callable[[io.RawIOBase], None]]) -> bytes:
    """``original`` with each part in ``parts`` written afresh, streamed through deflate."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info))
        for name, write in parts.items():
            with target.open(name, "w", force_zip64=True) as member:
                write(member)
    return out.getvalue()


def huge_shared_string(size: int) -> Callable:
    def write(member) -> None:
        member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        member.write(b"<si><t>")
        chunk = b"A" * MB
        for _ in range(size // MB):
            member.write(chunk)
        member.write(b"</t></si></sst>")

    return write


def sheet_declaring(ref: str, last_row: int) -> Callable:
    def write(member) -> None:
        member.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetPr><outlinePr summaryBelow='1'/></sheetPr>"
            b'<dimension ref="' + ref.encode() + b'"/>'
            b"<sheetData>"
            b'<row r="' + str(last_row).encode() + b'"><c r="A1" t="n"><v>1</v></c></row>'
            b"</sheetData></worksheet>"
        )

    return write


@pytest.fixture(scope="module")
def string_bomb() -> bytes:
    """A few hundred kilobytes holding one shared string of 300 MB."""
    return repacked(workbook(), {"xl/sharedStrings.xml": huge_shared_string(300 * MB)})


def test_a_workbook_as_spreadsheet_programs_save_it_passes_and_opens(settings):
    stream = CountingStream(workbook(rows=2000))
    assert xlsx_refusal(stream) is None
    assert stream.tell() == 0
    assert load_workbook(stream, read_only=True).active.max_row == 2001


def test_a_small_file_expanding_to_hundreds_of_megabytes_is_refused_from_its_directory(
    string_bomb,
):
    assert len(string_bomb) < 600 * 1024  # what the upload limit sees
    stream = CountingStream(string_bomb)
    assert xlsx_refusal(stream) == (
        "The workbook expands to 300 MB when opened, more than the 100 MB this service accepts: "
        "save it again as CSV, or remove the other sheets, pictures and formatting the import "
        "does not need"
    )
    # Only the zip's directory was read, not the part it describes.
    assert stream.bytes_read < 64 * 1024
    assert stream.tell() == 0


def test_the_limit_on_the_expanded_size_is_a_setting(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024
    refusal = xlsx_refusal(io.BytesIO(workbook()))
    assert refusal.startswith("The workbook expands to ")
    assert "more than the 1 KB this service accepts" in refusal


def test_a_part_packed_a_thousand_to_one_is_refused_within_the_size_limit():
    bomb = repacked(workbook(), {"xl/media/image1.png": huge_shared_string(50 * MB)})
    refusal = xlsx_refusal(io.BytesIO(bomb))
    assert refusal.startswith(
        "The workbook is packed in a way spreadsheet programs do not use (one part expands "
    )
    assert refusal.endswith(
        "times when opened): save it again from your spreadsheet program as XLSX, or save it as CSV"
    )


def test_a_sheet_declaring_every_cell_of_a_worksheet_is_refused_from_its_first_bytes():
    bomb = repacked(
        workbook(), {"xl/worksheets/sheet1.xml": sheet_declaring("A1:XFD1048576", 1048576)}
    )
    assert len(bomb) < 20 * 1024
    stream = CountingStream(bomb)
    assert xlsx_refusal(stream) == (
        "The first sheet of the workbook covers 17,179,869,184 cells (to XFD1048576), more than "
        "the 2,000,000 this service reads: delete the empty rows and columns after your data, or "
        "save the sheet as CSV"
    )
    assert stream.tell() == 0


@pytest.mark.parametrize(("ref", "refused"), [("A1:J10", False), ("A1:J11", True), ("J11", True)])
def test_the_cells_a_sheet_may_cover_is_a_setting(settings, ref, refused):
    settings.IMPORT_MAX_CELLS = 100
    book = repacked(workbook(), {"xl/worksheets/sheet1.xml": sheet_declaring(ref, 1)})
    assert (xlsx_refusal(io.BytesIO(book)) is not None) is refused


def test_the_first_sheet_is_the_one_the_workbook_lists_first():
    """Not sheet1.xml by name: the part the workbook's first ``<sheet>`` points to, as openpyxl
    finds it (here a relative target, sheet2.xml)."""
    book = Workbook()
    book.active.title = "Register"
    book.active["A1"] = "Contract Ref"
    book.create_sheet("Notes")["A1"] = "Notes"
    out = io.BytesIO()
    book.save(out)

    def swapped(member) -> None:
        member.write(
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="worksheets/sheet2.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            b'<Relationship Id="rId2" Target="/xl/worksheets/sheet1.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            b'<Relationship Id="rId3" Target="styles.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/styles"/>'
            b"</Relationships>"
        )

    rels = "xl/_rels/workbook.xml.rels"
    book = repacked(out.getvalue(), {rels: swapped})
    assert load_workbook(io.BytesIO(book)).worksheets[0]["A1"].value == "Notes"
    huge = sheet_declaring("A1:XFD1048576", 1)
    assert xlsx_refusal(io.BytesIO(repacked(book, {"xl/worksheets/sheet1.xml": huge}))) is None
    assert xlsx_refusal(io.BytesIO(repacked(book, {"xl/worksheets/sheet2.xml": huge})))


@pytest.mark.parametrize(
    "content",
    [b"Contract Ref,Title\nC-1,Home care\n", b"", b"PK\x03\x04 not really a zip"],
)
def test_a_file_that_is_not_a_workbook_is_refused(content):
    stream = io.BytesIO(content)
    assert xlsx_refusal(stream) == (
        "The file is not a readable XLSX workbook: save it again from your spreadsheet program "
        "as XLSX, or save it as CSV"
    )
    assert stream.tell() == 0


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert xlsx_refusal(out).startswith("The file is not a readable XLSX workbook")


@pytest.mark.parametrize(
    ("size", "words"),
    [(512, "512 bytes"), (1024, "1 KB"), (100 * MB, "100 MB"), (int(3.2 * 1024 * MB), "3.2 GB")],
)
def test_sizes_read_as_a_person_writes_them(size, words):
    assert readable_size(size) == words


@pytest.mark.django_db
def test_the_import_page_and_the_reader_refuse_a_bomb_before_opening_it(
    client, make_user, monkeypatch, string_bomb
):
    """Through the import page and through the reader (the command line, a task): the workbook is
    refused with its reason, and openpyxl is never asked to open it."""
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from contracts.importing import COLUMNS
    from procurement.models import ImportRun
    from procurement.roles import Role
    from procurement.tabular import ImportFileError, read_table

    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a workbook it should never see")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    bomb = string_bomb
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(
        reverse("contracts:import"), {"file": SimpleUploadedFile("register.xlsx", bomb)}
    )
    assert response.status_code == 200
    assert "expands to" in response.content.decode()
    assert not ImportRun.objects.exists()
    with pytest.raises(ImportFileError, match="expands to"):
        read_table(io.BytesIO(bomb), "register.xlsx", COLUMNS)
