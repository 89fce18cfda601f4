"""The exports read plain values straight from the database; what they write is exactly what the
per-contract computation (each contract loaded as a model, its related rows followed) gives, on a
register of varied contracts: blanks, rolling, terminated, every route and risk, formula-looking
and non-ASCII text, commas, quotes and line breaks."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.exports import REGISTER_HEADINGS, TRANSPARENCY_HEADINGS
from contracts.importing import TEMPLATE_COLUMNS, contracts_import
from contracts.models import Contract
from contracts.selectors import RegisterFilters, contracts_published, contracts_register
from contracts.tests.factories import (
    ContractFactory,
    ContractOverFiftyThousandFactory,
    SupplierFactory,
)
from procurement.downloads import csv_lines, safe_cell
from procurement.models import ContractCategory
from procurement.roles import Role

pytestmark = pytest.mark.django_db

TITLES = ["=1+2 cleaning", "+44 helpline", "-minus", "@risk", "Café & Crèche, “north”", 'Say "hi"']
DESCRIPTIONS = ["", "Line one\nline two", "Comma, separated", "\tTabbed", "Ünïcødé ✓"]


def _supplier(number: int):
    kinds = [(True, False), (False, True), (True, True), (False, False)]
    sme, vcse = kinds[number % len(kinds)]
    registration = {"companies_house_number": ""} if number % 5 == 0 else {}
    if number % 5 == 0:
        registration["charity_number"] = f"11{number:05d}"
    return SupplierFactory(
        name=f"=Supplier {number}" if number % 11 == 0 else f"Supplier {number} Ltd",
        is_sme=sme,
        is_vcse=vcse,
        **registration,
    )


def varied_register(size: int, manager) -> None:
    today = timezone.localdate()
    routes, risks = list(Contract.Route), ["", *Contract.Risk]
    category = ContractCategory.objects.order_by("pk").first()
    for number in range(size):
        rolling = number % 7 == 0
        started = today - timedelta(days=30 * (number % 40))
        ContractFactory(
            reference=f"V-{number:04d}",
            lot=f"Lot {number % 3}" if number % 4 == 0 else "",
            title=f"{TITLES[number % len(TITLES)]} {number}",
            description=DESCRIPTIONS[number % len(DESCRIPTIONS)],
            category=None if number % 6 == 0 else category,
            supplier=_supplier(number),
            contract_manager=manager if number % 2 else None,
            whole_life_value=Decimal(3000 + number * 137) + Decimal("0.05"),
            annual_value=None if number % 3 else Decimal(number) + Decimal("0.5"),
            start_date=started,
            end_date=None if rolling else started + timedelta(days=100 + 20 * (number % 50)),
            review_date=today + timedelta(days=90) if rolling or number % 5 == 0 else None,
            procurement_route=routes[number % len(routes)],
            risk_rating=risks[number % len(risks)],
            terminated_on=today - timedelta(days=3) if number % 13 == 0 else None,
            cpv_code="" if number % 2 else "45000000-7",
        )


def register_row(contract: Contract) -> list[Any]:
    """A register row worked out from the contract itself, as the export was first written."""
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
        "end_date": "Ongoing" if contract.end_date is None else contract.end_date,
        "review_date": contract.review_date,
        "extension_options": contract.extension_options,
        "extension_option_months": contract.extension_option_months,
        "extension_options_value": contract.extension_options_value,
        "procurement_route": contract.get_procurement_route_display(),
        "key_decision_reference": contract.key_decision_reference,
        "risk_rating": contract.get_risk_rating_display(),
        "cpv_code": contract.cpv_code,
    }
    return [values[column.attribute] for column in TEMPLATE_COLUMNS] + [
        Contract.Status(contract.status).label,
        contract.extensions_used,
    ]


def transparency_row(contract: Contract) -> list[Any]:
    supplier, route = contract.supplier, contract.procurement_route
    invited = {
        Contract.Route.QUOTE: "Invitation to quote",
        Contract.Route.TENDER: "Published invitation to tender",
    }
    return [
        contract.reference,
        contract.lot,
        contract.title,
        contract.directorate.name,
        contract.description,
        supplier.name,
        supplier.companies_house_number,
        supplier.charity_number,
        contract.whole_life_value,
        contract.annual_value,
        contract.irrecoverable_vat,
        contract.start_date.isoformat(),
        "Ongoing" if contract.end_date is None else contract.end_date.isoformat(),
        contract.review_date.isoformat() if contract.review_date else None,
        contract.get_procurement_route_display(),
        invited.get(route, "Neither"),
        supplier.is_sme,
        supplier.is_vcse,
    ]


def plain_csv(headings: list[str], rows: list[list[Any]]) -> bytes:
    return "".join(csv_lines(headings, rows)).encode()


@pytest.fixture
def register(make_user):
    varied_register(240, make_user(Role.CONTRACT_MANAGER))


def test_the_register_csv_is_exactly_the_per_contract_computation(client, make_user, register):
    client.force_login(make_user(Role.AUDITOR))
    contracts = contracts_register(filters=RegisterFilters(), today=timezone.localdate())
    expected = plain_csv(REGISTER_HEADINGS, [register_row(c) for c in contracts])
    exported = b"".join(client.get(reverse("contracts:export_csv")).streaming_content)
    assert exported == expected
    statuses = {row[-2] for row in csv.reader(io.StringIO(exported.decode("utf-8-sig")))}
    assert {"Terminated", "Active", "Expired"} <= statuses  # the register is varied


def test_the_transparency_csv_is_exactly_the_per_contract_computation(client, register):
    contracts = contracts_published(today=timezone.localdate())
    expected = plain_csv(TRANSPARENCY_HEADINGS, [transparency_row(c) for c in contracts])
    exported = b"".join(client.get(reverse("register:transparency_csv")).streaming_content)
    assert exported == expected


def _typed(value: Any) -> Any:
    """A value as openpyxl reads it back from the export."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a spreadsheet date
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int):
        return value
    return safe_cell(value)


def test_the_xlsx_has_typed_cells_with_the_per_contract_values(client, make_user, register):
    client.force_login(make_user(Role.AUDITOR))
    contracts = contracts_register(filters=RegisterFilters(), today=timezone.localdate())
    expected = [tuple(REGISTER_HEADINGS)] + [
        tuple(_typed(value) for value in register_row(c)) for c in contracts
    ]
    response = client.get(reverse("contracts:export_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True)) == expected
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    money = REGISTER_HEADINGS.index("Whole-life value") + 1
    assert sheet.cell(row=2, column=money).number_format == "£#,##0.00"
    started = REGISTER_HEADINGS.index("Start date") + 1
    assert sheet.cell(row=2, column=started).number_format == "dd/mm/yyyy"
    # Formula-looking text is text, escaped, never a formula.
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=1+2 cleaning 0" in titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_exported_xlsx_imports_back_unchanged(client, make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    ContractOverFiftyThousandFactory.create_batch(
        3, contract_manager=partner, lead_director=partner
    )
    ContractOverFiftyThousandFactory(
        title="=SUM(A1) Café", contract_manager=partner, lead_director=partner
    )
    client.force_login(partner)
    exported = b"".join(client.get(reverse("contracts:export_xlsx")).streaming_content)
    result = contracts_import(
        stream=io.BytesIO(exported), filename="export.xlsx", by=partner, reason="x"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
