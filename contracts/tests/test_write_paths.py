"""Every way into the register obeys one rule: a change needs permission on the contract as it
stands and as it would become (the import's own tests are in ``test_import``)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Contract
from contracts.services import contract_create, contract_update
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.PROCUREMENT_OFFICER, directorate=DirectorateFactory(name="Parks"))


@pytest.fixture
def theirs():
    return ContractFactory(reference="ASC-1", directorate=DirectorateFactory(name="Adult care"))


def test_an_officer_cannot_take_another_directorates_contract(officer, theirs):
    with pytest.raises(PermissionDenied, match="You cannot change contract ASC-1: it belongs to"):
        contract_update(
            contract=theirs,
            fields={"directorate": officer.directorate, "title": "Ours now"},
            by=officer,
            reason="Ours",
        )
    theirs.refresh_from_db()
    assert theirs.directorate.name == "Adult care"
    assert theirs.history.count() == 1


def test_an_officer_cannot_move_their_contract_away(officer, theirs):
    mine = ContractFactory(reference="PK-1", directorate=officer.directorate)
    with pytest.raises(PermissionDenied, match="You cannot move contract PK-1 to Adult care"):
        contract_update(
            contract=mine, fields={"directorate": theirs.directorate}, by=officer, reason="Move"
        )
    mine.refresh_from_db()
    assert mine.directorate == officer.directorate


def test_an_officer_cannot_add_a_contract_to_another_directorate(officer, theirs):
    today = timezone.localdate()
    fields = {
        "reference": "ASC-2",
        "title": "Day care",
        "directorate": theirs.directorate,
        "supplier": SupplierFactory(),
        "whole_life_value": "1000.00",
        "start_date": today,
        "end_date": today + timedelta(days=365),
        "procurement_route": Contract.Route.QUOTE,
    }
    with pytest.raises(PermissionDenied, match="You cannot add contract ASC-2 to Adult care"):
        contract_create(fields=fields, by=officer, reason="New")
    assert not Contract.objects.filter(reference="ASC-2").exists()


def test_the_api_writes_nothing_to_the_register(officer, theirs):
    _, key = api_token_create(
        user=officer,
        name="Finance system",
        expires_on=timezone.localdate() + timedelta(days=30),
        by=officer,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/v1/contracts/{theirs.pk}/"
    move = {"directorate": officer.directorate.name, "title": "Ours now"}
    for response in (
        client.patch(url, move, format="json"),
        client.put(url, move, format="json"),
        client.delete(url),
        client.post("/api/v1/contracts/", move | {"reference": "PK-9"}, format="json"),
    ):
        assert response.status_code == 405
        assert "not allowed" in response.json()["detail"]
    theirs.refresh_from_db()
    assert (theirs.title, theirs.directorate.name) == (theirs.title, "Adult care")
    assert theirs.history.count() == 1
    assert not Contract.objects.filter(reference="PK-9").exists()
