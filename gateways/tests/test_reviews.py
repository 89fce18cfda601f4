"""Gateway reviews end to end, and every rule the services enforce."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gateways.models import GatewayReview, StepDecision
from gateways.services import (
    GatewayError,
    current_step,
    review_create,
    review_decide,
    review_submit,
    review_withdraw,
)
from gateways.tests.factories import G1_REPORT, ProjectFactory, TierBProjectFactory, g1_draft
from procurement.models import ApprovalPolicy
from procurement.roles import Role
from procurement.services import approval_policy_copy
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

State = GatewayReview.State
Outcome = StepDecision.Outcome
MEETING = {"meeting_date": date(2026, 11, 20), "minute_reference": "SCCB 2026/11 min 4"}
CONSULTATION = {
    "consulted": "Cllr Adeyemi",
    "consulted_on": date(2026, 11, 18),
    "consultation_notes": "Content to proceed; asked for quarterly updates.",
}


@pytest.fixture
def people(make_user):
    # One directorate: its executive director and lead member decide its procurements.
    directorate = DirectorateFactory()
    return {role: make_user(role, directorate=directorate) for role in Role} | {
        "second_partner": make_user(Role.BUSINESS_PARTNER),
        "partner_and_board": make_user(Role.BUSINESS_PARTNER, Role.OFFICER_BOARD_MEMBER),
    }


def submitted(project, people, stage="G1"):
    author = people[Role.PROCUREMENT_OFFICER]
    project.directorate = author.directorate
    project.save()
    review = review_create(
        author=author, stage=stage, summary="Strategy", project=project, report=G1_REPORT
    )
    return review_submit(review=review, by=author)


def test_tier_a_business_partner_then_executive_director(people):
    review = submitted(ProjectFactory(estimated_value=Decimal("100000.01")), people)
    assert (review.state, review.tier_code, review.round) == (State.IN_REVIEW, "A", 1)
    assert [s.name for s in review.steps.all()] == [
        "Business partner or head of procurement review",
        "Executive director sign-off in consultation with the lead member",
    ]
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    with pytest.raises(GatewayError, match="Record the consultation with the lead member"):
        review_decide(review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    review.refresh_from_db()
    assert review.state == State.APPROVED
    assert review.decided_at is not None
    assert current_step(review) is None
    decision = StepDecision.objects.get(decided_by=people[Role.EXECUTIVE_DIRECTOR])
    assert (decision.role, decision.consulted) == ("Executive director", "Cllr Adeyemi")


def test_tier_b_check_consultees_board_then_lead_member(people):
    review = submitted(TierBProjectFactory(estimated_value=Decimal("1500000.01")), people)
    assert review.tier_code == "B"
    review_decide(review=review, by=people[Role.HEAD_OF_PROCUREMENT], outcome=Outcome.APPROVED)
    with pytest.raises(GatewayError, match="You cannot act at this step"):
        review_decide(
            review=review,
            by=people[Role.OFFICER_BOARD_MEMBER],
            outcome=Outcome.RECOMMENDED,
            **MEETING,
        )
    for consultee in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE):
        review_decide(
            review=review, by=people[consultee], outcome=Outcome.COMMENTED, reasons="No concerns"
        )
        assert current_step(review).kind == "consultation"
    review_decide(
        review=review,
        by=people[Role.CONSULTEE_COMMUNICATIONS],
        outcome=Outcome.COMMENTED,
        reasons="Press release needed",
    )
    with pytest.raises(GatewayError, match="meeting's date and the minute reference"):
        review_decide(
            review=review, by=people[Role.OFFICER_BOARD_MEMBER], outcome=Outcome.RECOMMENDED
        )
    review_decide(
        review=review, by=people[Role.OFFICER_BOARD_MEMBER], outcome=Outcome.RECOMMENDED, **MEETING
    )
    with pytest.raises(GatewayError, match="key-decision reference"):
        review_decide(review=review, by=people[Role.LEAD_MEMBER], outcome=Outcome.APPROVED)
    review_decide(
        review=review,
        by=people[Role.LEAD_MEMBER],
        outcome=Outcome.APPROVED,
        key_decision_reference="KD-2026-031",
    )
    review.refresh_from_db()
    assert review.state == State.APPROVED
    assert review.history.latest().history_change_reason == "Approved"


def test_the_author_can_never_approve(people, make_user):
    author = make_user(Role.PROCUREMENT_OFFICER, Role.BUSINESS_PARTNER)
    review = review_create(
        author=author, stage="G1", summary="x", project=ProjectFactory(), report=G1_REPORT
    )
    review_submit(review=review, by=author)
    with pytest.raises(GatewayError, match="You wrote this report"):
        review_decide(review=review, by=author, outcome=Outcome.APPROVED)


def test_nobody_acts_at_two_steps_or_twice_at_one(people):
    review = submitted(TierBProjectFactory(), people)
    both = people["partner_and_board"]
    review_decide(review=review, by=both, outcome=Outcome.APPROVED)
    for consultee in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(
            review=review, by=people[consultee], outcome=Outcome.COMMENTED, reasons="Fine"
        )
    with pytest.raises(GatewayError, match="already acted on this report at another step"):
        review_decide(review=review, by=both, outcome=Outcome.RECOMMENDED, **MEETING)


def test_a_consultee_comments_once(people):
    review = submitted(TierBProjectFactory(), people)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    legal = people[Role.CONSULTEE_LEGAL]
    review_decide(review=review, by=legal, outcome=Outcome.COMMENTED, reasons="Fine")
    with pytest.raises(GatewayError, match="already acted at this step"):
        review_decide(review=review, by=legal, outcome=Outcome.COMMENTED, reasons="Again")


def test_return_needs_reasons_and_the_author_resubmits_on_the_same_route(people):
    review = submitted(ProjectFactory(), people)
    partner = people[Role.BUSINESS_PARTNER]
    with pytest.raises(GatewayError, match="Give your reasons"):
        review_decide(review=review, by=partner, outcome=Outcome.RETURNED)
    review_decide(
        review=review, by=partner, outcome=Outcome.RETURNED, reasons="Add the risk register"
    )
    review.refresh_from_db()
    assert review.state == State.RETURNED
    with pytest.raises(
        GatewayError, match="not waiting for a decision: it is returned for changes"
    ):
        review_decide(review=review, by=people["second_partner"], outcome=Outcome.APPROVED)
    review_submit(review=review, by=people[Role.PROCUREMENT_OFFICER])
    review.refresh_from_db()
    assert (review.state, review.round, review.steps.count()) == (State.IN_REVIEW, 2, 2)
    assert current_step(review).order == 1
    # In the new round, the same business partner checks it again.
    review_decide(review=review, by=partner, outcome=Outcome.APPROVED)
    assert current_step(review).order == 2


def test_rejection_is_final(people):
    review = submitted(ProjectFactory(), people)
    review_decide(
        review=review,
        by=people[Role.BUSINESS_PARTNER],
        outcome=Outcome.REJECTED,
        reasons="No budget",
    )
    review.refresh_from_db()
    assert review.state == State.REJECTED
    with pytest.raises(GatewayError, match="cannot be submitted"):
        review_submit(review=review, by=people[Role.PROCUREMENT_OFFICER])


def test_tier_a_referred_to_the_officer_board_follows_tier_b(people):
    review = submitted(ProjectFactory(), people)
    review_decide(
        review=review,
        by=people[Role.BUSINESS_PARTNER],
        outcome=Outcome.REFERRED,
        reasons="Politically sensitive",
    )
    review.refresh_from_db()
    assert review.tier_code == "B"
    active = [s.name for s in review.steps.filter(is_active=True)]
    assert active == [
        "Business partner or head of procurement review",
        "Comments from the statutory consultees",
        "Officer Board review and recommendation",
        "Lead member or Leadership Team decision",
    ]
    assert current_step(review).kind == "consultation"


def test_only_the_author_withdraws_with_a_reason(people):
    review = submitted(ProjectFactory(), people)
    with pytest.raises(GatewayError, match="Only the report's author"):
        review_withdraw(review=review, by=people[Role.BUSINESS_PARTNER], reason="x")
    with pytest.raises(GatewayError, match="Say why"):
        review_withdraw(review=review, by=people[Role.PROCUREMENT_OFFICER], reason="")
    review_withdraw(review=review, by=people[Role.PROCUREMENT_OFFICER], reason="Need has gone")
    review.refresh_from_db()
    assert review.state == State.WITHDRAWN


def test_only_the_author_submits_and_only_when_a_gateway_is_required(people):
    author = people[Role.PROCUREMENT_OFFICER]
    small = review_create(
        author=author,
        stage="G1",
        summary="x",
        project=ProjectFactory(estimated_value=Decimal("100000"), directorate=author.directorate),
        report=G1_REPORT,
    )
    with pytest.raises(GatewayError, match="no gateway is required"):
        review_submit(review=small, by=author)
    review = g1_draft(author)
    with pytest.raises(GatewayError, match="Only the report's author"):
        review_submit(review=review, by=people[Role.BUSINESS_PARTNER])


def test_a_policy_change_after_submission_does_not_reroute(people):
    review = submitted(ProjectFactory(estimated_value=Decimal("1000000")), people)
    old = ApprovalPolicy.objects.get()
    tomorrow = timezone.localdate() + timedelta(days=1)
    new = approval_policy_copy(
        policy=old,
        name="Lower tier B",
        effective_from=tomorrow,
        by=people[Role.ADMINISTRATOR],
        reason="x",
    )
    tier_a, tier_b = new.tiers.all()
    tier_a.value_up_to = Decimal("750000")
    tier_a.save()
    tier_b.value_above = Decimal("750000")
    tier_b.save()
    review.refresh_from_db()
    assert (review.policy, review.tier_code, review.steps.count()) == (old, "A", 2)
    # A report first submitted once the new policy is in force takes the new route.
    later = review_create(
        author=people[Role.PROCUREMENT_OFFICER],
        stage="G1",
        summary="x",
        project=ProjectFactory(
            estimated_value=Decimal("1000000"),
            directorate=people[Role.PROCUREMENT_OFFICER].directorate,
        ),
        report=G1_REPORT,
    )
    review_submit(review=later, by=people[Role.PROCUREMENT_OFFICER], today=tomorrow)
    later.refresh_from_db()
    assert (later.policy, later.tier_code) == (new, "B")


def test_only_people_who_may_plan_the_project_start_its_reports(people, make_user):
    from django.core.exceptions import PermissionDenied

    project = ProjectFactory()
    with pytest.raises(PermissionDenied):
        review_create(
            author=people[Role.LEAD_MEMBER],
            stage="G1",
            summary="x",
            project=project,
            report=G1_REPORT,
        )
    with pytest.raises(PermissionDenied):
        review_create(
            author=make_user(Role.PROCUREMENT_OFFICER),
            stage="G1",
            summary="x",
            project=project,
            report=G1_REPORT,
        )
    review_create(
        author=people[Role.BUSINESS_PARTNER],
        stage="G1",
        summary="x",
        project=project,
        report=G1_REPORT,
    )
    with pytest.raises(GatewayError, match="already open"):
        review_create(
            author=people[Role.BUSINESS_PARTNER],
            stage="G1",
            summary="y",
            project=project,
            report=G1_REPORT,
        )


def test_an_approved_gateway_3_extension_uses_an_option(people):
    from contracts.models import ContractEvent
    from contracts.tests.factories import ContractWithOptionsFactory

    partner = people[Role.BUSINESS_PARTNER]
    contract = ContractWithOptionsFactory(
        end_date=date(2027, 3, 31), directorate=partner.directorate
    )
    review = review_create(
        author=partner,
        stage="G3",
        summary="Good performance; extend",
        contract=contract,
        is_extension=True,
        report=EVIDENCE,
    )
    review_submit(review=review, by=partner)
    review.refresh_from_db()
    assert review.tier_code == "A"
    review_decide(review=review, by=people[Role.HEAD_OF_PROCUREMENT], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    contract.refresh_from_db()
    assert (contract.extensions_used, contract.end_date) == (1, date(2028, 3, 31))
    event = ContractEvent.objects.get()
    assert event.approved_by.startswith("Gateway 3 approval by")
    assert event.recorded_by == people[Role.EXECUTIVE_DIRECTOR]


EVIDENCE = {
    "extension_allowed_evidence": "Clause 4.2: two options of 12 months, within the value",
    "savings_evidence": "Rates held at 2025 prices",
    "added_social_value": "Two more apprenticeships in the extension year",
    "performance_evidence": "All KPIs green for 8 quarters",
}


def test_a_gateway_3_extension_shows_the_four_tests_or_an_exception(people):
    from contracts.tests.factories import ContractWithOptionsFactory

    partner = people[Role.BUSINESS_PARTNER]
    partial = {k: v for k, v in EVIDENCE.items() if k != "added_social_value"}
    review = review_create(
        author=partner,
        stage="G3",
        summary="Extend",
        contract=ContractWithOptionsFactory(),
        is_extension=True,
        report=partial,
    )
    with pytest.raises(
        GatewayError,
        match="Missing: the ability to increase social value benefit through the extension period",
    ):
        review_submit(review=review, by=partner)
    excepted = review_create(
        author=partner,
        stage="G3",
        summary="Extend",
        contract=ContractWithOptionsFactory(),
        is_extension=True,
        report={**partial, "exception_justification": "Market has no other provider this year"},
    )
    review_submit(review=excepted, by=partner)
    with pytest.raises(GatewayError, match="not parts of a gateway report: colour"):
        review_create(
            author=partner,
            stage="G3",
            summary="x",
            contract=ContractWithOptionsFactory(),
            report={"colour": 1},
        )


def test_a_gateway_3_extension_needs_an_option_left(people):
    from contracts.tests.factories import ContractOverFiftyThousandFactory

    partner = people[Role.BUSINESS_PARTNER]
    review = review_create(
        author=partner,
        stage="G3",
        summary="Extend",
        contract=ContractOverFiftyThousandFactory(),
        is_extension=True,
    )
    with pytest.raises(GatewayError, match="no extension options left"):
        review_submit(review=review, by=partner)


def g2_report(people):
    from contracts.tests.factories import SupplierFactory

    return {
        "tender_outcome": "Four bids; Caring Ltd ranked first on 82.5",
        "recommended_supplier": SupplierFactory(name="Caring Ltd"),
        "award_value": Decimal("480000.00"),
        "contract_start": date(2027, 4, 1),
        "contract_end": date(2030, 3, 31),
        "contract_lead_director": people[Role.EXECUTIVE_DIRECTOR],
    }


def test_an_approved_gateway_2_puts_the_contract_on_the_register(people):
    from contracts.models import Contract

    author = people[Role.PROCUREMENT_OFFICER]
    project = ProjectFactory(reference="PP-2026-007", directorate=author.directorate)
    review = review_create(
        author=author, stage="G2", summary="Award", project=project, report=g2_report(people)
    )
    review_submit(review=review, by=author)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    contract = Contract.objects.get(reference="PP-2026-007")
    assert (contract.supplier.name, contract.whole_life_value) == (
        "Caring Ltd",
        Decimal("480000.00"),
    )
    assert (contract.start_date, contract.end_date) == (date(2027, 4, 1), date(2030, 3, 31))
    assert contract.contract_manager == project.lead_officer
    assert contract.lead_director == people[Role.EXECUTIVE_DIRECTOR]
    record = contract.history.get()
    assert record.history_user == people[Role.EXECUTIVE_DIRECTOR]
    assert record.history_change_reason.startswith("Awarded: Gateway 2 approved by")


def test_a_gateway_2_that_cannot_reach_the_register_is_not_approved(people):
    from contracts.models import Contract
    from contracts.tests.factories import ContractFactory

    author = people[Role.PROCUREMENT_OFFICER]
    ContractFactory(reference="PP-2026-008")
    project = ProjectFactory(reference="PP-2026-008", directorate=author.directorate)
    review = review_create(
        author=author, stage="G2", summary="Award", project=project, report=g2_report(people)
    )
    review_submit(review=review, by=author)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    with pytest.raises(GatewayError, match="cannot be put on the register"):
        review_decide(
            review=review,
            by=people[Role.EXECUTIVE_DIRECTOR],
            outcome=Outcome.APPROVED,
            **CONSULTATION,
        )
    review.refresh_from_db()
    assert review.state == State.IN_REVIEW
    assert Contract.objects.count() == 1
