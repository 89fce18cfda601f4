"""Downloads of tables as CSV (streamed row by row) or XLSX (written in openpyxl's write-only
mode), safe to open in a spreadsheet: cells that would run as a formula are escaped."""

import csv
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


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


def csv_response(headings: list[str], rows: Iterable[list[Any]], filename: str):
    """A CSV download streamed as it is written, so no export is held in memory."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that Excel reads the file as UTF-8
        yield writer.writerow(headings)
        for row in rows:
            # Every export, whoever builds its rows, is safe to open in a spreadsheet.
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(headings: list[str], rows: Iterable[list[Any]], filename: str, *, title: str):
    """An XLSX download, written row by row to a temporary file rather than held in memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headings)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    output = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
