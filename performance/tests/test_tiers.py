"""Tiered reporting (Cotswold §4): who sees which level of detail, and the pages' own rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceException, PerformanceReview
from performance.selectors import PortfolioFilters, portfolio, portfolio_counts
from performance.services import kpi_return_record, review_record
from procurement.roles import Role

from .factories import KpiFactory

pytestmark = pytest.mark.django_db


def running(**fields):
    today = timezone.localdate()
    return ContractOverFiftyThousandFactory(
        start_date=today - timedelta(days=400), end_date=today + timedelta(days=700), **fields
    )


def red_exception(contract) -> PerformanceException:
    kpi = KpiFactory(contract=contract)
    _, exception = kpi_return_record(
        kpi=kpi,
        period_start=contract.start_date,
        value=Decimal(10),
        comment="",
        by=contract.contract_manager,
    )
    return exception


def test_who_sees_which_tier(client, make_user):
    contract = running()
    exception = red_exception(contract)
    officer_elsewhere = make_user(Role.PROCUREMENT_OFFICER)
    officer_here = make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    pages = {
        "contract": reverse("performance:contract", args=[contract.pk]),
        "exception": reverse("performance:exception", args=[contract.pk, exception.pk]),
        "portfolio": reverse("performance:portfolio"),
        "key": reverse("performance:key_contracts"),
        "strategic": reverse("performance:strategic_suppliers"),
    }
    expected = {
        contract.contract_manager: {"contract", "exception"},
        officer_here: {"contract", "exception"},
        contract.lead_director: {"contract", "exception", "key", "strategic"},
        officer_elsewhere: set(),
        make_user(Role.BUSINESS_PARTNER): {
            "contract",
            "exception",
            "portfolio",
            "key",
            "strategic",
        },
        make_user(Role.AUDITOR): {"contract", "exception", "portfolio", "key", "strategic"},
        make_user(Role.LEAD_MEMBER): {"key", "strategic"},
        make_user(Role.EXECUTIVE_DIRECTOR): {"key", "strategic"},
    }
    for user, allowed in expected.items():
        client.force_login(user)
        seen = {name for name, url in pages.items() if client.get(url).status_code == 200}
        assert seen == allowed, user


def test_key_contracts_are_high_value_or_high_risk(client, make_user):
    key_by_value = running(whole_life_value=Decimal("1500000.01"))
    running(whole_life_value=Decimal("1500000.00"))
    key_by_risk = running(risk_rating=Contract.Risk.HIGH)
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("performance:key_contracts"))
    assert {c.pk for c in page.context["page"]} == {key_by_value.pk, key_by_risk.pk}
    # A lead member's summary links to the register's page, not to the full detail.
    assert reverse("performance:contract", args=[key_by_value.pk]) not in page.content.decode()


def test_one_key_contract_is_one_running_contract(client, make_user):
    running(risk_rating=Contract.Risk.HIGH)
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("performance:key_contracts")).content.decode()
    assert "<li>1 running contract</li>" in page


def test_the_portfolio_shows_the_latest_rating_and_open_exceptions(client, make_user):
    contract = running()
    review_record(
        contract=contract,
        held_on=timezone.localdate() - timedelta(days=30),
        rating=PerformanceReview.Rating.GOOD,
        narrative="Fine",
        next_review_date=None,
        frequency_months=12,
        by=contract.contract_manager,
    )
    review_record(
        contract=contract,
        held_on=timezone.localdate(),
        rating=PerformanceReview.Rating.INADEQUATE,
        narrative="Missed visits",
        next_review_date=None,
        frequency_months=12,
        by=contract.contract_manager,
    )
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    page = client.get(reverse("performance:portfolio"), {"exceptions": "on"})
    [row] = page.context["page"]
    assert (row.latest_rating, row.open_exceptions) == ("inadequate", 1)
    assert "Inadequate" in page.content.decode()
    assert (
        client.get(reverse("performance:portfolio"), {"rating": "good"})
        .context["page"]
        .paginator.count
        == 0
    )


def test_the_portfolio_runs_the_same_queries_for_more_contracts(client, make_user):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    for _ in range(2):
        red_exception(running())
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("performance:portfolio"))
    for _ in range(6):
        red_exception(running())
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("performance:portfolio"))
    assert len(more) == len(few)


def test_someone_elses_ids_are_not_found(client):
    contract, other = running(), running()
    exception = red_exception(other)
    client.force_login(contract.contract_manager)
    assert (
        client.get(reverse("performance:exception", args=[contract.pk, exception.pk])).status_code
        == 404
    )
    kpi = other.kpis.get()
    assert (
        client.get(reverse("performance:kpi_return", args=[contract.pk, kpi.pk])).status_code == 404
    )
    assert client.get(reverse("performance:kpi_return", args=[other.pk, kpi.pk])).status_code == (
        403
    )


def test_forms_name_each_mistake(client):
    contract = running()
    kpi = KpiFactory(contract=contract)
    client.force_login(contract.contract_manager)
    response = client.post(
        reverse("performance:kpi_create", args=[contract.pk]),
        {"name": "", "target": "lots", "tolerance": "-1", "direction": "sideways"},
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["Enter the KPI's name"]
    assert errors["target"] == ["Enter the target as a number, like 95 or 2.5"]
    assert errors["tolerance"] == ["The tolerance cannot be negative"]
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(
        reverse("performance:kpi_return", args=[contract.pk, kpi.pk]),
        {"period": date(2099, 1, 1).isoformat(), "value": "95"},
    )
    assert response.context["form"].errors["period"] == [
        "Choose a period that has ended and has no return yet"
    ]
    assert kpi.returns.count() == 0
    response = client.post(
        reverse("performance:review_create", args=[contract.pk]),
        {"rating": "good", "narrative": "Fine", "frequency_months": "12", "action_1": "Call"},
    )
    errors = response.context["form"].errors
    assert errors["held_on"] == ["Enter the date of the review"]
    assert errors["owner_1"] == ["Name the owner of action 1"]
    assert errors["due_1"] == ["Enter the date action 1 is due by"]
    assert not contract.reviews.exists()


def test_key_contracts_are_listed_a_short_page_at_a_time(client, make_user, monkeypatch):
    from performance import views

    monkeypatch.setattr(views, "KEY_CONTRACTS_PAGE", 2)
    for _ in range(3):
        running(whole_life_value=Decimal("2000000.00"))
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("performance:key_contracts"))
    assert (len(page.context["page"]), page.context["page"].paginator.count) == (2, 3)
    assert 'href="?page=2"' in page.content.decode()


def test_the_home_page_counts_cost_the_same_queries_for_more_contracts(client, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    client.force_login(manager)

    def home_queries() -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as queries:
            items = client.get(reverse("procurement:home")).context["attention_items"]
        return {item.title: item.count for item in items}, len(queries)

    def late_and_red() -> None:
        contract = running(contract_manager=manager, review_date=timezone.localdate())
        red_exception(contract)
        KpiFactory(contract=contract)  # no return yet: late

    late_and_red()
    home_queries()  # the first request of the day works out the day's kept figures
    few, before = home_queries()
    for _ in range(4):
        late_and_red()
    more, after = home_queries()
    assert few["Your contracts with KPI returns late"] == 1
    assert more["Your contracts with KPI returns late"] == 5
    assert more["Open performance exceptions on your contracts or for you"] == 5
    assert after == before


def test_the_portfolio_counts_are_its_rows_counted(make_user):
    """The counts, which read the latest ratings of reviewed contracts only and open exceptions
    from the exceptions, against the portfolio's own rows counted one by one."""
    today = timezone.localdate()
    contracts = [running(review_date=today - timedelta(days=n % 3)) for n in range(6)]
    red_exception(contracts[0])
    red_exception(contracts[1])
    for contract, rating in zip(
        contracts[1:4],
        (
            PerformanceReview.Rating.INADEQUATE,
            PerformanceReview.Rating.GOOD,
            PerformanceReview.Rating.REQUIRES_IMPROVEMENT,
        ),
        strict=True,
    ):
        review_record(
            contract=contract,
            held_on=today - timedelta(days=10),
            rating=rating,
            narrative="Seen",
            next_review_date=today + timedelta(days=30),
            frequency_months=12,
            by=contract.contract_manager,
        )
    ContractOverFiftyThousandFactory(start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    for filters in (
        PortfolioFilters(),
        PortfolioFilters(overdue=True),
        PortfolioFilters(open_exceptions=True),
        PortfolioFilters(rating="none"),
        PortfolioFilters(rating=PerformanceReview.Rating.GOOD),
        PortfolioFilters(key_only=True, directorate_id=contracts[0].directorate_id),
    ):
        rows = list(portfolio(today=today, filters=filters))
        assert portfolio_counts(today=today, filters=filters) == {
            "contracts": len(rows),
            "overdue": sum(1 for r in rows if r.review_date and r.review_date < today),
            "with_open_exceptions": sum(1 for r in rows if r.open_exceptions > 0),
            "poor": sum(1 for r in rows if r.latest_rating in PerformanceReview.POOR),
            "unrated": sum(1 for r in rows if r.latest_rating is None),
        }, filters
    assert portfolio_counts(today=today)["contracts"] == 6
    # Each filter keeps the rows whose shown figures say so.
    everything = list(portfolio(today=today))
    for filters, keep in (
        (PortfolioFilters(open_exceptions=True), lambda r: r.open_exceptions > 0),
        (PortfolioFilters(rating="none"), lambda r: r.latest_rating is None),
        (PortfolioFilters(rating="good"), lambda r: r.latest_rating == "good"),
    ):
        shown = [r.pk for r in portfolio(today=today, filters=filters)]
        assert shown == [r.pk for r in everything if keep(r)], filters
