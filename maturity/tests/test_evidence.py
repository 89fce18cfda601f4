"""Evidence from the register beside the behaviours, worked out live: each figure against a
hand-made register."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractFactory, ContractOverFiftyThousandFactory
from gateways.tests.factories import ProjectFactory
from maturity import evidence
from maturity.evidence import evidence_for
from maturity.models import Behaviour
from maturity.selectors import framework_default
from performance.models import Saving
from performance.tests.factories import KpiFactory
from socialvalue.models import Commitment, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    """Running: A (£250k, managed, SME, high risk with a KPI, review overdue, social value),
    B (£250k, no manager, VCSE, high risk), C (£40k, no manager, SME); E and F (£250k, managed)
    inside their renewal lead time, E with a replacement planned. D has ended."""
    today = timezone.localdate()
    a = ContractOverFiftyThousandFactory(
        annual_value=Decimal("100000"),
        supplier__is_sme=True,
        risk_rating=Contract.Risk.HIGH,
        review_date=today - timedelta(days=1),
        risk_review_date=today - timedelta(days=3),
    )
    KpiFactory(contract=a)
    ContractOverFiftyThousandFactory(
        contract_manager=None,
        annual_value=Decimal("50000"),
        supplier__is_vcse=True,
        risk_rating=Contract.Risk.HIGH,
    )
    ContractFactory(annual_value=Decimal("40000"), supplier__is_sme=True)
    ContractOverFiftyThousandFactory(
        start_date=today - timedelta(days=900), end_date=today - timedelta(days=10)
    )
    e = ContractOverFiftyThousandFactory(end_date=today + timedelta(days=60))
    ContractOverFiftyThousandFactory(end_date=today + timedelta(days=90))
    ProjectFactory(replaces=e)
    Commitment.objects.create(
        contract=a,
        measure=Measure.objects.get(code="LSV4", library__version="1"),
        quantity=Decimal("100"),
        target_date=a.end_date,
        source=Commitment.Source.ADDED,
        created_by=a.contract_manager,
    )
    return a


def test_each_figure_against_the_register(register):
    today = timezone.localdate()
    assert evidence.named_manager(today).figure == "75% (3 of 4)"
    assert evidence.key_contracts_with_kpis(today).figure == "50% (1 of 2)"
    assert evidence.reviews_overdue(today).figure == "1"
    assert evidence.social_value_commitments(today).figure == "25% (1 of 4)"
    sme = evidence.sme_share(today)
    # £140,000 of the £190,000 a year recorded: 73.7%, shown as 74%.
    assert (sme.figure, sme.detail) == ("74%", "£140,000 of £190,000 a year")
    assert evidence.vcse_share(today).figure == "26%"
    assert evidence.forward_plan_coverage(today).figure == "50% (1 of 2)"
    assert evidence.risk_reviews_overdue(today).figure == "1"
    assert evidence.risk_reviews_overdue(today).detail == "2 running contracts are rated high risk"
    assert evidence.social_value_weighting(today).figure == "none to count"


def test_key_contracts_with_kpis_counts_contracts_not_their_kpis(register):
    # A has three KPIs: each contract is counted once, however many KPIs it has.
    KpiFactory(contract=register)
    KpiFactory(contract=register)
    found = evidence.key_contracts_with_kpis(timezone.localdate())
    assert found.figure == "50% (1 of 2)"


def test_savings_this_financial_year(register):
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    Saving.objects.create(
        contract=register,
        financial_year=year,
        cashable=Decimal("1000"),
        non_cashable=Decimal("0"),
        recorded_by=register.contract_manager,
    )
    Saving.objects.create(
        contract=register,
        financial_year=year - 1,
        cashable=Decimal("5000"),
        non_cashable=0,
        recorded_by=register.contract_manager,
    )
    found = evidence.savings_this_year(today)
    assert found.figure == "£1,000"
    assert found.detail == "£1,000 cashable, £0 non-cashable, on 1 contract"


def test_figures_sit_beside_their_behaviours_and_are_worked_out_once(
    register, django_assert_num_queries
):
    framework = framework_default()
    chosen = list(Behaviour.objects.filter(code__in=["4.1", "3.3", "5.1", "1.1"]).order_by("code"))
    today = timezone.localdate()
    # Forward plan coverage serves 3.3 and 4.1 (one query, and one for the renewal lead times it
    # counts from); 5.1 has two figures (two queries).
    with django_assert_num_queries(4):
        found = evidence_for(chosen, framework=framework, today=today)
    by_code = {b.code: found.get(b.pk, []) for b in chosen}
    assert [e.label for e in by_code["5.1"]] == [
        "Running contracts over £50,000 with a named contract manager",
        "Key contracts running (over £1.5m or high risk) with KPIs",
    ]
    assert by_code["3.3"] == by_code["4.1"]
    assert by_code["1.1"] == []
