"""Exports stream, escape formulas and import back unchanged; the public register is open."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.exports import TRANSPARENCY_HEADINGS, safe_cell, transparency_rows
from contracts.importing import contracts_import
from contracts.models import Contract
from contracts.tests.factories import (
    ContractFactory,
    ContractOverFiftyThousandFactory,
    SupplierFactory,
)
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM", "'@SUM"),
        ("Plain", "Plain"),
    ],
)
def test_cells_that_would_run_as_formulas_are_escaped(value, expected):
    assert safe_cell(value) == expected


def test_the_register_export_follows_the_filters(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory(title="=2+3 Home care")
    ContractFactory(title="Stationery")
    rows = read_csv(client.get(f"{reverse('contracts:export_csv')}?q=home"))
    assert len(rows) == 2
    assert rows[1][rows[0].index("Title")] == "'=2+3 Home care"


def test_an_exported_register_imports_back_unchanged(client, make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    ContractOverFiftyThousandFactory.create_batch(
        3, contract_manager=partner, lead_director=partner
    )
    client.force_login(partner)
    exported = b"".join(client.get(reverse("contracts:export_csv")).streaming_content)
    result = contracts_import(
        stream=io.BytesIO(exported), filename="export.csv", by=partner, reason="x"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


def test_the_xlsx_export_opens_with_every_row(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory.create_batch(3)
    response = client.get(reverse("contracts:export_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(workbook.active.iter_rows(values_only=True))) == 4


def test_the_public_register_needs_no_sign_in_and_shows_contracts_over_5000(client):
    ContractFactory(title="Big enough", whole_life_value=Decimal("5000.01"))
    ContractFactory(title="Too small", whole_life_value=Decimal("5000.00"))
    page = client.get(reverse("register:public")).content.decode()
    assert "Big enough" in page
    assert "Too small" not in page


def test_the_transparency_csv_has_the_code_s_columns(client):
    supplier = SupplierFactory(name="Green Ltd", companies_house_number="07654321", is_sme=True)
    ContractFactory(
        reference="T-1",
        supplier=supplier,
        whole_life_value=Decimal("12000.00"),
        procurement_route=Contract.Route.TENDER,
    )
    rows = read_csv(client.get(reverse("register:transparency_csv")))
    assert rows[0] == TRANSPARENCY_HEADINGS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Reference"] == "T-1"
    assert record["Supplier company registration number"] == "07654321"
    assert record["Supplier charity registration number"] == ""
    assert record["Whole-life value"] == "12000.00"
    assert record["Procurement route"] == "Published tender"
    assert record[INVITED] == "Published invitation to tender"
    assert (record["SME"], record["VCSE"]) == ("Yes", "No")


INVITED = "Invitation to quote or published invitation to tender"


@pytest.mark.parametrize(
    ("route", "label", "invited"),
    [
        (Contract.Route.QUOTE, "Quotation", "Invitation to quote"),
        (Contract.Route.TENDER, "Published tender", "Published invitation to tender"),
        (Contract.Route.FRAMEWORK, "Framework call-off", "Neither"),
        (Contract.Route.DIRECT_AWARD, "Direct award", "Neither"),
    ],
)
def test_the_transparency_csv_says_the_code_s_invitation_beside_the_route(
    client, route, label, invited
):
    ContractFactory(reference="R-1", procurement_route=route, whole_life_value=Decimal("9000"))
    rows = read_csv(client.get(reverse("register:transparency_csv")))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["Procurement route"], record[INVITED]) == (label, invited)
    assert "Quote or published tender" not in rows[0]
    assert rows[0][rows[0].index("Procurement route") + 1] == INVITED
    [shown] = transparency_rows(Contract.objects.all())  # as written without the database's COPY
    assert dict(zip(TRANSPARENCY_HEADINGS, shown, strict=True))[INVITED] == invited


def test_a_charity_that_is_also_a_company_shows_both_numbers_and_dates_are_iso(client):
    supplier = SupplierFactory(
        name="Northmere Care Trust", companies_house_number="04111222", charity_number="1099887"
    )
    ContractFactory(
        reference="C-1",
        supplier=supplier,
        whole_life_value=Decimal("80000.00"),
        start_date=date(2026, 4, 1),
        end_date=date(2028, 3, 31),
        review_date=date(2027, 9, 30),
    )
    expected = {
        "Supplier company registration number": "04111222",
        "Supplier charity registration number": "1099887",
        "Start date": "2026-04-01",
        "End date": "2028-03-31",
        "Review date": "2027-09-30",
    }
    rows = read_csv(client.get(reverse("register:transparency_csv")))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert {heading: record[heading] for heading in expected} == expected
    [shown] = transparency_rows(Contract.objects.all())  # as written without the database's COPY
    record = dict(zip(TRANSPARENCY_HEADINGS, [safe_cell(cell) for cell in shown], strict=True))
    assert {heading: record[heading] for heading in expected} == expected
