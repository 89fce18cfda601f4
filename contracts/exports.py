"""Exports of the register: the CSV streamed and the XLSX written in constant memory, both read
straight from the database as plain values (no model instances, no lookup per row).

The register export uses the import template's headings, so an exported file imports back
unchanged. Cells that a spreadsheet would run as a formula are escaped. An export larger than a
page can write in time is prepared in the background (procurement/exportjobs.py).
"""

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django import forms
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from procurement import copying
from procurement.downloads import csv_response, safe_cell, xlsx_response
from procurement.exportjobs import ExportKind, ExportTable, register
from procurement.models import User
from procurement.query import parsed

from .forms import RegisterFilterForm
from .importing import TEMPLATE_COLUMNS
from .models import Contract
from .selectors import SORTS, contracts_register

# The end-date cell of a rolling contract (no end date): the import reads it back as rolling.
ONGOING = "Ongoing"
# PostgreSQL's TO_CHAR pattern of an ISO 8601 date.
ISO_DATE = "YYYY-MM-DD"
CHUNK = 2000
# Rows above which an export of the register is prepared in the background rather than written
# while the page waits. At 100,000 contracts on PostgreSQL (bench/exports.py, a loaded 2-core
# machine) a CSV was written in about 2 s and an XLSX in 11 s: the page waits about 2 s at most.
STREAM_LIMITS = {"csv": 200000, "xlsx": 20000}

ROUTES = dict(Contract.Route.choices)
RISKS = dict(Contract.Risk.choices)
STATUSES = dict(Contract.Status.choices)


def end_date_cell(end_date: date | None) -> date | str:
    return ONGOING if end_date is None else end_date


class _Label:
    """Show a stored choice as its label."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def __call__(self, value: Any) -> Any:
        return self.labels.get(value, value)


def _label(labels: dict[str, str]) -> _Label:
    return _Label(labels)


# Each register column: the value it is read from, and how that value is shown (None: as it is).
REGISTER_VALUES: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    "reference": ("reference", None),
    "lot": ("lot", None),
    "title": ("title", None),
    "description": ("description", None),
    "directorate": ("directorate__name", None),
    "category": ("category__name", None),
    "supplier_name": ("supplier__name", None),
    "supplier_companies_house_number": ("supplier__companies_house_number", None),
    "supplier_charity_number": ("supplier__charity_number", None),
    "supplier_is_sme": ("supplier__is_sme", None),
    "supplier_is_vcse": ("supplier__is_vcse", None),
    "contract_manager": ("contract_manager__email", None),
    "lead_director": ("lead_director__email", None),
    "whole_life_value": ("whole_life_value", None),
    "annual_value": ("annual_value", None),
    "irrecoverable_vat": ("irrecoverable_vat", None),
    "start_date": ("start_date", None),
    "end_date": ("end_date", end_date_cell),
    "review_date": ("review_date", None),
    "extension_options": ("extension_options", None),
    "extension_option_months": ("extension_option_months", None),
    "extension_options_value": ("extension_options_value", None),
    "procurement_route": ("procurement_route", _label(ROUTES)),
    "key_decision_reference": ("key_decision_reference", None),
    "risk_rating": ("risk_rating", _label(RISKS)),
    "cpv_code": ("cpv_code", None),
}
REGISTER_COLUMNS = [REGISTER_VALUES[column.attribute] for column in TEMPLATE_COLUMNS] + [
    ("status", _label(STATUSES)),
    ("extensions_used", None),
]
REGISTER_HEADINGS = [column.name for column in TEMPLATE_COLUMNS] + ["Status", "Extensions used"]


# The Code's "whether or not the contract was the result of an invitation to quote or a
# published invitation to tender": a framework call-off or a direct award was neither.
INVITATIONS = {
    Contract.Route.QUOTE: "Invitation to quote",
    Contract.Route.TENDER: "Published invitation to tender",
}
NEITHER = "Neither"


def _invitation(route: str) -> str:
    return INVITATIONS.get(route, NEITHER)


def iso_date(day: date | None) -> str:
    """A date as the Transparency CSV writes it: ISO 8601, 2027-03-31."""
    return "" if day is None else day.isoformat()


def iso_end_date(end_date: date | None) -> str:
    return ONGOING if end_date is None else end_date.isoformat()


# The Local Government Transparency Code 2015's columns, in its order, with the route beside the
# Code's own answer. Dates are ISO 8601 (YYYY-MM-DD) throughout (docs/guide.md).
TRANSPARENCY_COLUMNS: list[tuple[str, str, Callable[[Any], Any] | None]] = [
    ("Reference", "reference", None),
    ("Lot", "lot", None),
    ("Title", "title", None),
    ("Directorate", "directorate__name", None),
    ("Description", "description", None),
    ("Supplier name", "supplier__name", None),
    ("Supplier company registration number", "supplier__companies_house_number", None),
    ("Supplier charity registration number", "supplier__charity_number", None),
    ("Whole-life value", "whole_life_value", None),
    ("Annual value", "annual_value", None),
    ("Irrecoverable VAT", "irrecoverable_vat", None),
    ("Start date", "start_date", iso_date),
    ("End date", "end_date", iso_end_date),
    ("Review date", "review_date", iso_date),
    # The import reads the route from the first of these two columns.
    ("Procurement route", "procurement_route", _label(ROUTES)),
    ("Invitation to quote or published invitation to tender", "procurement_route", _invitation),
    ("SME", "supplier__is_sme", None),
    ("VCSE", "supplier__is_vcse", None),
]
TRANSPARENCY_HEADINGS = [heading for heading, _, _ in TRANSPARENCY_COLUMNS]


def table_rows(
    queryset: QuerySet, columns: list[tuple[str, Callable[[Any], Any] | None]]
) -> Iterator[list[Any]]:
    """``columns`` (a value's name and how it is shown) of every contract in ``queryset``, in its
    order: plain values read in chunks (a server-side cursor on PostgreSQL), typed (dates as
    dates, money as decimals) for the writer to show."""
    fields = list(dict.fromkeys(field for field, _ in columns))
    position = {field: index for index, field in enumerate(fields)}
    steps = [(position[field], show) for field, show in columns]
    values = queryset.values_list(*fields)
    for record in values.iterator(chunk_size=CHUNK):
        yield [record[index] if show is None else show(record[index]) for index, show in steps]


def register_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    return table_rows(queryset, REGISTER_COLUMNS)


def transparency_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    columns = [(field, show) for _, field, show in TRANSPARENCY_COLUMNS]
    return table_rows(queryset, columns)


def _sql_shown(queryset: QuerySet, field: str, show) -> Any:
    """The database's own text for a column: what ``show`` and ``safe_cell`` make of it."""
    if show is end_date_cell:
        return Coalesce(copying.sql_date(F(field)), Value(ONGOING), output_field=TextField())
    if show is iso_end_date:
        iso = copying.sql_date(F(field), ISO_DATE)
        return Coalesce(iso, Value(ONGOING), output_field=TextField())
    if show is iso_date:
        return copying.sql_date(F(field), ISO_DATE)
    if isinstance(show, _Label):
        return copying.sql_text(copying.sql_label(F(field), show.labels))
    if show is _invitation:
        invited = [When(**{field: route}, then=Value(said)) for route, said in INVITATIONS.items()]
        return Case(*invited, default=Value(NEITHER), output_field=TextField())
    return copying.sql_cell(F(field), copying.field_of(queryset.model, field))


def _csv(queryset: QuerySet, headings: list[str], columns: list, filename: str):
    """The CSV streamed: on PostgreSQL written by the database (COPY), else row by row here."""
    if not copying.copy_available():
        return csv_response(headings, table_rows(queryset, columns), filename)
    cells = {f"cell_{index}": _sql_shown(queryset, *column) for index, column in enumerate(columns)}
    values = queryset.annotate(**cells).values_list(*cells)
    return copying.copy_csv_response(headings, values, filename)


def register_csv(queryset: QuerySet, filename: str):
    return _csv(queryset, REGISTER_HEADINGS, REGISTER_COLUMNS, filename)


def register_xlsx(queryset: QuerySet, filename: str):
    return xlsx_response(
        REGISTER_HEADINGS, register_rows(queryset), filename, title="Contract register"
    )


def register_order(query: QueryDict) -> tuple[str, bool]:
    """The register's sort and direction as ``query`` asks (the reference, ascending, where it
    asks for none or for one the register does not offer)."""
    sort = parsed(query.get("sort", ""), forms.ChoiceField(choices=[(k, k) for k in SORTS]))
    order = parsed(query.get("order", ""), forms.ChoiceField(choices=[("desc", "desc")]))
    return sort or "reference", order == "desc"


def register_query(form, user: User, query: QueryDict) -> QuerySet:
    """The contracts ``form`` (the internal or the published register's) finds for ``user``,
    sorted as ``query`` asks: one reading serves both registers, their pages and downloads."""
    sort, descending = register_order(query)
    return contracts_register(
        filters=form.filters(user=user),
        today=timezone.localdate(),
        sort=sort,
        descending=descending,
    )


def register_for(user: User, query: QueryDict) -> QuerySet:
    """The register as ``user`` sees it with the register page's search, filters and sorting in
    ``query``: what its export holds, whether written at once or in the background."""
    form = RegisterFilterForm(query or None, today=timezone.localdate())
    return register_query(form, user, query)


REGISTER_EXPORT = register(
    ExportKind(
        key="contracts.register",
        permission="contracts.view_register",
        build=lambda user, query: ExportTable(
            REGISTER_HEADINGS, register_rows(register_for(user, query)), "Contract register"
        ),
        count=lambda user, query: register_for(user, query).count(),
        stream_limit=STREAM_LIMITS,
    )
)


def transparency_filename(today) -> str:
    return f"contracts-over-5000-{today:%Y-%m-%d}.csv"


def transparency_csv(queryset: QuerySet, filename: str):
    columns = [(field, show) for _, field, show in TRANSPARENCY_COLUMNS]
    return _csv(queryset, TRANSPARENCY_HEADINGS, columns, filename)


__all__ = ["safe_cell"]
