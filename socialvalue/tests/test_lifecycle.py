"""A delivery return's status changes only by its transitions, each refused when its rule is
not met."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from procurement.roles import Role
from socialvalue.models import DeliveryReturn
from socialvalue.services import commitment_add, quarters_open, return_query, return_record

from .factories import library, running_contract

pytestmark = pytest.mark.django_db
Status = DeliveryReturn.Status


@pytest.fixture
def contract():
    return running_contract()


@pytest.fixture
def officer(make_user, contract):
    return make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)


@pytest.fixture
def awaiting(contract, officer) -> DeliveryReturn:
    [measure] = library().measures.all()
    commitment = commitment_add(
        contract=contract,
        measure=measure,
        quantity=Decimal(100),
        target_date=contract.end_date,
        by=contract.contract_manager,
    )
    return return_record(
        commitment=commitment,
        period_start=quarters_open(contract, timezone.localdate())[1],
        quantity=Decimal(40),
        evidence="Signed timesheets",
        by=officer,
    )


def test_the_status_is_never_assigned(awaiting):
    with pytest.raises(AttributeError):
        awaiting.status = Status.VERIFIED
    awaiting.refresh_from_db()
    awaiting.full_clean()
    assert awaiting.status == Status.AWAITING


def test_a_return_is_verified_only_with_its_evidence(awaiting, contract):
    assert has_transition_perm(awaiting.verify, contract.contract_manager)
    awaiting.evidence = " "
    assert not can_proceed(awaiting.verify)
    with pytest.raises(TransitionNotAllowed):
        awaiting.verify(by=contract.contract_manager)


def test_a_return_is_queried_only_saying_why(awaiting, contract):
    assert not can_proceed(awaiting.question)
    with pytest.raises(TransitionNotAllowed):
        awaiting.question(by=contract.contract_manager)
    awaiting.query = "The timesheets cover 30 hours"
    assert can_proceed(awaiting.question)


def test_only_a_queried_return_with_evidence_is_corrected(awaiting, contract, officer):
    assert not can_proceed(awaiting.correct)
    queried = return_query(
        delivery_return=awaiting, query="Which weeks?", by=contract.contract_manager
    )
    assert has_transition_perm(queried.correct, officer)
    queried.evidence = ""
    with pytest.raises(TransitionNotAllowed):
        queried.correct(by=officer)


def test_its_recorder_may_not_check_it(contract, make_user):
    """Held on the return itself: the central team checks returns, but not one of its own."""
    partner = make_user(Role.BUSINESS_PARTNER)
    [measure] = library().measures.all()
    commitment = commitment_add(
        contract=contract,
        measure=measure,
        quantity=Decimal(100),
        target_date=contract.end_date,
        by=contract.contract_manager,
    )
    theirs = return_record(
        commitment=commitment,
        period_start=quarters_open(contract, timezone.localdate())[1],
        quantity=Decimal(5),
        evidence="Invoices",
        by=partner,
    )
    assert not has_transition_perm(theirs.verify, partner)
    assert has_transition_perm(theirs.verify, make_user(Role.BUSINESS_PARTNER))
    assert has_transition_perm(theirs.verify, contract.contract_manager)
