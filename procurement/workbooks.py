"""Refuse a hostile XLSX workbook before anything parses it (docs/decisions/0032).

An XLSX is a zip of XML files. A few hundred kilobytes can expand to gigabytes (one huge shared
string, or a sheet of millions of empty cells), and a sheet can declare a range far larger than
its data, which openpyxl's read-only reader fills with empty cells. The upload limit
(``IMPORT_MAX_BYTES``) sees only the compressed file. ``xlsx_refusal`` reads the zip's directory
and the first few kilobytes of the first sheet, and says in plain English why a file is refused.

The sizes in a zip's directory are claims, but they bind: Python's ``zipfile`` (which openpyxl
reads through) stops a member at its declared size and then fails its checksum, so a member never
yields more than the directory says.
"""

import re
import zipfile
from typing import IO

from django.conf import settings

# Spreadsheet programs compress a sheet about 5 to 30 times; a zip bomb, about 1,000 times. A part
# smaller than SMALL_PART expands to little whatever its ratio.
MAX_RATIO = 250
SMALL_PART = 1024 * 1024
# The dimension element comes before a sheet's rows; the workbook's parts naming the first sheet
# are a few kilobytes. Read no further than this of any of them.
HEAD_BYTES = 64 * 1024

SAVE_AGAIN = "save it again from your spreadsheet program as XLSX, or save it as CSV"

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']")
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*?\b(?:\w+:)?id\s*=\s*[\"']([^\"']+)[\"']")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb"(\w+)\s*=\s*[\"']([^\"']*)[\"']")


def xlsx_refusal(stream: IO[bytes]) -> str | None:
    """Why the XLSX in ``stream`` must not be opened, for the person who uploaded it, or None if
    it may be. Reads only the zip's directory and the first sheet's first bytes; leaves
    ``stream`` at its start."""
    try:
        stream.seek(0)
        return _refusal(stream)
    finally:
        stream.seek(0)


def _refusal(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            refusal = _size_refusal(members)
            if refusal:
                return refusal
            sheet = _first_sheet(archive)
            if sheet is None:
                return f"The file is not a readable XLSX workbook: {SAVE_AGAIN}"
            with archive.open(sheet) as member:
                head = member.read(HEAD_BYTES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        # Not a zip, a damaged one, or one packed with encryption or a method zipfile lacks.
        return f"The file is not a readable XLSX workbook: {SAVE_AGAIN}"
    return _cells_refusal(head)


def _size_refusal(members: list[zipfile.ZipInfo]) -> str | None:
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    expanded = sum(member.file_size for member in members)
    if expanded > limit:
        return (
            f"The workbook expands to {readable_size(expanded)} when opened, more than the "
            f"{readable_size(limit)} this service accepts: save it again as CSV, or remove the "
            "other sheets, pictures and formatting the import does not need"
        )
    for member in members:
        if member.file_size > SMALL_PART and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            times = member.file_size // max(member.compress_size, 1)
            return (
                f"The workbook is packed in a way spreadsheet programs do not use (one part "
                f"expands {times:,} times when opened): {SAVE_AGAIN}"
            )
    return None


def _first_sheet(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The part holding the workbook's first sheet (the one imports read), found as openpyxl finds
    it: the first ``<sheet>`` of ``xl/workbook.xml`` and its relationship's target."""
    names = {info.filename: info for info in archive.infolist()}
    workbook, rels = names.get("xl/workbook.xml"), names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    with archive.open(workbook) as part:
        first = _FIRST_SHEET.search(part.read(HEAD_BYTES))
    if first is None:
        return None
    with archive.open(rels) as part:
        relationships = part.read(HEAD_BYTES)
    for element in _RELATIONSHIP.findall(relationships):
        attributes = dict(_ATTRIBUTE.findall(element))
        if attributes.get(b"Id") == first[1]:
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return names.get(path)
    return None


def _cells_refusal(head: bytes) -> str | None:
    declared = _DIMENSION.search(head)
    if declared is None:
        return None  # no dimension: openpyxl reads the rows there are, bounded by the size
    corners = _CELL.findall(declared[1].decode("ascii").upper())
    if not corners:
        return None
    # From A1 to the far corner: openpyxl's reader fills the rows and columns before a range too.
    columns = max(_column_number(letters) for letters, _ in corners)
    rows = max(int(number) for _, number in corners)
    cells = columns * rows
    limit = settings.IMPORT_MAX_CELLS
    if cells <= limit:
        return None
    return (
        f"The first sheet of the workbook covers {cells:,} cells (to {corners[-1][0]}"
        f"{corners[-1][1]}), more than the {limit:,} this service reads: delete the empty rows "
        "and columns after your data, or save the sheet as CSV"
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def readable_size(size: int) -> str:
    """``3.2 GB``, ``100 MB``: a size as a person reads it, in units of 1,024."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    if unit == "bytes":
        return f"{size:,} bytes"
    return f"{size:,.1f}".removesuffix(".0") + f" {unit}"
