"""An exception's status changes only by its transitions, each refused when its rule is not
met."""

from datetime import date
from decimal import Decimal

import pytest
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceException
from performance.services import exception_respond, kpi_return_record
from procurement.roles import Role

from .factories import KpiFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)
Status = PerformanceException.Status


@pytest.fixture
def exception() -> PerformanceException:
    contract = ContractOverFiftyThousandFactory(
        start_date=date(2026, 1, 1), end_date=date(2028, 12, 31)
    )
    kpi = KpiFactory(contract=contract)
    _, opened = kpi_return_record(
        kpi=kpi,
        period_start=date(2026, 1, 1),
        value=Decimal(50),
        comment="",
        by=contract.contract_manager,
        today=TODAY,
    )
    return opened


def test_the_status_is_never_assigned(exception):
    with pytest.raises(AttributeError):
        exception.status = Status.CLOSED
    exception.refresh_from_db()
    exception.full_clean()
    assert exception.status == Status.OPEN


def test_a_plan_is_agreed_only_with_the_explanation_and_the_plan(exception):
    exception.provider_explanation = "Two carers left."
    assert not can_proceed(exception.agree_plan)
    with pytest.raises(TransitionNotAllowed):
        exception.agree_plan()
    exception.remedial_plan = "Recruit two carers."
    assert can_proceed(exception.agree_plan)


def test_an_exception_closes_only_with_a_plan_and_a_note(exception):
    director = exception.contract.lead_director
    exception.closure_note = "Back on target"
    assert not can_proceed(exception.close)
    with pytest.raises(TransitionNotAllowed):
        exception.close(by=director, on=TODAY)
    responded = exception_respond(
        exception=exception, provider_explanation="x", remedial_plan="y", by=director
    )
    assert not can_proceed(responded.close)  # no closure note yet
    responded.closure_note = "Back on target"
    assert has_transition_perm(responded.close, director)
    responded.close(by=director, on=TODAY)
    assert not can_proceed(responded.agree_plan)


def test_the_transitions_name_who_may_take_them(exception, make_user):
    exception.provider_explanation, exception.remedial_plan = "x", "y"
    manager = exception.contract.contract_manager
    assert has_transition_perm(exception.agree_plan, manager)
    assert has_transition_perm(exception.agree_plan, exception.contract.lead_director)
    assert not has_transition_perm(exception.agree_plan, make_user(Role.AUDITOR))
    exception.closure_note = "Done"
    assert not has_transition_perm(exception.close, manager)
    assert has_transition_perm(exception.close, make_user(Role.BUSINESS_PARTNER))
