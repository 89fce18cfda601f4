"""The published register searches, filters and sorts like the internal one, on public fields
only, and its Transparency Code CSV follows the same search and filters."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.exports import TRANSPARENCY_HEADINGS
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


def csv_references(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == TRANSPARENCY_HEADINGS
    return [dict(zip(rows[0], row, strict=True))["Reference"] for row in rows[1:]]


def page_references(response) -> list[str]:
    return [contract.reference for contract in response.context["page"].object_list]


@pytest.fixture
def published():
    """Four published contracts and one under £5,000, which is never published."""
    housing = DirectorateFactory(name="Housing")
    roads = DirectorateFactory(name="Roads")
    sme = SupplierFactory(name="Small Bakers Ltd", is_sme=True)
    charity = SupplierFactory(name="Food Trust", is_vcse=True)
    return {
        "bread": ContractFactory(
            reference="P-1",
            title="Bread for day centres",
            supplier=sme,
            directorate=housing,
            whole_life_value=Decimal("20000.00"),
        ),
        "meals": ContractFactory(
            reference="P-2",
            title="Meals on wheels",
            supplier=charity,
            directorate=housing,
            whole_life_value=Decimal("80000.00"),
        ),
        "gritting": ContractFactory(
            reference="P-3",
            title="Winter gritting",
            directorate=roads,
            whole_life_value=Decimal("2000000.00"),
        ),
        "signs": ContractFactory(
            reference="P-4",
            title="Road signs",
            directorate=roads,
            whole_life_value=Decimal("5000.01"),
        ),
        "small": ContractFactory(
            reference="P-5",
            title="Road cones",
            supplier=sme,
            directorate=roads,
            whole_life_value=Decimal("5000.00"),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["P-1", "P-2", "P-3", "P-4"]),
        ({"q": "road"}, ["P-4"]),
        ({"q": "bakers"}, ["P-1"]),
        ({"directorate": "roads"}, ["P-3", "P-4"]),
        ({"value": "50k_to_100k"}, ["P-2"]),
        ({"value": "5k_to_50k"}, ["P-1", "P-4"]),
        ({"sme": "on"}, ["P-1"]),
        ({"vcse": "on"}, ["P-2"]),
        ({"directorate": "housing", "sme": "on"}, ["P-1"]),
    ],
)
def test_search_and_filters_narrow_the_page_and_the_csv_alike(client, published, query, expected):
    if "directorate" in query:
        query = {
            **query,
            "directorate": published[
                "gritting" if query["directorate"] == "roads" else "bread"
            ].directorate_id,
        }
    page = client.get(reverse("register:public"), query)
    assert page.status_code == 200
    assert page_references(page) == expected
    assert page.context["page"].paginator.count == len(expected)
    assert csv_references(client.get(reverse("register:transparency_csv"), query)) == expected


def test_the_csv_link_carries_the_search_and_filters(client, published):
    page = client.get(reverse("register:public"), {"q": "road", "sme": "on"})
    html = page.content.decode()
    assert f'href="{reverse("register:transparency_csv")}?q=road&amp;sme=on"' in html
    assert "Download these as CSV" in html


def test_sorting_by_value_descending_orders_the_page_and_the_csv(client, published):
    query = {"sort": "value", "order": "desc"}
    expected = ["P-3", "P-2", "P-1", "P-4"]
    assert page_references(client.get(reverse("register:public"), query)) == expected
    assert csv_references(client.get(reverse("register:transparency_csv"), query)) == expected


def test_an_unknown_sort_falls_back_to_the_reference(client, published):
    page = client.get(reverse("register:public"), {"sort": "manager", "order": "sideways"})
    assert page_references(page) == ["P-1", "P-2", "P-3", "P-4"]


def test_an_invalid_filter_is_shown_beside_its_field_and_the_others_still_apply(client, published):
    page = client.get(reverse("register:public"), {"value": "up_to_5k", "q": "road"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Choose a value band from the list") == 2  # the summary and the field
    assert "govuk-error-summary" in html
    assert "Error: Contracts over £5,000" in html
    assert page_references(page) == ["P-4"]
    csv = client.get(reverse("register:transparency_csv"), {"value": "up_to_5k", "q": "road"})
    assert csv_references(csv) == ["P-4"]


def test_a_directorate_that_does_not_exist_is_refused_and_ignored(client, published):
    page = client.get(reverse("register:public"), {"directorate": "999999"})
    assert "Choose a directorate from the list" in page.content.decode()
    assert page_references(page) == ["P-1", "P-2", "P-3", "P-4"]


def test_the_public_form_offers_no_internal_filters(client, published):
    form = client.get(reverse("register:public")).context["form"]
    assert set(form.fields) == {"q", "directorate", "value", "sme", "vcse"}
    page = client.get(reverse("register:public"), {"problem": "no_manager", "status": "expired"})
    assert page_references(page) == ["P-1", "P-2", "P-3", "P-4"]


def test_paging_keeps_the_filters(client, published):
    ContractFactory.create_batch(55, title="Road works", whole_life_value=Decimal("9000.00"))
    page = client.get(reverse("register:public"), {"q": "road"})
    assert page.context["page"].paginator.count == 56
    assert 'href="?q=road&amp;page=2"' in page.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(client, published, django_assert_max_num_queries):
    ContractFactory.create_batch(30, whole_life_value=Decimal("9000.00"))
    with django_assert_max_num_queries(6):
        client.get(reverse("register:public"), {"q": "contract", "sme": "on", "sort": "value"})
