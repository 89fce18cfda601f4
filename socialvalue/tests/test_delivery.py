"""A contract's plan and its delivery returns: £ values with and without proxies and across a
library version change, the pace against target, and verification by the contract manager."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.roles import Role
from socialvalue.models import Commitment, DeliveryReturn, quarter_label, quarter_start
from socialvalue.selectors import contract_plan, plan_summary
from socialvalue.services import (
    SocialValueError,
    commitment_add,
    commitment_change,
    quarters_open,
    return_correct,
    return_query,
    return_record,
    return_verify,
)

from .factories import library, running_contract

pytestmark = pytest.mark.django_db
D = Decimal
Status = DeliveryReturn.Status


@pytest.fixture
def contract():
    return running_contract()


@pytest.fixture
def officer(make_user, contract):
    return make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)


def commit(contract, measure, quantity="100", by=None, target=None):
    return commitment_add(
        contract=contract,
        measure=measure,
        quantity=D(quantity),
        target_date=target or contract.end_date,
        by=by or contract.contract_manager,
    )


def deliver(commitment, quantity, by, quarter=None, **extra):
    return return_record(
        commitment=commitment,
        period_start=quarter or quarters_open(commitment.contract, timezone.localdate())[1],
        quantity=D(quantity),
        evidence="Signed timesheets",
        by=by,
        **extra,
    )


def test_a_value_needs_a_proxy(contract, officer):
    measures = library(measures=[("HRS", "hours", "16.50"), ("ORG", "organisations", None)])
    hours, organisations = measures.measures.order_by("order")
    valued = commit(contract, hours, "200")
    unvalued = commit(contract, organisations, "4")
    return_verify(delivery_return=deliver(valued, "30.5", officer), by=contract.contract_manager)
    return_verify(delivery_return=deliver(unvalued, "1", officer), by=contract.contract_manager)
    by_code = {p.measure.code: p for p in contract_plan(contract, timezone.localdate())}
    assert valued.value == D("3300.00")  # 200 hours at £16.50
    assert by_code["HRS"].delivered_value == D("503.25")  # 30.5 hours at £16.50
    assert unvalued.value is None
    assert by_code["ORG"].delivered_value is None
    summary = plan_summary(list(by_code.values()))
    assert (summary["committed_value"], summary["delivered_value"]) == (D("3300.00"), D("503.25"))


def test_a_new_years_values_never_rewrite_past_results(contract, officer, make_user):
    from socialvalue.importing import measures_import
    from socialvalue.tests.test_import import csv_file, row

    head = make_user(Role.HEAD_OF_PROCUREMENT)
    measures_import(stream=csv_file(row("SK1", "people", "100")), filename="a.csv", by=head,
                    reason="2026/27 values")  # fmt: skip
    old = commit(contract, contract_measure("2026/27"), "10")
    return_verify(delivery_return=deliver(old, "4", officer), by=contract.contract_manager)
    next_year = [cell if cell != "2026/27" else "2027/28" for cell in row("SK1", "people", "125")]
    next_year[2] = "2027"
    measures_import(stream=csv_file(next_year), filename="b.csv", by=head, reason="2027/28")
    other = running_contract()
    new = commit(other, contract_measure("2027/28"), "10")
    return_verify(
        delivery_return=deliver(new, "4", make_user(Role.BUSINESS_PARTNER)),
        by=other.contract_manager,
    )
    [before] = contract_plan(contract, timezone.localdate())
    [after] = contract_plan(other, timezone.localdate())
    assert (before.commitment.value, before.delivered_value) == (D("1000.00"), D("400.00"))
    assert (after.commitment.value, after.delivered_value) == (D("1250.00"), D("500.00"))


def contract_measure(version):
    from socialvalue.models import Measure

    return Measure.objects.get(code="SK1", library__version=version)


def test_the_pace_to_the_target_date_says_whether_a_commitment_is_behind():
    start = date(2026, 4, 1)
    contract = running_contract(start_date=start, end_date=date(2029, 3, 31))
    [measure] = library().measures.all()
    commitment = Commitment(
        contract=contract, measure=measure, quantity=D(100), target_date=date(2027, 4, 1)
    )
    assert commitment.expected_by(start) == 0
    assert commitment.expected_by(date(2026, 9, 30)) == D("49.86")  # 182 of 365 days
    assert commitment.expected_by(date(2027, 6, 1)) == 100
    from socialvalue.selectors import CommitmentPosition

    def status(delivered, on):
        returns = [DeliveryReturn(quantity=D(delivered), status=Status.VERIFIED)]
        return CommitmentPosition(commitment=commitment, returns=returns, today=on).status

    assert status(50, date(2026, 9, 30)) == "on_track"
    assert status(49, date(2026, 9, 30)) == "behind"
    assert status(100, date(2026, 9, 30)) == "delivered"
    assert status(99, date(2027, 4, 2)) == "missed"


def test_a_return_counts_only_once_the_contract_manager_verifies_it(contract, officer):
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    delivery_return = deliver(commitment, "40", officer)
    assert delivery_return.status == Status.AWAITING
    [position] = contract_plan(contract, timezone.localdate())
    assert (position.delivered, position.awaiting) == (0, 40)
    verified = return_verify(delivery_return=delivery_return, by=contract.contract_manager)
    assert (verified.status, verified.checked_by) == (Status.VERIFIED, contract.contract_manager)
    [position] = contract_plan(contract, timezone.localdate())
    assert (position.delivered, position.awaiting, position.percent) == (40, 0, 40)
    assert [h.history_change_reason for h in verified.history.order_by("history_date")] == [
        "Return recorded",
        "Verified",
    ]
    with pytest.raises(SocialValueError, match="This return is verified"):
        return_query(delivery_return=verified, query="Again?", by=contract.contract_manager)


def test_nobody_verifies_a_return_they_recorded(contract, officer, make_user):
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    mine = deliver(commitment, "5", contract.contract_manager)
    with pytest.raises(SocialValueError, match="You recorded this return"):
        return_verify(delivery_return=mine, by=contract.contract_manager)
    # Another officer of the directorate manages the contract but is not its contract manager.
    with pytest.raises(PermissionDenied):
        return_verify(delivery_return=mine, by=officer)
    # The central team checks what the contract manager recorded.
    assert return_verify(delivery_return=mine, by=make_user(Role.BUSINESS_PARTNER)).status == (
        Status.VERIFIED
    )


def test_a_queried_return_is_corrected_and_checked_again(contract, officer):
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    delivery_return = deliver(commitment, "40", officer)
    with pytest.raises(SocialValueError, match="Say what is wrong"):
        return_query(delivery_return=delivery_return, query=" ", by=contract.contract_manager)
    queried = return_query(
        delivery_return=delivery_return,
        query="The timesheets cover 30 hours",
        by=contract.contract_manager,
    )
    assert (queried.status, queried.query) == (Status.QUERIED, "The timesheets cover 30 hours")
    [position] = contract_plan(contract, timezone.localdate())
    assert (position.delivered, position.awaiting, position.queried) == (0, 0, 1)
    corrected = return_correct(
        delivery_return=queried, quantity=D(30), evidence="Timesheets for 30 hours", by=officer
    )
    assert (corrected.status, corrected.quantity, corrected.checked_by) == (
        Status.AWAITING,
        D(30),
        None,
    )
    return_verify(delivery_return=corrected, by=contract.contract_manager)
    [position] = contract_plan(contract, timezone.localdate())
    assert position.delivered == 30
    with pytest.raises(SocialValueError, match="Only a queried return"):
        return_correct(delivery_return=corrected, quantity=D(1), evidence="x", by=officer)


def test_returns_are_for_quarters_of_the_term_that_have_begun(contract, officer):
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    today = timezone.localdate()
    quarters = quarters_open(contract, today)
    assert quarters[0] == quarter_start(today)
    assert quarters[-1] == quarter_start(contract.start_date)
    deliver(commitment, "1", officer, quarter=quarters[2])
    with pytest.raises(SocialValueError, match="is already recorded"):
        deliver(commitment, "2", officer, quarter=quarters[2])
    next_quarter = quarter_start(quarters[0] + timedelta(days=100))
    with pytest.raises(SocialValueError, match="that has begun"):
        deliver(commitment, "1", officer, quarter=next_quarter)
    with pytest.raises(SocialValueError, match="Describe the evidence"):
        return_record(
            commitment=commitment, period_start=quarters[3], quantity=D(1), evidence="", by=officer
        )
    with pytest.raises(SocialValueError, match="0 or more"):
        deliver(commitment, "-1", officer, quarter=quarters[3])
    assert DeliveryReturn.objects.count() == 1


def test_a_return_for_a_quarter_not_yet_ended_is_refused_until_the_day_after(make_user):
    contract = running_contract(start_date=date(2025, 4, 1), end_date=date(2028, 3, 31))
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    quarter = date(2026, 1, 1)  # ends on 31 March 2026
    with pytest.raises(SocialValueError) as refused:
        deliver(commitment, "1", officer, quarter=quarter, today=date(2026, 3, 31))
    assert str(refused.value) == (
        "A return for the quarter ending 31 March 2026 can be recorded from 1 April 2026, "
        "once the quarter has ended."
    )
    assert refused.value.field == "period"
    assert not DeliveryReturn.objects.exists()
    assert deliver(commitment, "1", officer, quarter=quarter, today=date(2026, 4, 1)).pk


def test_quarters_run_april_to_march():
    assert quarter_label(date(2026, 4, 1)) == "Q1 2026/27 (April to June 2026)"
    assert quarter_label(date(2027, 1, 1)) == "Q4 2026/27 (January to March 2027)"
    assert quarter_start(date(2026, 11, 22)) == date(2026, 10, 1)


def test_evidence_documents_are_checked_and_stored(contract, officer):
    [measure] = library().measures.all()
    commitment = commit(contract, measure)
    with pytest.raises(SocialValueError, match="must be one of these types"):
        deliver(commitment, "1", officer, upload=SimpleUploadedFile("run.exe", b"MZ..."))
    assert not DeliveryReturn.objects.exists()
    pdf = SimpleUploadedFile("timesheets.pdf", b"%PDF-1.4 timesheets")
    delivery_return = deliver(commitment, "1", officer, upload=pdf)
    assert delivery_return.attachment_name == "timesheets.pdf"
    with delivery_return.attachment.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 timesheets"


def test_the_plan_is_kept_by_those_who_manage_the_contract(contract, make_user):
    [measure] = library().measures.all()
    with pytest.raises(PermissionDenied):
        commit(contract, measure, by=make_user(Role.PROCUREMENT_OFFICER))
    commitment = commit(contract, measure, by=make_user(Role.HEAD_OF_PROCUREMENT))
    with pytest.raises(SocialValueError, match="already commits to HRS"):
        commit(contract, measure)
    with pytest.raises(SocialValueError, match="on or after the contract's start"):
        commit(running_contract(), measure, target=contract.start_date - timedelta(days=1))
    changed = commitment_change(
        commitment=commitment,
        quantity=D(150),
        target_date=contract.end_date,
        reason="Variation 2 raised the volunteering hours",
        by=contract.contract_manager,
    )
    assert changed.quantity == 150
    old, new = changed.history.order_by("history_date")
    assert (old.quantity, new.quantity) == (100, 150)
    assert new.history_change_reason == "Variation 2 raised the volunteering hours"
