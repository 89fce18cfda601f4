"""Reading a council's spreadsheets (CSV or XLSX) for an all-or-nothing import.

An import declares its :class:`Column` s; :func:`read_table` finds the heading row wherever it is
in the first rows of the sheet, matches the headings to the columns (whatever their case, spacing
and punctuation, by the Transparency Code's names and common aliases, or by a saved mapping), and
yields the rows after it, a row at a time, so memory does not grow with the file. The cell parsers
turn what people type into values, or raise :class:`CellError` with a message that says how to put
it right. The run of an import (in the background, with progress) is in ``imports.py``.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from .downloads import FORMULA_PREFIXES
from .text import counted, multi_line, single_line

BATCH_SIZE = 500
# The heading row may be below a title, a date and a blank row or two; it is looked for here.
HEADING_SCAN_ROWS = 30
# The first values of each column, shown beside it when the columns are mapped by hand.
SAMPLE_VALUES = 3
SAMPLE_ROWS = 50
NOT_USED = ""  # a mapping's word for "this column holds nothing to import"


@dataclass(frozen=True)
class Column:
    name: str  # the heading in our template
    attribute: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, unreadable, too big once opened."""


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet row number (the heading row is not always row 1)
    column: str
    message: str


@dataclass
class Layout:
    """How the file's columns were read: where the headings are and what each column holds."""

    heading_row: int = 1
    headings: list[str] = field(default_factory=list)  # each heading cell's text, by position
    positions: dict[int, str] = field(default_factory=dict)  # position: the column's attribute
    samples: dict[int, list[str]] = field(default_factory=dict)  # position: its first values
    missing: list[str] = field(default_factory=list)  # required attributes with no column
    estimated_rows: int = 0

    @property
    def unused(self) -> list[str]:
        """The headings of the columns that nothing is read from."""
        return [
            heading
            for position, heading in enumerate(self.headings)
            if heading and position not in self.positions
        ]


@dataclass
class ImportResult:
    """What an import found: the rows read, every problem (nothing is written while there is
    one), notes that do not stop it, the layout, and values no mapping says what they are."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    layout: Layout | None = None
    # attribute: {value as written in the file: how many rows}
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    _written: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    MAX_UNKNOWN_VALUES = 100

    @property
    def ok(self) -> bool:
        return self.rows > 0 and not self.problems

    @property
    def ready(self) -> int:
        """How many rows have no problem."""
        return self.rows - len({problem.row for problem in self.problems if problem.row})

    def unknown(self, attribute: str, value: str) -> None:
        """Count a value no mapping names, under the first way the file writes it ("Adults" and
        "ADULTS " are one value, as a mapping compares them)."""
        seen = self.unknown_values.setdefault(attribute, {})
        written = self._written.setdefault(attribute, {})
        key = normalise_heading(value)
        if key in written:
            seen[written[key]] += 1
        elif len(seen) < self.MAX_UNKNOWN_VALUES:
            written[key] = value
            seen[value] = 1


class ImportRefused(Exception):
    """The file had problems, so nothing was written; ``result`` lists them."""

    def __init__(self, result) -> None:
        super().__init__(f"{counted(len(result.problems), 'problem')}: nothing was imported")
        self.result = result


class CellError(ValueError):
    pass


def normalise_heading(heading: Any) -> str:
    """A heading or value as compared: lower case, letters and digits, single spaces."""
    return re.sub(r"[^a-z0-9]+", " ", str(heading or "").lower()).strip()


def heading_keys(headings: Sequence[Any]) -> list[str]:
    """The key a mapping knows each column by: its heading as compared; for a heading that is
    blank (or only punctuation) its place, "#3"; for a heading repeated, its heading and which
    one it is, "value #2"."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for position, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            keys.append(f"#{position + 1}")
            continue
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key} #{seen[key]}")
    return keys


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


def _csv_length(stream: IO[bytes]) -> int:
    """About how many rows a CSV file has (its line breaks), without parsing it."""
    stream.seek(0)
    lines = 0
    while chunk := stream.read(1024 * 1024):
        lines += chunk.count(b"\n")
    stream.seek(0)
    return lines


def _xlsx_sheet(stream: IO[bytes]):
    from openpyxl import load_workbook

    from .workbooks import xlsx_refusal

    refusal = xlsx_refusal(stream)
    if refusal:
        raise ImportFileError(refusal)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError("The file is not a readable XLSX workbook") from error
    return workbook


# No register needs more columns than this; a sheet that says it has more is read this far.
MAX_COLUMNS = 200


def _xlsx_rows(workbook) -> Iterator[list[Any]]:
    """The first sheet's rows, each at most ``MAX_COLUMNS`` wide, and no more cells in all than
    the service takes (``IMPORT_MAX_CELLS``), however the sheet describes itself."""
    from django.conf import settings

    try:
        sheet = workbook.worksheets[0]
        # Read as far as the sheet goes, not as far as it says it goes (its declared size may
        # be wrong), and never past the cells the service takes: each row counts its cells up to
        # its last value, an empty row one.
        limit = settings.IMPORT_MAX_CELLS
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=limit)
        counted = 0
        for values in rows:
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()
            counted += max(len(cells), 1)
            if counted > limit:
                raise ImportFileError(
                    f"The workbook has more than {limit:,} cells: save the register as CSV, or "
                    "remove the rows and columns the import does not need"
                )
            yield cells
    finally:
        workbook.close()


def sheet_rows(stream: IO[bytes], filename: str) -> tuple[int, Iterator[list[Any]]]:
    """About how many rows the file has, and its rows (of the first sheet of a workbook)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _csv_length(stream), _csv_rows(stream)
    if suffix == ".xlsx":
        workbook = _xlsx_sheet(stream)
        return workbook.worksheets[0].max_row or 0, _xlsx_rows(workbook)
    raise ImportFileError("The file must be a CSV or XLSX file")


def _heading_row(first: list[list[Any]], known: set[str]) -> int:
    """The index of the row among ``first`` that holds the headings: the one with the most
    headings the import knows (at least two), else the first row with anything in it."""
    best, best_score = None, 1
    for index, cells in enumerate(first):
        score = len({normalise_heading(cell) for cell in cells} & known)
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return next((i for i, cells in enumerate(first) if any(text(cell) for cell in cells)), 0)


def read_table(
    stream: IO[bytes],
    filename: str,
    columns: Sequence[Column],
    *,
    mapping: dict[str, str] | None = None,
) -> tuple[Layout, Iterator[tuple[int, list[Any]]]]:
    """The file's layout, and an iterator over the rows after the heading, numbered as in the
    spreadsheet.

    ``mapping`` (normalised heading: attribute, or ``NOT_USED``) says what a column holds where
    the heading alone does not, and wins over the names the import knows.
    """
    mapping = mapping or {}
    estimated, rows = sheet_rows(stream, filename)
    first = list(islice(rows, HEADING_SCAN_ROWS))
    if not any(any(text(cell) for cell in cells) for cells in first):
        raise ImportFileError("The file is empty")
    lookup = {**heading_lookup(columns), **mapping}
    index = _heading_row(first, {key for key, value in lookup.items() if value})
    heading = first[index]
    layout = Layout(
        heading_row=index + 1,
        headings=[text(cell) for cell in heading],
        estimated_rows=max(estimated - index - 1, 0),
    )
    own = heading_lookup(columns)
    for position, key in enumerate(heading_keys(heading)):
        # The mapping, by the column's key, wins; else the import's own names for the heading.
        attribute = (
            mapping[key] if key in mapping else own.get(normalise_heading(heading[position]))
        )
        if attribute and attribute not in layout.positions.values():
            layout.positions[position] = attribute
    layout.missing = [
        c.attribute for c in columns if c.required and c.attribute not in layout.positions.values()
    ]
    # The first values of each column, to map it by; the rows read for them are read again.
    after = first[index + 1 :]
    ahead = after + list(islice(rows, max(SAMPLE_ROWS - len(after), 0)))
    for position in range(len(layout.headings)):
        values = [text(cells[position]) for cells in ahead if position < len(cells)]
        layout.samples[position] = [value for value in values if value][:SAMPLE_VALUES]
    numbered = enumerate(chain(ahead, rows), start=index + 2)
    return layout, numbered


def batches(
    layout: Layout, rows: Iterator[tuple[int, list[Any]]]
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Rows as dictionaries of attribute and cell, in batches; blank rows skipped."""
    positions = layout.positions
    as_dicts = (
        (
            number,
            {
                attribute: cells[index] if index < len(cells) else None
                for index, attribute in positions.items()
            },
        )
        for number, cells in rows
        if any(text(cell) for cell in cells)
    )
    while batch := list(islice(as_dicts, BATCH_SIZE)):
        yield batch


# --- Reading values ---------------------------------------------------------------------------


def text(value: Any, *, lines: bool = False) -> str:
    """A cell as text: one line (procurement/text.py), or with its line breaks if ``lines``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = value if value.__class__ is str else str(value)
    if raw.startswith("'") and raw[1:2] and raw[1] in FORMULA_PREFIXES:
        raw = raw[1:]  # escaped by an export so that a spreadsheet shows it as written
    return (multi_line if lines else single_line)(raw).strip()


# Excel counts days from 30 December 1899 (after its 1900 leap-year error); a date column that
# lost its format holds those numbers. Only a plausible span is read as dates.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(9132, 73051)  # 1925 to 2099
DATE_PATTERNS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %y",
    "%d %B %y",
    "%d-%B-%Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y/%m/%d",
)
# What follows a date: a time of day, ISO's "T00:00:00Z", Excel's "00:00".
TIME_OF_DAY = re.compile(
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?(?:Z|[+-]\d{2}:?\d{2})?)$", re.I
)
ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.I)
BLANK_WORDS = {"n a", "na", "none", "nil", "tbc", "tbd", "unknown", "not applicable", "not known"}


def is_blank_word(raw: str) -> bool:
    """A cell that says there is no value: "N/A", "-", "TBC", "Unknown"..."""
    return not raw.strip("-\u2013\u2014 ") or normalise_heading(raw) in BLANK_WORDS


def _serial_date(number: float) -> date:
    if int(number) not in EXCEL_SERIALS:
        raise CellError(f"'{number:g}' is not a date: use dd/mm/yyyy, like 31/03/2026")
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value: Any) -> date | None:
    """A date as councils write it: 31/03/2026, 31-Mar-26, 31 March 2026, 2026-03-31, with or
    without a time, or an Excel serial number. "N/A", "-" and blanks are no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(value)
    raw = text(value)
    if not raw or is_blank_word(raw):
        return None
    if re.fullmatch(r"\d{5}(?:\.0+)?", raw):
        return _serial_date(float(raw))
    cleaned = TIME_OF_DAY.sub("", raw).strip().rstrip(",")
    cleaned = ORDINAL.sub(r"\1", cleaned).replace(",", " ")
    cleaned = re.sub(r"\s+", " ", cleaned)
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(cleaned, pattern).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", cleaned):
        raise CellError(f"'{raw}' is not a real date")
    raise CellError(f"'{raw}' is not a date: use dd/mm/yyyy, like 31/03/2026")


MONEY_SCALE = {"k": Decimal(1000), "m": Decimal(1000000), "bn": Decimal(1000000000)}
# An amount as most files write most of them, "1234.5", "-1,234.50": read at once. Twelve
# digits at most before the point, so under the limit below.
PLAIN_MONEY = re.compile(r"-?(?:\d{1,12}|\d{1,3}(?:,\d{3}){1,3})(?:\.\d{1,2})?")


def parse_money(value: Any) -> Decimal | None:
    """An amount as councils write it: 1234.5, £1,234.50, "£ 1 234", (250.00), 250.00CR,
    250.00-, £1.2m, 30k.
    "N/A", "-" and blanks are no amount."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
            raise CellError(f"'{value}' is not an amount of money, like £1,234.50")
        return amount.quantize(Decimal("0.01"))
    raw = text(value)
    if PLAIN_MONEY.fullmatch(raw):
        return Decimal(raw.replace(",", "")).quantize(Decimal("0.01"))
    if not raw or is_blank_word(raw):
        return None
    cleaned = re.sub(r"[£,\s]|gbp", "", raw.lower())
    # A credit as finance systems write it: (250.00), 250.00CR, or 250.00- ; "DR" is a debit.
    credit = re.fullmatch(r"(.*\d\)?)(cr|dr|-)", cleaned)
    if credit:
        cleaned = credit[1]
    marks = [
        cleaned.startswith("(") and cleaned.endswith(")"),
        cleaned.startswith("-"),
        bool(credit and credit[2] != "dr"),
    ]
    if sum(marks) > 1:
        # Two marks of a credit ("-250.00CR", "(250.00)-") say it twice, or cancel out: which is
        # meant cannot be told, so the officer is asked.
        raise CellError(
            f"'{raw}' is marked as a credit twice: write a credit one way, like -250.00, "
            "(250.00) or 250.00CR"
        )
    negative = any(marks)
    cleaned = cleaned.strip("()").removeprefix("-")
    scale = Decimal(1)
    if found := re.fullmatch(r"(.*\d)(k|m|bn)", cleaned):
        cleaned, scale = found[1], MONEY_SCALE[found[2]]
    try:
        amount = Decimal(cleaned) * scale
    except InvalidOperation:
        raise CellError(f"'{raw}' is not an amount of money, like £1,234.50") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise CellError(f"'{raw}' is not an amount of money, like £1,234.50")
    return (-amount if negative else amount).quantize(Decimal("0.01"))


def parse_whole_number(value: Any) -> int:
    raw = text(value)
    if not raw or is_blank_word(raw):
        return 0
    if not re.fullmatch(r"\d{1,4}", raw):
        raise CellError(f"'{raw}' is not a whole number")
    return int(raw)


TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


def parse_yes_no(value: Any) -> bool | None:
    """Yes, No or, for "Unknown", "N/A" and blanks, ``None``."""
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS - {""}:
        return False
    if is_blank_word(raw):
        return None
    raise CellError(f"'{text(value)}' is not Yes or No")


def parse_company_number(value: Any) -> str:
    """A Companies House number of eight characters, its leading zeros restored where a
    spreadsheet dropped them (1234567 is 01234567; SC12345 is SC012345)."""
    raw = text(value).upper().replace(" ", "")
    if not raw or is_blank_word(raw):
        return ""
    found = re.fullmatch(r"([A-Z]{2})?(\d{1,8})", raw)
    if found is None or len(found[2]) > (6 if found[1] else 8):
        raise CellError(
            f"'{text(value)}' is not a Companies House number: 8 characters, like 01234567 "
            "or SC123456"
        )
    prefix = found[1] or ""
    return prefix + found[2].zfill(8 - len(prefix))
