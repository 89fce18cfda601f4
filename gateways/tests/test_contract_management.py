"""Where the gateways meet contract management: the KPIs a Gateway 2 award over £5 million needs,
and the performance record a Gateway 3 extension reads."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract
from contracts.tests.factories import ContractWithOptionsFactory
from gateways.models import StepDecision
from gateways.services import (
    GatewayError,
    proposed_kpi_add,
    review_create,
    review_decide,
    review_submit,
    review_update_report,
)
from gateways.tests.factories import ProjectFactory
from gateways.tests.test_reviews import CONSULTATION, EVIDENCE, g2_report
from performance.models import PerformanceReview
from performance.services import review_record
from performance.tests.factories import KpiFactory
from procurement.act import Regime
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db
Outcome = StepDecision.Outcome
KPI = {
    "name": "Missed visits",
    "measure": "Visits not made, per 1,000 planned",
    "unit": "per 1,000",
    "target": Decimal("2"),
    "direction": "lower",
    "tolerance": Decimal("1"),
    "frequency": 3,
}


@pytest.fixture
def people(make_user):
    # One directorate: its executive director and lead member decide its procurements.
    directorate = DirectorateFactory()
    return {role: make_user(role, directorate=directorate) for role in Role}


def award(people, value: str, estimate: str = "6000000"):
    author = people[Role.PROCUREMENT_OFFICER]
    project = ProjectFactory(directorate=author.directorate, estimated_value=Decimal(estimate))
    report = g2_report(people) | {"award_value": Decimal(value)}
    return author, review_create(
        author=author, stage="G2", summary="Award", project=project, report=report
    )


def test_an_award_of_exactly_five_million_needs_no_kpis(people):
    author, review = award(people, "5000000.00")
    review_submit(review=review, by=author)


def test_an_award_over_five_million_needs_three_kpis_or_a_reason(people):
    author, review = award(people, "5000000.01")
    with pytest.raises(GatewayError, match="needs at least 3 KPIs: propose 3 more"):
        review_submit(review=review, by=author)
    for number in range(2):
        proposed_kpi_add(review=review, fields=KPI | {"name": f"KPI {number}"}, by=author)
    with pytest.raises(GatewayError, match="propose 1 more"):
        review_submit(review=review, by=author)
    review_update_report(
        review=review,
        fields={"kpis_not_applicable_reason": "A one-off purchase of vehicles"},
        by=author,
    )
    review_submit(review=review, by=author)


def test_the_proposed_kpis_become_the_contracts_at_award(people):
    author, review = award(people, "480000.00", estimate="500000")
    proposed_kpi_add(review=review, fields=KPI, by=author)
    review_submit(review=review, by=author)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    contract = Contract.objects.get(reference=review.project.reference)
    [kpi] = contract.kpis.all()
    assert kpi.definition() == KPI
    assert kpi.history.get().history_user == people[Role.EXECUTIVE_DIRECTOR]
    assert contract.planned_savings == review.project.expected_savings


def test_the_awarded_contract_keeps_the_day_its_procurement_began(people):
    """The law a contract is under is that of the day its procurement began, which the project
    records: a procurement begun the day before the Act came into force stays under the 2015
    Regulations however late its contract starts."""
    author, review = award(people, "480000.00", estimate="500000")
    review.project.procurement_began_on = date(2025, 2, 23)
    review.project.save()
    review_submit(review=review, by=author)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    contract = Contract.objects.get(reference=review.project.reference)
    assert contract.procurement_began_on == date(2025, 2, 23)
    assert contract.start_date > date(2025, 2, 24)
    assert contract.act_standing().regime == Regime.PCR_2015


def test_only_the_author_proposes_kpis_while_the_report_is_open(people):
    author, review = award(people, "480000.00")
    with pytest.raises(GatewayError, match="Only the report's author"):
        proposed_kpi_add(review=review, fields=KPI, by=people[Role.BUSINESS_PARTNER])
    review_submit(review=review, by=author)
    with pytest.raises(GatewayError, match="only while it is a draft or returned"):
        proposed_kpi_add(review=review, fields=KPI, by=author)


def extension(people, contract):
    return review_create(
        author=people[Role.BUSINESS_PARTNER],
        stage="G3",
        summary="Extend",
        contract=contract,
        is_extension=True,
        report=EVIDENCE,
    )


def rate_contract(contract, rating):
    return review_record(
        contract=contract,
        held_on=date(2026, 11, 2),
        rating=rating,
        narrative="Annual review",
        next_review_date=None,
        frequency_months=12,
        by=contract.contract_manager,
        today=date(2026, 11, 22),
    )


def test_gateway_3_shows_the_latest_rating(client, people):
    contract = ContractWithOptionsFactory(start_date=date(2025, 4, 1))
    KpiFactory(contract=contract)
    rate_contract(contract, PerformanceReview.Rating.APPROACHING)
    review = review_create(
        author=people[Role.BUSINESS_PARTNER],
        stage="G3",
        summary="Extend",
        contract=contract,
        is_extension=True,
    )
    assert review.performance_evidence == (
        "Latest performance review on 2 November 2026: Approaching target. KPIs' latest returns: "
        "0 green, 0 amber, 0 red; 6 late. No open exceptions."
    )
    client.force_login(people[Role.HEAD_OF_PROCUREMENT])
    page = client.get(reverse("gateways:review", args=[review.pk])).content.decode()
    assert "The contract's performance" in page
    assert "Approaching target" in page
    assert "on 2 November 2026" in page


def test_a_poor_record_needs_an_exception_to_extend(people):
    contract = ContractWithOptionsFactory(start_date=date(2025, 4, 1))
    rate_contract(contract, PerformanceReview.Rating.INADEQUATE)
    review = extension(people, contract)
    with pytest.raises(GatewayError, match="the contract's record shows: latest performance"):
        review_submit(review=review, by=people[Role.BUSINESS_PARTNER])
    review_update_report(
        review=review,
        fields={"exception_justification": "No other provider until the new framework starts"},
        by=people[Role.BUSINESS_PARTNER],
    )
    review_submit(review=review, by=people[Role.BUSINESS_PARTNER])


def test_the_awarded_contract_carries_the_procurements_cpv_code(people):
    from procurement.models import CpvCode

    CpvCode.objects.create(code="85310000-5", description="Social work services")
    author, review = award(people, "480000.00", estimate="500000")
    review.project.cpv_code = "85310000-5"
    review.project.save()
    review_submit(review=review, by=author)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome=Outcome.APPROVED)
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome=Outcome.APPROVED, **CONSULTATION
    )
    contract = Contract.objects.get(reference=review.project.reference)
    assert contract.cpv_code == "85310000-5"
