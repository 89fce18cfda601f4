"""A return waiting for verification is on the home page of whoever is to verify it: the
contract manager, or the central team when the contract manager cannot."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.roles import Role
from socialvalue.services import commitment_add, quarters_open, return_record

from .factories import library, running_contract

pytestmark = pytest.mark.django_db

AWAITING = "Social value returns awaiting your verification"


def recorded(contract, *, by):
    [measure] = library().measures.all()
    commitment = commitment_add(
        contract=contract,
        measure=measure,
        quantity=Decimal("100"),
        target_date=contract.end_date,
        by=by,
    )
    return return_record(
        commitment=commitment,
        period_start=quarters_open(contract, timezone.localdate())[1],
        quantity=Decimal("10"),
        evidence="Signed timesheets",
        by=by,
    )


def awaiting_on_home(client, user) -> tuple[int, list]:
    client.force_login(user)
    items = {i.title: i for i in client.get(reverse("procurement:home")).context["attention_items"]}
    count = items[AWAITING].count if AWAITING in items else 0
    listed = list(client.get(reverse("socialvalue:mine")).context["awaiting"])
    return count, listed


def test_the_contract_manager_verifies_what_someone_else_recorded(client, make_user):
    contract = running_contract()
    made = recorded(contract, by=make_user(Role.HEAD_OF_PROCUREMENT))
    assert awaiting_on_home(client, contract.contract_manager) == (1, [made])
    # Another member of the central team could, but the contract manager is the one asked.
    assert awaiting_on_home(client, make_user(Role.BUSINESS_PARTNER)) == (0, [])


def test_the_central_team_verifies_what_the_contract_manager_recorded(client, make_user):
    contract = running_contract()
    made = recorded(contract, by=contract.contract_manager)
    partner = make_user(Role.BUSINESS_PARTNER)
    assert awaiting_on_home(client, contract.contract_manager) == (0, [])
    assert awaiting_on_home(client, partner) == (1, [made])
    page = client.get(reverse("socialvalue:mine")).content.decode()
    assert reverse("socialvalue:return", args=[contract.pk, made.pk]) in page
    assert partner.has_perm("socialvalue.verify_return", made)
    assert awaiting_on_home(client, make_user(Role.PROCUREMENT_OFFICER)) == (0, [])


def test_the_central_team_verifies_returns_on_a_contract_with_no_manager(client, make_user):
    contract = running_contract(contract_manager=None)
    recorder = make_user(Role.BUSINESS_PARTNER)
    made = recorded(contract, by=recorder)
    # Never their own: the other member of the central team is asked.
    assert awaiting_on_home(client, recorder) == (0, [])
    assert awaiting_on_home(client, make_user(Role.HEAD_OF_PROCUREMENT)) == (1, [made])
