"""Exceptions: raised to the accountable officer by a red return or a poor review, answered with the
provider's explanation and remedial plan, and closed by the accountable officer or the central
team."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceException, PerformanceReview
from performance.services import (
    PerformanceError,
    exception_close,
    exception_record_meeting,
    exception_respond,
    kpi_return_record,
    review_record,
)
from procurement.roles import Role

from .factories import KpiFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)
Status = PerformanceException.Status


@pytest.fixture
def contract():
    return ContractOverFiftyThousandFactory(
        start_date=date(2026, 1, 1), end_date=date(2028, 12, 31)
    )


def record(kpi, start, value):
    return kpi_return_record(
        kpi=kpi,
        period_start=start,
        value=Decimal(value),
        comment="",
        by=kpi.contract.contract_manager,
        today=TODAY,
    )


def test_a_red_return_opens_one_exception_to_the_lead_director(contract):
    kpi = KpiFactory(contract=contract, name="Visits on time")
    _, none = record(kpi, date(2026, 1, 1), "90")  # amber
    _, opened = record(kpi, date(2026, 4, 1), "89.99")  # red
    assert none is None
    assert opened.accountable_officer == contract.lead_director
    assert opened.status == Status.OPEN
    assert opened.reason.startswith(
        "Visits on time was red for 1 April 2026 to 30 June 2026: 89.99 %"
    )
    # A second red return while it is open joins it rather than opening another.
    _, joined = record(kpi, date(2026, 7, 1), "80")
    assert joined is None
    assert PerformanceException.objects.count() == 1


def test_closing_needs_the_remedial_plan_and_a_reason(contract, make_user):
    kpi = KpiFactory(contract=contract)
    _, exception = record(kpi, date(2026, 1, 1), "50")
    director = contract.lead_director
    with pytest.raises(PerformanceError, match="remedial plan before closing"):
        exception_close(exception=exception, closure_note="Fine now", by=director)
    with pytest.raises(ValidationError) as refused:
        exception_respond(
            exception=exception, provider_explanation="", remedial_plan="", by=director
        )
    assert set(refused.value.message_dict) == {"provider_explanation", "remedial_plan"}
    exception_respond(
        exception=exception,
        provider_explanation="Two carers left in January.",
        remedial_plan="Recruit two carers by March; weekly rota checks.",
        by=contract.contract_manager,
    )
    exception_record_meeting(
        exception=exception,
        meeting_date=date(2026, 5, 2),
        attendees="Operations director, Caring Ltd",
        notes="Agreed the plan.",
        by=contract.contract_manager,
    )
    exception.refresh_from_db()
    assert exception.status == Status.PLAN_AGREED
    with pytest.raises(ValidationError):
        exception_close(exception=exception, closure_note=" ", by=director)
    exception_close(exception=exception, closure_note="Back on target", by=director, today=TODAY)
    exception.refresh_from_db()
    assert (exception.status, exception.closed_by, exception.closed_on) == (
        Status.CLOSED,
        director,
        TODAY,
    )
    reasons = [h.history_change_reason for h in exception.history.order_by("history_date")]
    assert reasons == [
        "Exception raised to the accountable officer",
        "Provider's explanation and plan recorded",
        "Provider's attendance recorded",
        "Exception closed",
    ]
    with pytest.raises(PerformanceError, match="closed"):
        exception_respond(
            exception=exception, provider_explanation="x", remedial_plan="y", by=director
        )
    # Once closed, the next red return opens a new exception.
    _, reopened = record(kpi, date(2026, 4, 1), "50")
    assert reopened is not None
    assert reopened.pk != exception.pk


def test_who_may_close_an_exception(contract, make_user):
    kpi = KpiFactory(contract=contract)
    _, exception = record(kpi, date(2026, 1, 1), "50")
    exception_respond(
        exception=exception, provider_explanation="x", remedial_plan="y", by=contract.lead_director
    )
    for outsider in (contract.contract_manager, make_user(Role.EXECUTIVE_DIRECTOR)):
        with pytest.raises(PermissionDenied):
            exception_close(exception=exception, closure_note="Done", by=outsider)
    with pytest.raises(PermissionDenied):
        exception_respond(
            exception=exception,
            provider_explanation="x",
            remedial_plan="y",
            by=make_user(Role.LEAD_MEMBER),
        )
    exception_close(
        exception=exception, closure_note="Done", by=make_user(Role.HEAD_OF_PROCUREMENT)
    )


@pytest.mark.parametrize(
    ("rating", "raises"),
    [
        (PerformanceReview.Rating.GOOD, False),
        (PerformanceReview.Rating.APPROACHING, False),
        (PerformanceReview.Rating.REQUIRES_IMPROVEMENT, True),
        (PerformanceReview.Rating.INADEQUATE, True),
    ],
)
def test_a_poor_review_opens_an_exception(contract, rating, raises):
    review = review_record(
        contract=contract,
        held_on=date(2026, 11, 1),
        rating=rating,
        narrative="Quarterly review with the provider",
        next_review_date=date(2027, 11, 1),
        frequency_months=12,
        by=contract.contract_manager,
        today=TODAY,
    )
    exceptions = list(review.exceptions.all())
    assert bool(exceptions) is raises
    if raises:
        assert exceptions[0].accountable_officer == contract.lead_director
        assert review.get_rating_display() in exceptions[0].reason
