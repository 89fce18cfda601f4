"""Import a measure library from a spreadsheet (CSV or XLSX): check everything, then write all of
it or nothing, as the register import does.

Each row is one measure with its library (name and version), theme and outcome, so one file may
hold several libraries or versions. Libraries are matched by name and version, themes and outcomes
by name within them, measures by code within their library: importing the same file twice changes
nothing. A measure that has been committed against keeps its unit and proxy value: a new year's
values are imported as a new version, so past results are never rewritten.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Q

from procurement.history import save_with_history
from procurement.imports import ImportKind, check_and_import, register, table_begin
from procurement.models import User
from procurement.tabular import (
    CellError,
    Column,
    ImportFileError,
    ImportResult,
    Problem,
    batches,
    parse_money,
    text,
)
from procurement.text import counted

from .models import Measure, MeasureLibrary, Outcome, Theme
from .selectors import measures_in_use

# A library is a few hundred measures; a file far longer than any is a mistake.
MAX_ROWS = 5000

COLUMNS = (
    Column("Library", "library", True, ("library name", "measure library", "framework", "set")),
    Column("Version", "version", True, ("library version", "edition", "release")),
    Column("Year", "year", False, ("first year", "applies from", "financial year")),
    Column("Source", "source", False, ("publisher", "source of values")),
    Column("Licence", "licence", False, ("license", "licence note", "license note", "terms")),
    Column("Theme", "theme", True, ("themes", "theme name", "goal")),
    Column("Outcome", "outcome", True, ("outcomes", "outcome name", "objective")),
    Column("Measure code", "code", True, ("code", "ref", "reference", "measure ref", "measure id")),
    Column("Measure", "description", True, ("measure description", "description", "measure name")),
    Column("Unit", "unit", True, ("units", "unit of measure", "unit of measurement")),
    Column(
        "Proxy value",
        "proxy_value",
        False,
        ("proxy value £", "proxy", "financial proxy", "value per unit", "proxy value per unit"),
    ),
)
COLUMN_NAMES = {column.attribute: column.name for column in COLUMNS}
LIBRARY_DETAILS = ("year", "source", "licence")
MEASURE_DETAILS = ("description", "unit", "proxy_value", "order")


@dataclass
class MeasuresImportResult(ImportResult):
    libraries_created: int = 0
    libraries_updated: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Row:
    number: int
    library: tuple[str, str]
    library_details: dict[str, Any]
    theme: str
    outcome: str
    code: str
    details: dict[str, Any]


def _parse_year(value: Any) -> int | None:
    raw = text(value)
    if not raw:
        return None
    head = raw.split("/")[0].split("-")[0].strip()
    if not (head.isascii() and head.isdigit() and len(head) == 4 and 2000 <= int(head) <= 2100):
        raise CellError(f"'{raw}' is not a year: use the year its values apply from, like 2026")
    return int(head)


def _parse_proxy(value: Any) -> Decimal | None:
    try:
        amount = parse_money(value)
    except CellError:
        raise CellError(
            f"'{text(value)}' is not a proxy value: give the £ a unit is worth, like 14.50, "
            "or leave it blank"
        ) from None
    if amount is not None and amount < 0:
        raise CellError("A proxy value cannot be negative")
    return amount


def _read(rows, result: MeasuresImportResult, progress=None) -> list[Row]:
    """Every row, parsed, with each problem found in a row on its own."""
    parsed: list[Row] = []
    codes: dict[tuple[str, str, str], int] = {}
    libraries: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    orders: dict[tuple[str, str], int] = {}
    for batch in batches(result.layout, rows):
        if progress:
            progress(result.rows, result.layout.estimated_rows)
        for number, cells in batch:
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} measures")
            found: list[Problem] = []

            def problem(attribute: str, message: str, number=number, found=found) -> None:
                found.append(Problem(number, COLUMN_NAMES[attribute], message))

            values = {
                name: text(cells.get(name), lines=name == "description") for name in COLUMN_NAMES
            }
            for attribute in ("library", "version", "theme", "outcome", "code", "description"):
                if not values[attribute]:
                    problem(attribute, f"Enter the {COLUMN_NAMES[attribute].lower()}")
            if not values["unit"]:
                problem("unit", "Enter the unit, like hours, people, weeks or £")
            limits = {"library": 200, "version": 50, "theme": 300, "outcome": 500, "code": 30}
            for attribute, limit in {**limits, "unit": 60, "source": 300, "licence": 500}.items():
                if len(values[attribute]) > limit:
                    problem(attribute, f"Use at most {limit} characters")
            year = proxy = None
            try:
                year = _parse_year(cells.get("year"))
            except CellError as error:
                problem("year", str(error))
            try:
                proxy = _parse_proxy(cells.get("proxy_value"))
            except CellError as error:
                problem("proxy_value", str(error))
            library = (values["library"], values["version"])
            details = {"year": year, "source": values["source"], "licence": values["licence"]}
            first = libraries.setdefault(library, (number, details))
            for name in LIBRARY_DETAILS:
                if first[1][name] != details[name]:
                    problem(
                        name,
                        f"The {COLUMN_NAMES[name].lower()} of {library[0]} ({library[1]}) is "
                        f"different on row {first[0]}: give one value for the whole library",
                    )
            key = (*library, values["code"].upper())
            if values["code"] and key in codes:
                problem(
                    "code",
                    f"'{values['code']}' is also on row {codes[key]}: each measure code appears "
                    "once in a library",
                )
            codes.setdefault(key, number)
            if found:
                result.problems.extend(found)
                continue
            orders[library] = orders.get(library, 0) + 1
            parsed.append(
                Row(
                    number=number,
                    library=library,
                    library_details=details,
                    theme=values["theme"],
                    outcome=values["outcome"],
                    code=values["code"],
                    details={
                        "description": values["description"],
                        "unit": values["unit"],
                        "proxy_value": proxy,
                        "order": orders[library],
                    },
                )
            )
    return parsed


class Plan:
    """What the rows would change, against the libraries as they are."""

    def __init__(self, rows: list[Row], result: MeasuresImportResult) -> None:
        self.rows = rows
        self.result = result
        names = {row.library for row in rows}
        query = Q(pk__in=[])
        for name, version in names:
            query |= Q(name=name, version=version)
        self.libraries = {
            (lib.name, lib.version): lib for lib in MeasureLibrary.objects.filter(query)
        }
        known = list(self.libraries.values())
        self.themes = {(t.library_id, t.name): t for t in Theme.objects.filter(library__in=known)}
        self.outcomes = {
            (o.theme_id, o.name): o for o in Outcome.objects.filter(theme__library__in=known)
        }
        self.measures = {
            (m.library_id, m.code.upper()): m for m in Measure.objects.filter(library__in=known)
        }
        self.in_use = measures_in_use([m.pk for m in self.measures.values()])

    def check(self) -> None:
        """Count what would change, and refuse changes to what has been committed against."""
        for key in {row.library for row in self.rows}:
            library = self.libraries.get(key)
            details = next(r.library_details for r in self.rows if r.library == key)
            if library is None:
                self.result.libraries_created += 1
            elif any(getattr(library, name) != details[name] for name in LIBRARY_DETAILS):
                self.result.libraries_updated += 1
        for row in self.rows:
            measure = self._measure(row)
            if measure is None:
                self.result.created += 1
                continue
            changed = self._changes(row, measure)
            if measure.pk in self.in_use and {"unit", "proxy_value"} & changed:
                self.result.problems.append(
                    Problem(
                        row.number,
                        COLUMN_NAMES["proxy_value" if "proxy_value" in changed else "unit"],
                        f"{measure.code} has commitments made under {row.library[0]} "
                        f"({row.library[1]}), so its unit and proxy value cannot change: import "
                        "the new values as a new version",
                    )
                )
            elif changed:
                self.result.updated += 1
            else:
                self.result.unchanged += 1

    def _measure(self, row: Row) -> Measure | None:
        library = self.libraries.get(row.library)
        return self.measures.get((library.pk, row.code.upper())) if library else None

    def _changes(self, row: Row, measure: Measure) -> set[str]:
        changed = {name for name, value in row.details.items() if getattr(measure, name) != value}
        theme = self.themes.get((measure.library_id, row.theme))
        outcome = self.outcomes.get((theme.pk, row.outcome)) if theme else None
        if outcome is None or outcome.pk != measure.outcome_id:
            changed.add("outcome")
        return changed

    def write(self, *, by: User | None, reason: str) -> None:
        for key in dict.fromkeys(row.library for row in self.rows):
            details = next(r.library_details for r in self.rows if r.library == key)
            library = self.libraries.get(key) or MeasureLibrary(name=key[0], version=key[1])
            if library.pk is None or any(
                getattr(library, name) != details[name] for name in LIBRARY_DETAILS
            ):
                for name in LIBRARY_DETAILS:
                    setattr(library, name, details[name])
                save_with_history(library, by=by, reason=reason)
                self.libraries[key] = library
        for row in self.rows:
            library = self.libraries[row.library]
            theme = self.themes.get((library.pk, row.theme))
            if theme is None:
                order = sum(1 for k in self.themes if k[0] == library.pk) + 1
                theme = save_with_history(
                    Theme(library=library, name=row.theme, order=order), by=by, reason=reason
                )
                self.themes[(library.pk, row.theme)] = theme
            outcome = self.outcomes.get((theme.pk, row.outcome))
            if outcome is None:
                order = sum(1 for k in self.outcomes if k[0] == theme.pk) + 1
                outcome = save_with_history(
                    Outcome(theme=theme, name=row.outcome, order=order), by=by, reason=reason
                )
                self.outcomes[(theme.pk, row.outcome)] = outcome
            measure = self._measure(row) or Measure(library=library, code=row.code)
            if measure.pk and not self._changes(row, measure):
                continue
            for name, value in row.details.items():
                setattr(measure, name, value)
            measure.outcome = outcome
            save_with_history(measure, by=by, reason=reason)


def _run(
    stream: IO[bytes],
    filename: str,
    *,
    by: User | None,
    write: bool,
    reason: str,
    mapping: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MeasuresImportResult:
    result = MeasuresImportResult()
    rows, _ = table_begin(stream, filename, COLUMNS, mapping, result)
    if rows is None:
        return result
    parsed = _read(rows, result, progress)
    if result.rows == 0:
        result.problems.append(
            Problem(result.layout.heading_row + 1, "", "The file has a heading row but no measures")
        )
        return result
    plan = Plan(parsed, result)
    plan.check()
    if write and not result.problems:
        plan.write(by=by, reason=reason)
    return result


# What importing the file would do, and every problem in it (writing nothing); and the
# import: every row, or, if any row has a problem, nothing at all.
measures_import_check, measures_import = check_and_import(
    _run, permission="socialvalue.manage_library"
)


KIND = register(
    ImportKind(
        key="measures",
        noun="measure",
        columns=COLUMNS,
        permission="socialvalue.manage_library",
        check=measures_import_check,
        run=measures_import,
        counts=lambda result: [
            ("Rows read", result.rows),
            ("Rows ready to import", result.ready),
            ("Libraries to add", result.libraries_created),
            ("Libraries to update", result.libraries_updated),
            ("Measures to add", result.created),
            ("Measures to update", result.updated),
            ("Measures unchanged", result.unchanged),
        ],
        done=lambda result: (
            f"{counted(result.libraries_created, 'library', 'libraries')} added; "
            f"{counted(result.created, 'measure')} added, "
            f"{result.updated} updated, {result.unchanged} unchanged"
        ),
    )
)
