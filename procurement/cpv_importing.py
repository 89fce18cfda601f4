"""Load the CPV 2008 list from the official file, through the shared import
(procurement/imports.py): check everything, then write all of it or nothing.

The EU publishes the list as ``cpv_2008_ver_2013.xlsx``: one sheet, a heading row with "CODE"
and then a column for each language ("BG", "CS", … "EN", …). Only the code and the English
description are read. Codes are matched by their eight digits: loading the list again updates
descriptions and adds codes, each change kept in the code's history. The file is the authority
for check digits (decision record 0054), so a file that gives a loaded code another check digit
is refused rather than followed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import cpv
from .caching import data_changed
from .imports import ImportKind, check_and_import, register, table_begin
from .models import CpvCode, User
from .tabular import (
    Column,
    ImportFileError,
    ImportResult,
    Problem,
    batches,
    text,
)
from .text import counted

PERMISSION = "procurement.load_cpv_codes"
# The CPV 2008 list has about 9,500 codes; a file far longer than it is a mistake.
MAX_ROWS = 20_000
BATCH = 1000

COLUMNS = (
    Column("CODE", "code", True, ("cpv code", "cpv", "code cpv", "cpv 2008 code")),
    Column(
        "EN",
        "description",
        True,
        ("english", "description", "en description", "description en", "english description"),
    ),
)
COLUMN_NAMES = {column.attribute: column.name for column in COLUMNS}


@dataclass
class CpvImportResult(ImportResult):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Row:
    number: int
    code: str
    description: str


class Reader:
    """Every row read and checked, each problem found on its own, against the list as loaded."""

    def __init__(self, result: CpvImportResult) -> None:
        self.result = result
        self.loaded = {code.digits: code for code in CpvCode.objects.all()}
        self.seen: dict[str, int] = {}
        self.rows: list[Row] = []

    def read(self, number: int, cells: dict) -> None:
        found: list[Problem] = []

        def problem(attribute: str, message: str) -> None:
            found.append(Problem(number, COLUMN_NAMES[attribute], message))

        code = self._code(text(cells.get("code")), problem)
        description = text(cells.get("description"))
        if not description:
            problem("description", "Enter the English description of the code")
        if code:
            digits = code[:8]
            if digits in self.seen:
                problem("code", f"{digits} is also on row {self.seen[digits]}")
            self.seen.setdefault(digits, number)
            loaded = self.loaded.get(digits)
            if loaded is not None and loaded.code != code:
                problem(
                    "code",
                    f"{digits} is loaded with the check digit {loaded.code[-1]}, not "
                    f"{code[-1]}: a list cannot change a code's check digit",
                )
        if found:
            self.result.problems.extend(found)
        else:
            self.rows.append(Row(number, code, description))

    @staticmethod
    def _code(raw: str, problem: Callable[[str, str], None]) -> str:
        if not raw:
            problem("code", "Enter the CPV code")
            return ""
        try:
            digits, check = cpv.read(raw)
        except ValidationError as error:
            problem("code", error.messages[0])
            return ""
        if check is None:
            problem("code", f"Give {digits} with its check digit, like {cpv.EXAMPLE}")
            return ""
        return f"{digits}-{check}"

    def plan(self) -> list[CpvCode]:
        """The codes to add or change, counted."""
        changed: list[CpvCode] = []
        for row in self.rows:
            code = self.loaded.get(row.code[:8])
            if code is None:
                self.result.created += 1
                changed.append(CpvCode(code=row.code, description=row.description))
            elif code.description != row.description:
                self.result.updated += 1
                code.description = row.description
                changed.append(code)
            else:
                self.result.unchanged += 1
        return changed


def _run(
    stream: IO[bytes],
    filename: str,
    *,
    by: User | None,
    write: bool,
    reason: str,
    mapping: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CpvImportResult:
    result = CpvImportResult()
    rows, _ = table_begin(stream, filename, COLUMNS, mapping, result)
    if rows is None:
        return result
    reader = Reader(result)
    for batch in batches(result.layout, rows):
        if progress:
            progress(result.rows, result.layout.estimated_rows)
        for number, cells in batch:
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} codes")
            reader.read(number, cells)
    if result.rows == 0:
        result.problems.append(
            Problem(result.layout.heading_row + 1, "", "The file has a heading row but no codes")
        )
        return result
    changed = reader.plan()
    if write and not result.problems:
        _write(changed, by=by, reason=reason)
    return result


def _write(changed: list[CpvCode], *, by: User | None, reason: str) -> None:
    """Written in batches with a history row for each code (who, when, why): one save a code
    took about a minute for the whole list."""
    creates = [code for code in changed if code.pk is None]
    updates = [code for code in changed if code.pk is not None]
    if creates:
        bulk_create_with_history(
            creates, CpvCode, batch_size=BATCH, default_user=by, default_change_reason=reason
        )
    if updates:
        bulk_update_with_history(
            updates,
            CpvCode,
            ["description"],
            batch_size=BATCH,
            default_user=by,
            default_change_reason=reason,
        )
    data_changed()  # bulk writes send no signals


# What loading the file would do, and every problem in it (writing nothing); and the load:
# every row, or, if any row has a problem, nothing at all.
cpv_codes_import_check, cpv_codes_import = check_and_import(_run, permission=PERMISSION)


KIND = register(
    ImportKind(
        key="cpv",
        noun="CPV code",
        columns=COLUMNS,
        permission=PERMISSION,
        check=cpv_codes_import_check,
        run=cpv_codes_import,
        counts=lambda result: [
            ("Rows read", result.rows),
            ("Rows ready to load", result.ready),
            ("Codes to add", result.created),
            ("Descriptions to update", result.updated),
            ("Codes unchanged", result.unchanged),
        ],
        done=lambda result: (
            f"{counted(result.created, 'CPV code')} added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        ),
    )
)
