"""A home page's counts of the register (reporting/home.py), read from the kept figures, are the
counts of the lists their links open, worked out from the register itself, for each kind of
person, before and after writes; and they take the same queries whatever the register's size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import contracts_with_status, named_officer_gaps
from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.selectors import PortfolioFilters, contracts_of, portfolio
from procurement import attention
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from reporting.summary import home_counts

pytestmark = pytest.mark.django_db


def live(user, today) -> dict[str, int]:
    """Each count from the register itself, by the selectors of the lists the items link to."""
    statuses = list(
        contracts_with_status(today=today)
        .filter(contract_manager=user)
        .values_list("status", flat=True)
    )
    gaps = named_officer_gaps(user=user, today=today)
    overdue = PortfolioFilters(overdue=True)
    return {
        "expiring": statuses.count(Contract.Status.EXPIRING),
        "expired": statuses.count(Contract.Status.EXPIRED),
        "overdue_reviews": contracts_of(user=user, today=today, filters=overdue).count(),
        "overdue_reviews_council": portfolio(today=today, filters=overdue).count(),
        "no_manager": gaps["no_manager"],
        "no_lead_director": gaps["no_lead_director"],
    }


@pytest.fixture
def people(make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    director = make_user(Role.EXECUTIVE_DIRECTOR)
    partner = make_user(Role.BUSINESS_PARTNER)
    theirs, other = DirectorateFactory(business_partner=partner), DirectorateFactory()
    today = timezone.localdate()
    for n, days in enumerate((-400, -3, 0, 20, 80, 300, 700, None)):
        for value in ("60000", "2000000"):
            ContractOverFiftyThousandFactory(
                directorate=theirs if n % 2 else other,
                contract_manager=manager if n % 3 else None,
                lead_director=director if n % 4 else None,
                whole_life_value=Decimal(value),
                start_date=today - timedelta(days=500),
                end_date=None if days is None else today + timedelta(days=days),
                review_date=today + timedelta(days=-10 if n % 2 else 30),
            )
    return {"manager": manager, "director": director, "partner": partner}


def assert_exact(people, today) -> None:
    for user in people.values():
        assert vars(home_counts(user=user, today=today)) == live(user, today), user


def test_each_persons_counts_are_those_of_the_lists_before_and_after_writes(people):
    today = timezone.localdate()
    counts = home_counts(user=people["manager"], today=today)
    # A fair test: each count has something to count.
    assert counts.expiring > 0
    assert counts.expired > 0
    assert counts.overdue_reviews > 0
    assert home_counts(user=people["partner"], today=today).no_manager
    assert_exact(people, today)
    contract = Contract.objects.filter(contract_manager=people["manager"]).first()
    contract.contract_manager, contract.lead_director = None, people["manager"]
    contract.review_date = today - timedelta(days=1)
    contract.save()
    assert_exact(people, today)
    contract.end_date = today - timedelta(days=2)
    contract.save()
    assert_exact(people, today)
    contract.delete()
    assert_exact(people, today)


def test_the_home_page_shows_the_kept_counts_first(client, people):
    today = timezone.localdate()
    client.force_login(people["manager"])
    items = client.get("/").context["attention_items"]
    counts = home_counts(user=people["manager"], today=today)
    assert [(item.title, item.count) for item in items[:3]] == [
        ("Contracts you manage that are expiring", counts.expiring),
        ("Contracts you manage that are past their end date", counts.expired),
        ("Performance reviews overdue on your contracts", counts.overdue_reviews),
    ]


def test_the_counts_take_the_same_queries_whatever_the_register_size(people):
    today = timezone.localdate()
    home_counts(user=people["partner"], today=today)  # the day's figures kept
    attention.items_for(people["partner"])  # and the person's permissions read
    with CaptureQueriesContext(connection) as small:
        attention.items_for(people["partner"])
    for _ in range(30):
        ContractOverFiftyThousandFactory(contract_manager=people["manager"])
    with CaptureQueriesContext(connection) as large:
        attention.items_for(people["partner"])
    assert len(small) == len(large)
