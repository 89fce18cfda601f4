"""Exports of the register: CSV streamed row by row, XLSX written in openpyxl's write-only mode.

The register export uses the import template's headings, so an exported file imports back
unchanged. Cells that a spreadsheet would run as a formula are escaped.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from procurement.downloads import csv_response, safe_cell, xlsx_response

from .importing import TEMPLATE_COLUMNS
from .models import Contract

# The end-date cell of a rolling contract (no end date): the import reads it back as rolling.
ONGOING = "Ongoing"
CHUNK = 2000


def end_date_cell(contract: Contract) -> date | str:
    return ONGOING if contract.end_date is None else contract.end_date


def register_row(contract: Contract) -> list[Any]:
    supplier = contract.supplier
    values = {
        "reference": contract.reference,
        "lot": contract.lot,
        "title": contract.title,
        "description": contract.description,
        "directorate": contract.directorate.name,
        "category": contract.category.name if contract.category else "",
        "supplier_name": supplier.name,
        "supplier_companies_house_number": supplier.companies_house_number,
        "supplier_charity_number": supplier.charity_number,
        "supplier_is_sme": supplier.is_sme,
        "supplier_is_vcse": supplier.is_vcse,
        "contract_manager": contract.contract_manager.email if contract.contract_manager else "",
        "lead_director": contract.lead_director.email if contract.lead_director else "",
        "whole_life_value": contract.whole_life_value,
        "annual_value": contract.annual_value,
        "irrecoverable_vat": contract.irrecoverable_vat,
        "start_date": contract.start_date,
        "end_date": end_date_cell(contract),
        "review_date": contract.review_date,
        "extension_options": contract.extension_options,
        "extension_option_months": contract.extension_option_months,
        "extension_options_value": contract.extension_options_value,
        "procurement_route": contract.get_procurement_route_display(),
        "key_decision_reference": contract.key_decision_reference,
        "risk_rating": contract.get_risk_rating_display(),
    }
    return [values[column.attribute] for column in TEMPLATE_COLUMNS] + [
        Contract.Status(contract.status).label,
        contract.extensions_used,
    ]


REGISTER_HEADINGS = [column.name for column in TEMPLATE_COLUMNS] + ["Status", "Extensions used"]


def _rows(queryset: QuerySet, row) -> Iterator[list[Any]]:
    for contract in queryset.iterator(chunk_size=CHUNK):
        yield [safe_cell(value) for value in row(contract)]


def register_csv(queryset: QuerySet, filename: str):
    return csv_response(REGISTER_HEADINGS, _rows(queryset, register_row), filename)


def register_xlsx(queryset: QuerySet, filename: str):
    return xlsx_response(
        REGISTER_HEADINGS, _rows(queryset, register_row), filename, title="Contract register"
    )


TRANSPARENCY_HEADINGS = [
    "Reference",
    "Lot",
    "Title",
    "Directorate",
    "Description",
    "Supplier name",
    "Supplier registration number",
    "Whole-life value",
    "Annual value",
    "Irrecoverable VAT",
    "Start date",
    "End date",
    "Review date",
    "Procurement route",
    "Quote or published tender",
    "SME",
    "VCSE",
]


def transparency_row(contract: Contract) -> list[Any]:
    """One contract as the Local Government Transparency Code 2015 asks it to be published."""
    supplier = contract.supplier
    route = contract.procurement_route
    how = (
        "Published tender"
        if route == Contract.Route.TENDER
        else "Quote"
        if route == Contract.Route.QUOTE
        else contract.get_procurement_route_display()
    )
    return [
        contract.reference,
        contract.lot,
        contract.title,
        contract.directorate.name,
        contract.description,
        supplier.name,
        supplier.registration,
        contract.whole_life_value,
        contract.annual_value,
        contract.irrecoverable_vat,
        contract.start_date,
        end_date_cell(contract),
        contract.review_date,
        contract.get_procurement_route_display(),
        how,
        supplier.is_sme,
        supplier.is_vcse,
    ]


def transparency_filename(today) -> str:
    return f"contracts-over-5000-{today:%Y-%m-%d}.csv"


def transparency_csv(queryset: QuerySet, filename: str):
    return csv_response(TRANSPARENCY_HEADINGS, _rows(queryset, transparency_row), filename)
