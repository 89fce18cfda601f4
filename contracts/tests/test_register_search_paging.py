"""The register's search (full-text on PostgreSQL, ``icontains`` elsewhere, the same results for
these contracts) and its paging: a count exact only while it is cheap, pages read by id that
hold exactly the rows OFFSET would, in every sort both ways, with a fixed number of queries."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.selectors import SORTS, RegisterFilters, contracts_register, words_query
from contracts.services import contract_update, supplier_update
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.paging import EstimatingPaginator, rounded
from procurement.roles import Role
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db


def found(search: str) -> list[str]:
    contracts = contracts_register(
        filters=RegisterFilters(search=search), today=timezone.localdate()
    )
    return sorted(contract.reference for contract in contracts)


@pytest.fixture
def register():
    oakfield = SupplierFactory(name="Oakfield Care Services Ltd")
    ContractFactory(reference="NBC/2023/014", title="Home care (north)", supplier=oakfield)
    ContractFactory(reference="NBC/2023/015", title="Library books", supplier=oakfield)
    ContractFactory(
        reference="NBC/2024/001",
        title="School roof replacement",
        supplier=SupplierFactory(name="Harbourstone Contractors plc"),
    )
    ContractFactory(
        reference="RBK-77",
        title="Translation and interpreting",
        supplier=SupplierFactory(name="Brookbridge Language Partners"),
    )


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("roof", ["NBC/2024/001"]),  # a word of the title
        ("interp", ["RBK-77"]),  # the start of a word
        ("home care", ["NBC/2023/014"]),  # words in the order typed
        ("Library Books", ["NBC/2023/015"]),  # whatever the case
        ("oak", ["NBC/2023/014", "NBC/2023/015"]),  # the start of the supplier's name
        ("harbourstone contractors", ["NBC/2024/001"]),  # the supplier's name
        ("NBC/2023", ["NBC/2023/014", "NBC/2023/015"]),  # the start of a reference
        ("rbk-77", ["RBK-77"]),  # a whole reference
        ("stationery", []),
        ("%", []),  # a wildcard is a character like any other
    ],
)
def test_the_search_finds_by_title_words_supplier_names_and_references(register, search, expected):
    assert found(search) == expected


def test_the_search_follows_a_renamed_supplier_and_a_retitled_contract(register, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    supplier = SupplierFactory(name="Kestrel Fleet Ltd")
    contract = ContractFactory(reference="K-1", title="Fleet vehicles", supplier=supplier)
    supplier_update(
        supplier=supplier, fields={"name": "Wrenfield Motors Ltd"}, by=head, reason="Renamed"
    )
    assert found("wrenfield") == ["K-1"]
    assert found("kestrel") == []
    contract_update(contract=contract, fields={"title": "Gritting lorries"}, by=head, reason="Typo")
    assert found("gritting") == ["K-1"]
    assert found("fleet vehicles") == []
    contract.refresh_from_db()
    assert contract.history.count() == 2  # the search's own words are no part of the history


def test_the_words_of_a_search_become_a_text_search_query():
    assert words_query("Home  care!") == "home:* <-> care:*"
    assert words_query("R-") == "r"
    assert words_query("%_ ") == ""


def test_a_long_list_says_about_how_many_beyond_the_exact_count(client, make_user, monkeypatch):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory.create_batch(55, title="Road works")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contracts_contract")
    register = reverse("contracts:register")
    exact = client.get(register, {"q": "road"})
    assert exact.context["page"].paginator.count_is_exact
    assert "<strong>55</strong> contracts" in exact.content.decode()
    # The first page counts a page and one more at least: 51 of the 55 here.
    monkeypatch.setattr(EstimatingPaginator, "exact_up_to", 10)
    estimated = client.get(register, {"q": "road works"})
    paginator = estimated.context["page"].paginator
    assert not paginator.count_is_exact
    assert paginator.count >= 50
    html = estimated.content.decode()
    # The database's estimate, or where it is less than was counted, what was counted.
    said = f"about {paginator.count}" if paginator.count > 51 else "more than 50"
    assert f"<strong>{said}</strong> contracts" in html
    assert "Page 1 of about " in html
    assert 'href="?q=road+works&amp;page=2"' in html
    assert len(estimated.context["page"].object_list) == 50


def test_stepping_past_the_estimate_counts_exactly_and_finds_the_last_page(db):
    ContractFactory.create_batch(23)
    contracts = contracts_register(filters=RegisterFilters(), today=timezone.localdate())
    paginator = EstimatingPaginator(contracts, 5, exact_up_to=6)
    first = paginator.get_page(1)
    assert not paginator.count_is_exact
    assert first.has_next()
    paginator = EstimatingPaginator(contracts, 5, exact_up_to=6)
    beyond = paginator.get_page(9)
    assert paginator.count_is_exact
    assert (paginator.count, beyond.number, len(beyond.object_list)) == (23, 5, 3)
    assert not beyond.has_next()


def test_an_estimate_is_said_to_three_figures():
    assert [rounded(n) for n in (7, 999, 12437, 100000, 1234567)] == [
        7,
        999,
        12400,
        100000,
        1230000,
    ]


@pytest.fixture
def varied():
    """Contracts with ties in every sort: shared titles, suppliers of one name, equal values,
    equal end dates and rolling contracts with none."""
    rng = random.Random(29)  # noqa: S311 - the test's data, not a secret
    today = timezone.localdate()
    suppliers = [
        SupplierFactory(name=name) for name in ("Acme Ltd", "Acme Ltd", "Birch plc", "Zed")
    ]
    for n in range(150):
        ContractFactory(
            reference=f"V-{rng.randint(1, 60):03d}",
            lot=str(n),
            title=rng.choice(("Grit salt", "Home care", "Library books", "Fleet vehicles")),
            supplier=rng.choice(suppliers),
            whole_life_value=Decimal(rng.choice((9000, 40000, 60000, 250000))),
            start_date=today - timedelta(days=400),
            end_date=None if n % 7 == 0 else today + timedelta(days=rng.choice((30, 200, 900))),
            review_date=today + timedelta(days=100),
        )


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_read_by_id_hold_exactly_the_rows_offset_would(varied, sort, descending):
    contracts = contracts_register(
        filters=RegisterFilters(), today=timezone.localdate(), sort=sort, descending=descending
    )
    everything = [contract.pk for contract in contracts]
    paginator = EstimatingPaginator(contracts, 7, exact_up_to=20)
    paged, number = [], 1
    while True:
        page = paginator.get_page(number)
        paged += [contract.pk for contract in page.object_list]
        offset = [contract.pk for contract in contracts[(number - 1) * 7 : number * 7]]
        assert [contract.pk for contract in page.object_list] == offset
        if not page.has_next():
            break
        number += 1
        paginator = EstimatingPaginator(contracts, 7, exact_up_to=20)
    assert paged == everything
    assert len(everything) == 150


def test_rolling_contracts_come_last_by_end_date_either_way(varied):
    today = timezone.localdate()
    for descending in (False, True):
        contracts = contracts_register(
            filters=RegisterFilters(), today=today, sort="end", descending=descending
        )
        ends = [contract.end_date for contract in contracts]
        dated = [end for end in ends if end is not None]
        assert ends == dated + [None] * (len(ends) - len(dated))
        assert dated == sorted(dated, reverse=descending)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_page_runs_the_same_number_of_queries(client, make_user, varied, monkeypatch):
    client.force_login(make_user(Role.AUDITOR))
    monkeypatch.setattr(EstimatingPaginator, "exact_up_to", 20)
    register = reverse("contracts:register")
    counts = {
        queries_for(client, f"{register}?sort={sort}&page={page}")
        for sort in ("reference", "supplier", "end")
        for page in (1, 2, 3)
    }
    counts.add(queries_for(client, f"{register}?q=home&sort=supplier&order=desc&page=2"))
    # One more where the count stops short and the database is asked for its estimate.
    assert max(counts) - min(counts) <= 1
    ContractFactory.create_batch(30)
    assert queries_for(client, f"{register}?sort=value&page=4") <= max(counts)


def test_the_api_says_whether_its_count_is_exact(make_user, monkeypatch):
    auditor = make_user(Role.AUDITOR)
    _, key = api_token_create(
        user=auditor, name="Test", expires_on=timezone.localdate() + timedelta(days=1), by=auditor
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    ContractFactory.create_batch(5)
    body = api.get("/api/v1/contracts/?page_size=2&page=3").json()
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (5, True, 1)
    monkeypatch.setattr(EstimatingPaginator, "exact_up_to", 2)
    body = api.get("/api/v1/contracts/?page_size=2").json()
    assert (body["count_is_exact"], len(body["results"])) == (False, 2)
    assert body["next"]
