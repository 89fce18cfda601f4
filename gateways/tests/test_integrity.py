"""The approval controls as an auditor tries to get round them: the route follows the value
decided, each step's role acts in its scope, a delegation hands over only the roles it names,
a route without competition needs an accepted exception, and the key decision of record is the
one recorded at the decision. Through the services, the pages and the API alike."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.importing import contracts_import
from contracts.models import Contract
from contracts.services import contract_vary
from contracts.tests.factories import ContractWithOptionsFactory, SupplierFactory
from gateways.models import GatewayReview, StepDecision
from gateways.notifications import step_recipients
from gateways.selectors import reviews_awaiting, reviews_stuck, reviews_with_my_delegate
from gateways.services import (
    GatewayError,
    NotYourDecision,
    current_step,
    delegation_create,
    project_update,
    review_create,
    review_decide,
    review_submit,
    review_update_report,
)
from gateways.tests.factories import (
    CONSULTATION,
    CONSULTATION_FORM,
    G1_REPORT,
    ProjectFactory,
    TierBProjectFactory,
    decide_on_the_page,
)
from procurement.models import ApprovalPolicy
from procurement.roles import Role
from procurement.services import user_set_portfolio
from procurement.tests.factories import DirectorateFactory
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db

State = GatewayReview.State
Outcome = StepDecision.Outcome
TODAY = timezone.localdate()
MEETING = {"meeting_date": date(2026, 11, 20), "minute_reference": "LT 2026/11 min 7"}


@pytest.fixture
def council(make_user):
    """Two directorates, each with its executive director; a lead member for each portfolio;
    the central team, the consultees, the board and the Leadership Team."""
    adults, housing = (
        DirectorateFactory(name="Adult Social Care"),
        DirectorateFactory(name="Housing"),
    )
    people = {
        "officer": make_user(Role.PROCUREMENT_OFFICER, directorate=adults),
        "partner": make_user(Role.BUSINESS_PARTNER),
        "head": make_user(Role.HEAD_OF_PROCUREMENT),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=adults),
        "housing_director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=housing),
        "member": make_user(Role.LEAD_MEMBER, first_name="Ruth", last_name="Adeyemi"),
        "housing_member": make_user(Role.LEAD_MEMBER),
        "deputy": make_user(
            Role.LEAD_MEMBER, Role.OFFICER_BOARD_MEMBER, first_name="Sam", last_name="Patel"
        ),
        "board": make_user(Role.OFFICER_BOARD_MEMBER),
        "chief": make_user(Role.LEADERSHIP_TEAM),
        "legal": make_user(Role.CONSULTEE_LEGAL),
        "finance": make_user(Role.CONSULTEE_FINANCE),
        "comms": make_user(Role.CONSULTEE_COMMUNICATIONS),
    }
    # The lead members answer for other directorates than the one they sit in.
    user_set_portfolio(user=people["member"], directorates=[adults], by=None, reason="Cabinet")
    user_set_portfolio(
        user=people["housing_member"], directorates=[housing], by=None, reason="Cabinet"
    )
    user_set_portfolio(user=people["deputy"], directorates=[housing], by=None, reason="Cabinet")
    people["adults"], people["housing"] = adults, housing
    return people


def submitted(council, *, value="500000", stage="G1", report=None, **project_fields):
    officer = council["officer"]
    project = ProjectFactory(
        directorate=council["adults"], estimated_value=Decimal(value), **project_fields
    )
    review = review_create(
        author=officer,
        stage=stage,
        summary="Strategy",
        project=project,
        report=G1_REPORT if report is None else report,
    )
    return review_submit(review=review, by=officer)


def award_report(council, **fields) -> dict:
    return {
        "contract_lead_director": council["director"],
        "tender_outcome": "Three compliant bids",
        "recommended_supplier": SupplierFactory(name="Caring Ltd"),
        "award_value": Decimal("480000.00"),
        "contract_start": date(2027, 4, 1),
        "contract_end": date(2030, 3, 31),
        **fields,
    }


def through_tier_b_to_the_decision(council, review):
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    for consultee in ("legal", "finance", "comms"):
        review_decide(review=review, by=council[consultee], outcome=Outcome.COMMENTED, reasons="Ok")
    review_decide(review=review, by=council["board"], outcome=Outcome.RECOMMENDED, **MEETING)
    return review


def api(user) -> APIClient:
    _, key = api_token_create(
        user=user, name="Committee system", expires_on=TODAY + timedelta(days=30), by=user
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# --- Routes follow the real value ------------------------------------------------------------


def test_gateway_2_is_routed_on_the_award_when_it_is_more_than_the_estimate(council):
    """A £800,000 estimate awarded at £2,500,000 needs Tier B, not Tier A."""
    review = review_create(
        author=council["officer"],
        stage="G2",
        summary="Award",
        project=ProjectFactory(directorate=council["adults"], estimated_value=Decimal("800000")),
        report=award_report(council, award_value=Decimal("2500000.00")),
    )
    with pytest.raises(GatewayError, match=r"£2,500,000.00, 212.5% above the estimate"):
        review_submit(review=review, by=council["officer"])
    review_update_report(
        review=review,
        fields={"award_variance_explanation": "Demand grew after the 2026 needs assessment"},
        by=council["officer"],
    )
    review = review_submit(review=review, by=council["officer"])
    assert (review.tier_code, review.value) == ("B", Decimal("2500000.00"))
    assert review.value_basis.startswith("The award's whole-life value, £2,500,000.00")
    assert [s.kind for s in review.steps.all()] == [
        "check",
        "consultation",
        "recommendation",
        "decision",
    ]


def test_the_award_tolerance_is_policy_data_and_its_boundary_is_exact(council):
    project = ProjectFactory(directorate=council["adults"], estimated_value=Decimal("500000"))
    review = review_create(
        author=council["officer"],
        stage="G2",
        summary="Award",
        project=project,
        report=award_report(council, award_value=Decimal("550000.01")),
    )
    with pytest.raises(GatewayError, match="policy's tolerance is 10%"):
        review_submit(review=review, by=council["officer"])
    review_update_report(
        review=review, fields={"award_value": Decimal("550000.00")}, by=council["officer"]
    )
    review = review_submit(review=review, by=council["officer"])
    assert review.value_basis.startswith("The award's whole-life value, £550,000.00")
    # A council with a wider tolerance: the same award needs no explanation.
    policy = ApprovalPolicy.objects.get()
    policy.award_tolerance = Decimal("20")
    policy.save()
    other = review_create(
        author=council["officer"],
        stage="G2",
        summary="Award",
        project=ProjectFactory(directorate=council["adults"], estimated_value=Decimal("500000")),
        report=award_report(council, award_value=Decimal("600000.00")),
    )
    assert review_submit(review=other, by=council["officer"]).state == State.IN_REVIEW


def test_a_change_of_estimate_across_a_tier_returns_the_report_for_the_new_route(council):
    review = submitted(council, value="500000")
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    mail.outbox.clear()
    project_update(
        project=review.project,
        fields={"estimated_value": Decimal("1500000.01")},
        by=council["officer"],
        reason="Two more lots",
    )
    review.refresh_from_db()
    assert review.state == State.RETURNED
    returned = StepDecision.objects.get(outcome=Outcome.RETURNED)
    assert "now falls in Tier B, not Tier A" in returned.reasons
    assert "Returned: the value changed its route" in returned.history.get().history_change_reason
    review = review_submit(review=review, by=council["officer"])
    assert (review.tier_code, review.value) == ("B", Decimal("1500000.01"))
    active = [s for s in review.steps.all() if s.is_active]
    assert [s.kind for s in active] == ["check", "consultation", "recommendation", "decision"]
    # The business partner's earlier approval stays on record, under the set-aside route.
    assert StepDecision.objects.filter(decided_by=council["partner"], round=1).exists()
    assert current_step(review).kind == "check"


def test_a_change_of_value_inside_the_tier_is_kept_in_the_reports_history(council):
    review = submitted(council, value="500000")
    project_update(
        project=review.project,
        fields={"estimated_value": Decimal("1500000.00")},
        by=council["officer"],
        reason="Revised estimate",
    )
    review.refresh_from_db()
    assert (review.state, review.tier_code, review.value) == (
        State.IN_REVIEW,
        "A",
        Decimal("1500000.00"),
    )
    record = review.history.first()
    assert record.history_change_reason == (
        "Value changed within Tier A: £500,000.00 to £1,500,000.00"
    )
    assert record.history_user == council["officer"]


def test_a_variation_that_moves_a_contract_across_a_tier_returns_its_gateway_3(council, make_user):
    contract = ContractWithOptionsFactory(
        directorate=council["adults"], whole_life_value=Decimal("1400000.00")
    )
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=council["adults"])
    review = review_create(
        author=officer,
        stage="G3",
        summary="Extend",
        contract=contract,
        is_extension=True,
        report={
            "extension_allowed_evidence": "Two options left",
            "savings_evidence": "3% off the rates",
            "added_social_value": "Two apprenticeships",
            "performance_evidence": "Good",
            "exception_justification": "No reviews recorded yet",
        },
    )
    review = review_submit(review=review, by=officer)
    assert review.tier_code == "A"
    assert "including its extension options" in review.value_basis
    contract_vary(
        contract=contract,
        effective_date=contract.start_date,
        value_change=Decimal("200000.00"),
        new_end_date=None,
        reason="Extra hours",
        approved_by="Director",
        by=officer,
    )
    review.refresh_from_db()
    assert review.state == State.RETURNED
    assert "£1,600,000.00" in StepDecision.objects.get(outcome=Outcome.RETURNED).reasons


# --- Who may decide ---------------------------------------------------------------------------


def test_an_executive_director_signs_off_only_their_own_directorates_procurements(council):
    review = submitted(council)
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    with pytest.raises(NotYourDecision, match="This is a procurement of Adult Social Care"):
        review_decide(
            review=review,
            by=council["housing_director"],
            outcome=Outcome.APPROVED,
            **CONSULTATION,
        )
    assert not StepDecision.objects.filter(decided_by=council["housing_director"]).exists()
    # The API refuses the same, with the reason, and writes nothing.
    refused = api(council["housing_director"]).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"outcome": "approved", **CONSULTATION},
        format="json",
    )
    assert refused.status_code == 403
    assert "This is a procurement of Adult Social Care" in refused.json()["detail"]
    # The page offers the other directorate's director no decision form, and refuses a POST.
    client = APIClient()
    client.force_login(council["housing_director"])
    page = client.get(reverse("gateways:review", args=[review.pk]))
    assert 'name="outcome"' not in page.content.decode()
    posted = client.post(
        reverse("gateways:decide", args=[review.pk]), {"outcome": "approved", **CONSULTATION_FORM}
    )
    assert posted.status_code == 403
    review_decide(review=review, by=council["director"], outcome=Outcome.APPROVED, **CONSULTATION)
    review.refresh_from_db()
    assert review.state == State.APPROVED


def test_a_lead_member_decides_for_their_portfolio_and_the_leadership_team_for_all(council):
    review = through_tier_b_to_the_decision(council, submitted(council, value="2000000"))
    with pytest.raises(NotYourDecision, match="only for your own directorate or portfolio"):
        review_decide(
            review=review,
            by=council["housing_member"],
            outcome=Outcome.APPROVED,
            key_decision_reference="KD-1",
        )
    # The Leadership Team decides together: its meeting and minute are recorded.
    with pytest.raises(GatewayError, match="Leadership Team meeting's date and the minute"):
        review_decide(
            review=review,
            by=council["chief"],
            outcome=Outcome.APPROVED,
            key_decision_reference="KD-2026-050",
        )
    decision = review_decide(
        review=review,
        by=council["chief"],
        outcome=Outcome.APPROVED,
        key_decision_reference="KD-2026-050",
        **MEETING,
    )
    assert (decision.role, decision.minute_reference) == ("Leadership Team", "LT 2026/11 min 7")


def test_the_lead_member_in_portfolio_approves_a_tier_b(council):
    review = through_tier_b_to_the_decision(council, submitted(council, value="2000000"))
    decision = review_decide(
        review=review,
        by=council["member"],
        outcome=Outcome.APPROVED,
        key_decision_reference="KD-2026-051",
    )
    assert decision.role == "Lead member"


def test_a_delegation_hands_over_only_the_roles_it_names(council, make_user):
    with pytest.raises(GatewayError, match="Choose the role"):
        delegation_create(
            delegator=council["member"],
            delegate=council["deputy"],
            roles=[],
            starts_on=TODAY,
            ends_on=TODAY,
            by=council["member"],
            reason="Leave",
        )
    with pytest.raises(GatewayError, match="must hold each role delegated"):
        delegation_create(
            delegator=council["member"],
            delegate=council["board"],
            roles=[Role.LEAD_MEMBER.label],
            starts_on=TODAY,
            ends_on=TODAY,
            by=council["member"],
            reason="Leave",
        )
    # A lead member who also sits on the board delegates only the lead member's role.
    both = make_user(Role.LEAD_MEMBER, Role.OFFICER_BOARD_MEMBER, directorate=council["adults"])
    delegation_create(
        delegator=both,
        delegate=council["deputy"],
        roles=[Role.LEAD_MEMBER.label],
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=7),
        by=both,
        reason="Leave",
    )
    review = submitted(council, value="2000000")
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    for consultee in ("legal", "finance", "comms"):
        review_decide(review=review, by=council[consultee], outcome=Outcome.COMMENTED, reasons="Ok")
    # At the board's step the deputy cannot act as a board member on the delegator's behalf.
    with pytest.raises(NotYourDecision, match="has not delegated to you today a role"):
        review_decide(
            review=review,
            by=council["deputy"],
            on_behalf_of=both,
            outcome=Outcome.RECOMMENDED,
            **MEETING,
        )
    refused = api(council["deputy"]).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"outcome": "recommended", "on_behalf_of": both.pk, **MEETING},
        format="json",
    )
    assert refused.status_code == 403
    assert not StepDecision.objects.filter(step__kind="recommendation").exists()


def test_a_delegate_decides_on_behalf_in_the_delegators_scope_and_the_delegator_is_not_asked(
    council, client
):
    delegation_create(
        delegator=council["member"],
        delegate=council["deputy"],
        roles=[Role.LEAD_MEMBER.label],
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=14),
        by=council["member"],
        reason="Annual leave",
    )
    review = through_tier_b_to_the_decision(council, submitted(council, value="2000000"))
    step = current_step(review)
    # The deputy's own portfolio is housing; only through the delegation may they act here.
    asked = step_recipients(review, step)
    assert council["deputy"] in asked
    assert council["member"] not in asked
    assert [r.pk for r, _ in reviews_awaiting(user=council["deputy"])] == [review.pk]
    assert reviews_awaiting(user=council["member"]) == []
    assert [r.pk for r, _, _ in reviews_with_my_delegate(user=council["member"])] == [review.pk]
    client.force_login(council["deputy"])
    url = reverse("gateways:review", args=[review.pk])
    form = client.get(url).context["form"]
    assert form.fields["on_behalf_of"].required
    assert form.fields["on_behalf_of"].initial == council["member"].pk
    response = decide_on_the_page(
        client,
        review,
        {
            "outcome": "approved",
            "on_behalf_of": council["member"].pk,
            "key_decision_reference": "KD-2026-052",
        },
    )
    assert response.status_code == 302
    decision = StepDecision.objects.get(step__kind="decision")
    assert (decision.decided_by, decision.on_behalf_of, decision.role) == (
        council["deputy"],
        council["member"],
        "Lead member",
    )
    page = client.get(url).content.decode()
    assert "Sam Patel on behalf of Ruth Adeyemi (lead member)" in page
    client.force_login(council["member"])
    assert "With your delegate" not in client.get(reverse("gateways:awaiting")).content.decode()


def test_a_step_nobody_in_scope_can_take_is_shown_to_the_head_of_procurement(council, client):
    nobody = DirectorateFactory(name="Public Health")
    project = ProjectFactory(directorate=nobody, estimated_value=Decimal("500000"))
    officer = council["officer"]
    officer.directorate = nobody
    officer.save()
    review = review_submit(
        review=review_create(
            author=officer, stage="G1", summary="S", project=project, report=G1_REPORT
        ),
        by=officer,
    )
    assert reviews_stuck() == []  # the business partners can review it
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    assert [r.pk for r, _ in reviews_stuck()] == [review.pk]
    client.force_login(council["head"])
    page = client.get(reverse("gateways:awaiting")).content.decode()
    assert "Reports nobody can decide" in page
    assert str(review) in page
    home = client.get("/").content.decode()
    assert "Gateway reports nobody can decide" in home
    # Not open to everyone: every executive director is still refused.
    for director in ("director", "housing_director"):
        with pytest.raises(NotYourDecision):
            review_decide(
                review=review, by=council[director], outcome=Outcome.APPROVED, **CONSULTATION
            )


# --- Rules from the seeds --------------------------------------------------------------------


def test_a_direct_award_needs_a_recorded_exception_and_the_approvers_acceptance(council):
    project = ProjectFactory(directorate=council["adults"])
    officer = council["officer"]
    review = review_create(
        author=officer,
        stage="G1",
        summary="Direct award to the incumbent",
        project=project,
        report=G1_REPORT | {"strategy_route": Contract.Route.DIRECT_AWARD},
    )
    with pytest.raises(GatewayError, match="without competition: record the exception"):
        review_submit(review=review, by=officer)
    review_update_report(
        review=review,
        fields={"exception_justification": "Only one provider holds the registration"},
        by=officer,
    )
    review_submit(review=review, by=officer)
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    with pytest.raises(GatewayError, match="accept the recorded exception"):
        review_decide(
            review=review, by=council["director"], outcome=Outcome.APPROVED, **CONSULTATION
        )
    refused = api(council["director"]).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"outcome": "approved", **CONSULTATION},
        format="json",
    )
    assert refused.status_code == 400
    decision = review_decide(
        review=review,
        by=council["director"],
        outcome=Outcome.APPROVED,
        accept_direct_award_exception=True,
        **CONSULTATION,
    )
    assert decision.accepted_direct_award_exception is True
    # Gateway 2 inherits the approved route, so the award needs the same.
    award = review_create(
        author=officer,
        stage="G2",
        summary="Award",
        project=project,
        report=award_report(council),
    )
    assert award.without_competition
    with pytest.raises(GatewayError, match="record the exception"):
        review_submit(review=award, by=officer)


def test_the_key_decision_at_the_decision_is_the_reference_of_record(council, client):
    officer = council["officer"]
    project = TierBProjectFactory(directorate=council["adults"], reference="PP-KD-1")
    review = review_create(
        author=officer,
        stage="G2",
        summary="Award",
        project=project,
        report=award_report(council, award_value=Decimal("2000000.00")),
    )
    review = through_tier_b_to_the_decision(council, review_submit(review=review, by=officer))
    review_decide(
        review=review,
        by=council["member"],
        outcome=Outcome.APPROVED,
        key_decision_reference="KD-2026-060",
    )
    project.refresh_from_db()
    assert project.key_decision_reference == "KD-2026-060"
    assert Contract.objects.get(reference="PP-KD-1").key_decision_reference == "KD-2026-060"
    record = project.history.first()
    assert record.history_change_reason.startswith("Key decision KD-2026-060 recorded")
    client.force_login(council["member"])
    page = client.get(reverse("gateways:project", args=[project.pk])).content.decode()
    assert "KD-2026-060" in page


def test_the_tier_a_consultation_is_recorded_with_its_date(council):
    review = submitted(council)
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    undated = {k: v for k, v in CONSULTATION.items() if k != "consulted_on"}
    with pytest.raises(GatewayError, match="who, on what date, and what they said"):
        review_decide(review=review, by=council["director"], outcome=Outcome.APPROVED, **undated)
    with pytest.raises(GatewayError, match="cannot be in the future"):
        review_decide(
            review=review,
            by=council["director"],
            outcome=Outcome.APPROVED,
            **(CONSULTATION | {"consulted_on": TODAY + timedelta(days=1)}),
        )
    decision = review_decide(
        review=review, by=council["director"], outcome=Outcome.APPROVED, **CONSULTATION
    )
    assert decision.consulted_on == CONSULTATION["consulted_on"]


def test_a_tier_a_procurement_the_policy_makes_a_key_decision_needs_its_reference(council):
    policy = ApprovalPolicy.objects.get()
    policy.key_decision_above = Decimal("500000.00")
    policy.save()
    at_limit = submitted(council, value="500000")
    review_decide(review=at_limit, by=council["partner"], outcome=Outcome.APPROVED)
    review_decide(review=at_limit, by=council["director"], outcome=Outcome.APPROVED, **CONSULTATION)
    over = submitted(council, value="500000.01")
    review_decide(review=over, by=council["partner"], outcome=Outcome.APPROVED)
    with pytest.raises(GatewayError, match=r"makes a procurement over £500,000.00 a key decision"):
        review_decide(review=over, by=council["director"], outcome=Outcome.APPROVED, **CONSULTATION)
    review_decide(
        review=over,
        by=council["director"],
        outcome=Outcome.APPROVED,
        key_decision_reference="KD-2026-070",
        **CONSULTATION,
    )
    over.project.refresh_from_db()
    assert over.project.key_decision_reference == "KD-2026-070"


def _register_file(value: str) -> io.BytesIO:
    headings = ["Contract Ref", "Title", "Department", "Supplier", "Total Value"]
    headings += ["Start Date", "End Date", "Route", "Contract Manager", "Lead Director"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings)
    writer.writerow(
        [
            *("C-77", "Home care", "Adult Social Care", "Caring Ltd", value, "01/04/2024"),
            *("31/03/2028", "Published tender", "manager@council.example", "ed@council.example"),
        ]
    )
    return io.BytesIO(text.getvalue().encode())


def test_an_import_that_moves_a_contract_across_a_tier_returns_its_gateway_3(council, make_user):
    """The import writes in bulk, which sends no save signal: it says which contracts changed."""
    make_user(Role.CONTRACT_MANAGER, email="manager@council.example")
    council["director"].email = "ed@council.example"
    council["director"].save()
    partner = council["partner"]
    contracts_import(
        stream=_register_file("£1,400,000"), filename="register.csv", by=partner, reason="Load"
    )
    contract = Contract.objects.get(reference="C-77")
    review = review_submit(
        review=review_create(
            author=partner, stage="G3", summary="Performance review", contract=contract
        ),
        by=partner,
    )
    assert (review.tier_code, review.value) == ("A", Decimal("1400000.00"))
    contracts_import(
        stream=_register_file("£5,000,000"), filename="register.csv", by=partner, reason="Fix"
    )
    review.refresh_from_db()
    assert review.state == State.RETURNED
    returned = StepDecision.objects.get(outcome=Outcome.RETURNED)
    assert "£5,000,000.00" in returned.reasons
    assert returned.decided_by == partner


def test_nobody_moves_on_a_report_whose_value_left_its_tier_by_any_path(council):
    """A change that reached the database without any signal is caught at the decision."""
    review = submitted(council, value="500000")
    # A path that tells nobody: a direct write to the table.
    type(review.project).objects.filter(pk=review.project_id).update(
        estimated_value=Decimal("2000000")
    )
    with pytest.raises(GatewayError, match=r"needs Tier B, not Tier A\. Return it to its author"):
        review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=council["partner"], outcome=Outcome.RETURNED, reasons="Now Tier B"
    )
    review = review_submit(review=review, by=council["officer"])
    assert review.tier_code == "B"


def test_a_portfolio_widens_only_a_lead_members_scope(council):
    """An executive director given a portfolio still signs off only their own directorate."""
    director = council["housing_director"]
    director.portfolio.set([council["adults"]])
    review = submitted(council)
    review_decide(review=review, by=council["partner"], outcome=Outcome.APPROVED)
    with pytest.raises(NotYourDecision, match="This is a procurement of Adult Social Care"):
        review_decide(review=review, by=director, outcome=Outcome.APPROVED, **CONSULTATION)
