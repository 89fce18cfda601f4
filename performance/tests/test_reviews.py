"""Performance reviews: recorded with their KPIs' position and actions, scheduling the next one,
and listed when overdue; late KPI returns; savings and risk."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceReview
from performance.selectors import kpi_positions, overdue_condition, portfolio
from performance.services import (
    PerformanceError,
    kpi_return_record,
    review_record,
    risk_assess,
    saving_record,
)
from procurement.roles import Role

from .factories import KpiFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


@pytest.fixture
def contract():
    return ContractOverFiftyThousandFactory(
        start_date=date(2026, 1, 1), end_date=date(2028, 12, 31)
    )


def review(contract, **given):
    fields = {
        "held_on": date(2026, 11, 20),
        "rating": PerformanceReview.Rating.GOOD,
        "narrative": "All KPIs met; provider engaged.",
        "next_review_date": date(2027, 5, 20),
        "frequency_months": 6,
        "by": contract.contract_manager,
        "today": TODAY,
    }
    return review_record(contract=contract, **(fields | given))


def test_a_review_keeps_the_kpis_position_and_schedules_the_next(contract):
    kpi = KpiFactory(contract=contract, name="Visits on time")
    kpi_return_record(
        kpi=kpi,
        period_start=date(2026, 7, 1),
        value=Decimal(97),
        comment="",
        by=contract.contract_manager,
        today=TODAY,
    )
    recorded = review(
        contract,
        actions=[("Share the rota a week ahead", "Jo Bloggs, Caring Ltd", date(2027, 1, 31))],
    )
    assert recorded.kpi_position == [
        {
            "kpi": "Visits on time",
            "unit": "%",
            "target": "95.00",
            "period": "1 July 2026 to 30 September 2026",
            "value": "97.00",
            "rating": "green",
            # 01/01 to 31/03 and 01/04 to 30/06 are more than 30 days past their end.
            "late_returns": 2,
        }
    ]
    assert [a.owner for a in recorded.actions.all()] == ["Jo Bloggs, Caring Ltd"]
    contract.refresh_from_db()
    assert (contract.review_date, contract.review_frequency_months) == (date(2027, 5, 20), 6)
    assert contract.history.latest().history_change_reason == (
        "Performance review held on 20 November 2026: next review scheduled"
    )


def test_a_review_is_checked_and_written_whole_or_not_at_all(contract):
    with pytest.raises(ValidationError) as refused:
        review(
            contract,
            held_on=TODAY + timedelta(days=1),
            rating=PerformanceReview.Rating.OTHER,
            narrative=" ",
            next_review_date=date(2029, 1, 1),
        )
    assert set(refused.value.message_dict) == {
        "held_on",
        "rating_other",
        "narrative",
        "next_review_date",
    }
    assert PerformanceReview.objects.count() == 0
    assert contract.history.count() == 1
    other = review(contract, rating=PerformanceReview.Rating.OTHER, rating_other="Not rated yet")
    assert other.rating_label == "Other: Not rated yet"
    # The last review of a contract schedules none.
    review(contract, next_review_date=None)
    contract.refresh_from_db()
    assert contract.review_date is None


@pytest.mark.parametrize(
    ("review_date", "overdue"),
    [(TODAY - timedelta(days=1), True), (TODAY, False), (TODAY + timedelta(days=1), False)],
)
def test_a_review_is_overdue_the_day_after_it_was_due(contract, review_date, overdue):
    contract.review_date = review_date
    contract.save()
    assert Contract.objects.filter(overdue_condition(today=TODAY)).exists() is overdue


def test_contracts_not_running_have_no_overdue_review(contract):
    contract.review_date = date(2026, 6, 1)
    contract.terminated_on = date(2026, 10, 1)
    contract.save()
    assert not Contract.objects.filter(overdue_condition(today=TODAY)).exists()


def test_overdue_reviews_are_listed_for_the_manager_and_the_central_team(
    client, contract, make_user
):
    today = timezone.localdate()
    contract.start_date = today - timedelta(days=400)
    contract.review_date = today - timedelta(days=1)
    contract.save()
    client.force_login(contract.contract_manager)
    items = {i.title: i for i in client.get(reverse("procurement:home")).context["attention_items"]}
    assert items["Performance reviews overdue on your contracts"].count == 1
    page = client.get(items["Performance reviews overdue on your contracts"].href)
    assert [c.pk for c in page.context["page"]] == [contract.pk]
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    items = {i.title: i for i in client.get(reverse("procurement:home")).context["attention_items"]}
    assert items["Performance reviews overdue across the council"].count == 1
    page = client.get(items["Performance reviews overdue across the council"].href)
    assert [c.pk for c in page.context["page"]] == [contract.pk]
    assert page.context["counts"]["overdue"] == 1


def test_late_returns_are_counted_from_thirty_days_after_the_period(contract):
    KpiFactory(contract=contract, frequency=1)  # monthly
    # January ends 31/01: its return is due by 02/03/2026 and late from 03/03/2026.
    assert kpi_positions(contract, date(2026, 3, 2))[0].late_periods == []
    late = kpi_positions(contract, date(2026, 3, 3))[0]
    assert late.late_periods == [(date(2026, 1, 1), date(2026, 1, 31))]
    assert late.due_periods == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]


def test_savings_are_recorded_a_year_at_a_time(contract):
    manager = contract.contract_manager
    saving = saving_record(
        contract=contract,
        financial_year=2025,
        cashable=Decimal("12000"),
        non_cashable=Decimal("3000"),
        note="Rate renegotiated",
        by=manager,
        today=TODAY,
    )
    assert (saving.year_label, saving.total) == ("2025/26", Decimal("15000"))
    again = saving_record(
        contract=contract,
        financial_year=2025,
        cashable=Decimal("10000"),
        non_cashable=Decimal("0"),
        note="Corrected",
        by=manager,
        today=TODAY,
    )
    assert again.pk == saving.pk
    assert [h.history_change_reason for h in again.history.order_by("history_date")] == [
        "Savings recorded",
        "Savings corrected",
    ]
    with pytest.raises(PerformanceError, match="2025/26 to 2026/27"):
        saving_record(
            contract=contract,
            financial_year=2027,
            cashable=Decimal(1),
            non_cashable=Decimal(0),
            note="",
            by=manager,
            today=TODAY,
        )


def test_the_overall_risk_is_the_highest_of_the_four(contract):
    risk_assess(
        contract=contract,
        financial="low",
        operational="medium",
        contractual="low",
        supplier_failure="high",
        review_date=date(2027, 5, 1),
        reason="Supplier's accounts filed late",
        by=contract.contract_manager,
        today=TODAY,
    )
    contract.refresh_from_db()
    assert (contract.risk_rating, contract.supplier_failure_risk) == ("high", "high")
    assert contract.history.latest().history_change_reason == (
        "Risk assessment: Supplier's accounts filed late"
    )
    assert portfolio(today=TODAY).get(pk=contract.pk).open_exceptions == 0
