"""Reading a council's spreadsheets (CSV or XLSX) for an all-or-nothing import.

An import declares its :class:`Column` s; :func:`read_table` matches the file's headings to them
(whatever their case and punctuation, and by common aliases) and yields the rows after the
heading, a row at a time, so memory does not grow with the file. The cell parsers turn what people
type into values, or raise :class:`CellError` with a message that says how to put it right.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import IO, Any

from .text import multi_line, single_line

BATCH_SIZE = 500


@dataclass(frozen=True)
class Column:
    name: str  # the heading in our template
    attribute: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, unreadable, or a required column missing."""


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet row number, counting the heading as row 1
    column: str
    message: str


class ImportRefused(Exception):
    """The file had problems, so nothing was written; ``result`` lists them."""

    def __init__(self, result) -> None:
        super().__init__(f"{len(result.problems)} problems: nothing was imported")
        self.result = result


class CellError(ValueError):
    pass


def normalise_heading(heading: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(heading or "").lower()).strip()


def heading_lookup(columns: Sequence[Column]) -> dict[str, str]:
    """Each heading a file may use (name, attribute or alias, normalised) to its attribute."""
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.name, column.attribute, *column.aliases):
            lookup.setdefault(normalise_heading(name), column.attribute)
    return lookup


# --- Reading files ----------------------------------------------------------------------------


def _encoding_of(stream: IO[bytes]) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else Windows-1252 (Excel's "CSV" on Windows).

    Read in chunks so that memory does not grow with the file.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(64 * 1024):
            if b"\x00" in chunk:
                raise ImportFileError("The file is not a CSV file: save it as CSV (UTF-8) or XLSX")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def _csv_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    encoding = _encoding_of(stream)
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        yield from csv.reader(wrapper)
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file ({error})") from None
    finally:
        if not stream.closed:  # leave the caller's stream open; it may be read again
            wrapper.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError("The file is not a readable XLSX workbook") from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_table(
    stream: IO[bytes], filename: str, columns: Sequence[Column]
) -> tuple[dict[int, str], Iterator[list[Any]]]:
    """The column each position holds, and an iterator over the rows after the heading."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(stream)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(stream)
    else:
        raise ImportFileError("The file must be a CSV or XLSX file")
    try:
        heading = next(rows)
    except StopIteration:
        raise ImportFileError("The file is empty") from None
    lookup = heading_lookup(columns)
    positions: dict[int, str] = {}
    for index, cell in enumerate(heading):
        attribute = lookup.get(normalise_heading(cell))
        if attribute and attribute not in positions.values():
            positions[index] = attribute
    missing = [c for c in columns if c.required and c.attribute not in positions.values()]
    if missing:
        names = ", ".join(f"'{column.name}'" for column in missing)
        raise ImportFileError(
            f"The file has no column for {names}. Use the template's headings on the first row"
        )
    return positions, rows


def batches(
    positions: dict[int, str], rows: Iterator[list[Any]]
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Rows as dictionaries, numbered as in the spreadsheet, in batches; blank rows skipped."""
    numbered = (
        (
            number,
            {
                attribute: cells[index] if index < len(cells) else None
                for index, attribute in positions.items()
            },
        )
        for number, cells in enumerate(rows, start=2)
        if any(text(cell) for cell in cells)
    )
    while batch := list(islice(numbered, BATCH_SIZE)):
        yield batch


# --- Reading values ---------------------------------------------------------------------------


def text(value: Any, *, lines: bool = False) -> str:
    """A cell as text: one line (procurement/text.py), or with its line breaks if ``lines``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (multi_line if lines else single_line)(str(value)).strip()


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}", raw):
        raise CellError(f"'{raw}' is not a real date")
    raise CellError(f"'{raw}' is not a date: use dd/mm/yyyy, like 31/03/2026")


def parse_money(value: Any) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    raw = text(value)
    if not raw:
        return None
    cleaned = re.sub(r"[£,\s]", "", raw)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"'{raw}' is not an amount of money, like £1,234.50") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise CellError(f"'{raw}' is not an amount of money, like £1,234.50")
    return (-amount if negative else amount).quantize(Decimal("0.01"))


def parse_whole_number(value: Any) -> int:
    raw = text(value)
    if not raw:
        return 0
    if not re.fullmatch(r"\d{1,4}", raw):
        raise CellError(f"'{raw}' is not a whole number")
    return int(raw)


TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


def parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise CellError(f"'{text(value)}' is not Yes or No")
