"""Downloads of tables as CSV (streamed row by row) or XLSX (written by XlsxWriter in constant
memory), safe to open in a spreadsheet: text that would run as a formula is escaped.

In the XLSX, cells keep their types: dates are dates and amounts of money numbers, shown as
such; the headings are bold, the header row frozen and the columns wide enough to read."""

import csv
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "£#,##0.00"
# Characters wide: a column is as wide as its heading, within these.
NARROWEST, WIDEST = 12, 40


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as written: text that would start a formula is escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headings: list[str], rows: Iterable[list[Any]]) -> Iterable[str]:
    """The CSV's text, a line at a time, every cell made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel reads the file as UTF-8
    yield writer.writerow(headings)
    for row in rows:
        # Every export, whoever builds its rows, is safe to open in a spreadsheet.
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(headings: list[str], rows: Iterable[list[Any]], filename: str):
    """A CSV download streamed as it is written, so no export is held in memory."""
    response = StreamingHttpResponse(
        csv_lines(headings, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_csv(output: IO[bytes], headings: list[str], rows: Iterable[list[Any]]) -> int:
    """Write the CSV to ``output``; returns how many rows (not counting the headings)."""
    lines = csv_lines(headings, rows)
    written = 0
    buffer: list[str] = [next(lines), next(lines)]  # the byte order mark, the headings
    for line in lines:
        buffer.append(line)
        written += 1
        if len(buffer) >= CHUNK:
            output.write("".join(buffer).encode())
            buffer.clear()
    output.write("".join(buffer).encode())
    return written


def write_xlsx(
    output: IO[bytes] | str, headings: list[str], rows: Iterable[list[Any]], *, title: str
) -> int:
    """Write the workbook to ``output`` (a file or its path), a row at a time in constant
    memory; returns how many rows (not counting the headings)."""
    from xlsxwriter import Workbook

    workbook = Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(title[:31])
    dated = workbook.add_format({"num_format": DATE_FORMAT})
    money = workbook.add_format({"num_format": MONEY_FORMAT})
    bold = workbook.add_format({"bold": True})
    for column, heading in enumerate(headings):
        sheet.set_column(column, column, min(max(len(heading) + 2, NARROWEST), WIDEST))
        sheet.write_string(0, column, heading, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _write_cell(sheet, count, column, value, dated=dated, money=money)
    workbook.close()
    return count


def _write_cell(sheet, row: int, column: int, value: Any, *, dated, money) -> None:
    """One cell, typed: text (formulas escaped) as text, never run."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, column, "Yes" if value else "No")
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, dated)
    elif isinstance(value, Decimal):
        sheet.write_number(row, column, float(value), money)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, safe_cell(value))


def xlsx_response(headings: list[str], rows: Iterable[list[Any]], filename: str, *, title: str):
    """An XLSX download, written row by row to a temporary file rather than held in memory."""
    output = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(output, headings, rows, title=title)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
