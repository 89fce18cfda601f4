"""Exports stream, escape formulas and import back unchanged; the public register is open."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.exports import TRANSPARENCY_HEADINGS, safe_cell
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
    assert record["Supplier registration number"] == "07654321"
    assert record["Whole-life value"] == "12000.00"
    assert record["Quote or published tender"] == "Published tender"
    assert (record["SME"], record["VCSE"]) == ("Yes", "No")
