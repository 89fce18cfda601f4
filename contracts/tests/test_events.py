"""Variations, extensions and termination are events that never overwrite silently."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import ContractEvent
from contracts.services import (
    ContractError,
    contract_extend,
    contract_terminate,
    contract_update,
    contract_vary,
)
from contracts.tests.factories import ContractFactory, ContractWithOptionsFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)


def test_a_variation_changes_value_and_end_and_is_kept(partner):
    contract = ContractWithOptionsFactory(end_date=date(2028, 3, 31))
    event = contract_vary(
        contract=contract,
        effective_date=date(2026, 6, 1),
        value_change=Decimal("-10000.00"),
        new_end_date=date(2028, 6, 30),
        reason="Reduced service hours",
        approved_by="Fiona MacLeod, ED decision 2026/14",
        by=partner,
    )
    contract.refresh_from_db()
    assert contract.whole_life_value == Decimal("240000.00")
    assert contract.end_date == date(2028, 6, 30)
    assert (event.previous_value, event.new_value) == (Decimal("250000.00"), Decimal("240000.00"))
    assert event.value_change == Decimal("-10000.00")
    assert event.previous_end_date == date(2028, 3, 31)
    assert event.recorded_by == partner
    record = contract.history.latest()
    assert record.history_user == partner
    assert record.history_change_reason == "Variation: Reduced service hours"
    assert record.prev_record.whole_life_value == Decimal("250000.00")


def test_a_variation_that_changes_nothing_is_refused(partner):
    contract = ContractFactory()
    with pytest.raises(ContractError, match="must change the value or the end date"):
        contract_vary(
            contract=contract,
            effective_date=contract.start_date,
            value_change=Decimal("0"),
            new_end_date=None,
            reason="x",
            approved_by="y",
            by=partner,
        )
    assert not ContractEvent.objects.exists()


def test_a_variation_cannot_leave_no_value(partner):
    contract = ContractFactory(whole_life_value=Decimal("40000"))
    with pytest.raises(ContractError, match="no value"):
        contract_vary(
            contract=contract,
            effective_date=contract.start_date,
            value_change=Decimal("-40000"),
            new_end_date=None,
            reason="x",
            approved_by="y",
            by=partner,
        )


def test_over_the_gateway_threshold_an_extension_is_approved_at_gateway_3_only(partner):
    at_threshold = ContractWithOptionsFactory(whole_life_value=Decimal("100000.00"))
    contract_extend(contract=at_threshold, reason="Good", approved_by="Head of service", by=partner)
    over = ContractWithOptionsFactory(whole_life_value=Decimal("100000.01"))
    with pytest.raises(ContractError, match=r"over £100,000\.00 is approved at Gateway 3"):
        contract_extend(contract=over, reason="Good", approved_by="Head of service", by=partner)
    over.refresh_from_db()
    assert (over.extensions_used, over.events.count()) == (0, 0)


def test_extensions_use_options_until_none_remain(partner):
    contract = ContractWithOptionsFactory(
        end_date=date(2027, 3, 31), whole_life_value=Decimal("90000.00")
    )
    first = contract_extend(
        contract=contract, reason="Good performance", approved_by="G3-2026-01", by=partner
    )
    contract.refresh_from_db()
    assert contract.end_date == date(2028, 3, 31)
    assert contract.extensions_used == 1
    assert first.kind == ContractEvent.Kind.EXTENSION
    assert first.new_value == first.previous_value == Decimal("90000.00")
    contract_extend(contract=contract, reason="Second year", approved_by="G3-2027-02", by=partner)
    contract.refresh_from_db()
    assert (contract.end_date, contract.extensions_used) == (date(2029, 3, 31), 2)
    with pytest.raises(ContractError, match="no extension options left"):
        contract_extend(contract=contract, reason="Third", approved_by="x", by=partner)
    contract.refresh_from_db()
    assert contract.extensions_used == 2
    assert contract.events.count() == 2


def test_a_contract_without_options_cannot_be_extended(partner):
    with pytest.raises(ContractError, match="has no extension options"):
        contract_extend(contract=ContractFactory(), reason="x", approved_by="y", by=partner)


def test_termination_records_date_and_reason_and_stops_further_events(partner):
    contract = ContractWithOptionsFactory()
    contract_terminate(
        contract=contract,
        terminated_on=date(2026, 12, 31),
        reason="Provider entered administration",
        approved_by="Executive director, 20/11/2026",
        by=partner,
    )
    contract.refresh_from_db()
    assert contract.terminated_on == date(2026, 12, 31)
    assert contract.termination_reason == "Provider entered administration"
    with pytest.raises(ContractError, match="was terminated on 31 December 2026"):
        contract_extend(contract=contract, reason="x", approved_by="y", by=partner)


def test_reasons_and_approvals_are_required(partner):
    contract = ContractWithOptionsFactory(whole_life_value=Decimal("90000.00"))
    with pytest.raises(ContractError, match="Enter the reason"):
        contract_extend(contract=contract, reason=" ", approved_by="G3", by=partner)
    with pytest.raises(ContractError, match="Enter who approved it"):
        contract_extend(contract=contract, reason="Good", approved_by="", by=partner)
    contract.refresh_from_db()
    assert contract.extensions_used == 0


def test_events_fields_cannot_be_edited_directly(partner):
    contract = ContractWithOptionsFactory()
    with pytest.raises(ContractError, match="recorded as events"):
        contract_update(contract=contract, fields={"extensions_used": 1}, by=partner, reason="x")


def test_an_edit_needs_a_reason_and_is_kept_in_history(partner):
    contract = ContractFactory(title="Old title")
    with pytest.raises(ContractError, match="Say why"):
        contract_update(contract=contract, fields={"title": "New title"}, by=partner, reason="")
    contract_update(contract=contract, fields={"title": "New title"}, by=partner, reason="Typo")
    record = contract.history.latest()
    assert (record.title, record.prev_record.title) == ("New title", "Old title")
    assert (record.history_user, record.history_change_reason) == (partner, "Typo")


def test_the_service_refuses_an_officer_moving_a_contract_to_another_directorate(make_user):
    from django.core.exceptions import PermissionDenied

    from procurement.tests.factories import DirectorateFactory

    mine, theirs = DirectorateFactory(), DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=mine)
    contract = ContractFactory(directorate=mine)
    with pytest.raises(PermissionDenied):
        contract_update(contract=contract, fields={"directorate": theirs}, by=officer, reason="x")
    contract.refresh_from_db()
    assert contract.directorate == mine
