"""Suppliers: a duplicate registration number is refused, pointing at the existing supplier."""

import pytest
from django.urls import reverse

from contracts.models import Supplier
from contracts.services import ContractError, supplier_create
from contracts.tests.factories import SupplierFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_duplicate_companies_house_number_points_to_the_existing_supplier(make_user):
    existing = SupplierFactory(name="Acme Care Ltd", companies_house_number="01234567")
    with pytest.raises(ContractError, match="Acme Care Ltd is already registered") as caught:
        supplier_create(
            fields={"name": "ACME Care", "companies_house_number": " 01234567 "},
            by=make_user(Role.PROCUREMENT_OFFICER),
            reason="New supplier",
        )
    assert caught.value.existing == existing
    assert Supplier.objects.count() == 1


def test_duplicate_charity_number_is_refused_on_the_page(client, make_user):
    SupplierFactory(
        name="Northmere Carers Trust", companies_house_number="", charity_number="1123456"
    )
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    response = client.post(
        reverse("contracts:supplier_create"),
        {"name": "Carers Trust", "charity_number": "1123456", "change_reason": "New"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Northmere Carers Trust is already registered with this charity number" in page
    assert "govuk-error-summary" in page
    assert Supplier.objects.count() == 1


def test_a_malformed_companies_house_number_is_refused(make_user):
    with pytest.raises(Exception, match="Companies House number of 8 characters"):
        supplier_create(
            fields={"name": "X", "companies_house_number": "12"},
            by=make_user(Role.PROCUREMENT_OFFICER),
            reason="x",
        )


def test_lead_members_cannot_add_suppliers(client, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    assert client.get(reverse("contracts:supplier_create")).status_code == 403
    assert client.get(reverse("contracts:suppliers")).status_code == 200
