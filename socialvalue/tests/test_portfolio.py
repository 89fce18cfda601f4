"""Committed against delivered across the portfolio, by theme, directorate, supplier and year,
against figures worked by hand; the CSV export; and the page's fixed number of queries."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from socialvalue.selectors import PortfolioFilters, social_value_portfolio
from socialvalue.services import commitment_add, return_query, return_record, return_verify

from .factories import library, running_contract

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 22)


@pytest.fixture
def portfolio(make_user):
    """Three contracts in two directorates with two suppliers:

    - A (directorate X, supplier S1): 100 hours by 31/3/2027 and 10 people by 31/3/2028
    - B (directorate Y, supplier S2): 50 hours by 31/12/2026
    - C (directorate X, supplier S2): £1,000 local spend by 30/6/2027

    Verified: A 30 hours in Q3 2025/26 and 20 in Q1 2026/27, and 4 people in Q1 2026/27; B 10
    hours in Q1 2026/27; C £250 in Q1 2026/27. A's 5 hours in Q2 2026/27 await verification and
    B's 7 hours in Q2 2026/27 were queried.
    """
    skills = library(measures=[("HRS", "hours", "10.00"), ("PPL", "people", None)])
    local = library(name="Local", measures=[("LOC", "£", None)], theme="Local economy")
    hours, people = skills.measures.order_by("order")
    [spend] = local.measures.all()
    x, y = DirectorateFactory(name="X"), DirectorateFactory(name="Y")
    s1, s2 = SupplierFactory(name="S1"), SupplierFactory(name="S2")
    term = {"start_date": date(2025, 4, 1), "end_date": date(2029, 3, 31)}
    a = running_contract(directorate=x, supplier=s1, **term)
    b = running_contract(directorate=y, supplier=s2, **term)
    c = running_contract(directorate=x, supplier=s2, **term)
    head = make_user(Role.HEAD_OF_PROCUREMENT)

    def plan(contract, measure, quantity, target):
        return commitment_add(
            contract=contract,
            measure=measure,
            quantity=D(quantity),
            target_date=target,
            by=head,
        )

    def deliver(commitment, quarter, quantity, then="verify"):
        made = return_record(
            commitment=commitment,
            period_start=quarter,
            quantity=D(quantity),
            evidence="Evidence",
            by=head,
            today=TODAY,
        )
        checker = commitment.contract.contract_manager
        if then == "verify":
            return_verify(delivery_return=made, by=checker)
        elif then == "query":
            return_query(delivery_return=made, query="Which weeks?", by=checker)

    a_hours = plan(a, hours, 100, date(2027, 3, 31))
    a_people = plan(a, people, 10, date(2028, 3, 31))
    b_hours = plan(b, hours, 50, date(2026, 12, 31))
    c_spend = plan(c, spend, 1000, date(2027, 6, 30))
    deliver(a_hours, date(2025, 10, 1), 30)
    deliver(a_hours, date(2026, 4, 1), 20)
    deliver(a_hours, date(2026, 7, 1), 5, then="wait")
    deliver(a_people, date(2026, 4, 1), 4)
    deliver(b_hours, date(2026, 4, 1), 10)
    deliver(b_hours, date(2026, 7, 1), 7, then="query")
    deliver(c_spend, date(2026, 4, 1), 250)
    return {"X": x, "Y": y, "S1": s1, "S2": s2}


def figures(by, **filters):
    """Each group's rows as (code, committed, delivered, awaiting, contracts), in library order."""
    return {
        group.label: [
            (r.measure.code, r.committed, r.delivered, r.awaiting, r.contracts) for r in group.rows
        ]
        for group in social_value_portfolio(filters=PortfolioFilters(**filters), by=by)
    }


def test_by_theme(portfolio):
    assert figures("theme") == {
        "Local economy": [("LOC", 1000, 250, 0, 1)],
        "Skills": [("HRS", 150, 60, 5, 2), ("PPL", 10, 4, 0, 1)],
    }
    [local, skills] = social_value_portfolio(filters=PortfolioFilters(), by="theme")
    hours = skills.rows[0]
    assert (hours.percent, hours.committed_value, hours.delivered_value) == (40, 1500, 600)
    assert (skills.committed_value, skills.delivered_value) == (D("1500.00"), D("600.00"))
    assert local.committed_value is None  # no measure in it has a proxy value


def test_by_directorate(portfolio):
    assert figures("directorate") == {
        "X": [("LOC", 1000, 250, 0, 1), ("HRS", 100, 50, 5, 1), ("PPL", 10, 4, 0, 1)],
        "Y": [("HRS", 50, 10, 0, 1)],
    }
    assert figures("theme", directorate_id=portfolio["Y"].pk) == {"Skills": [("HRS", 50, 10, 0, 1)]}


def test_by_supplier(portfolio):
    assert figures("supplier") == {
        "S1": [("HRS", 100, 50, 5, 1), ("PPL", 10, 4, 0, 1)],
        "S2": [("LOC", 1000, 250, 0, 1), ("HRS", 50, 10, 0, 1)],
    }


def test_by_financial_year(portfolio):
    # Committed by the year the target date falls in; delivered by the quarter's year.
    assert figures("year") == {
        "2025/26": [("HRS", 0, 30, 0, 0)],
        "2026/27": [("LOC", 0, 250, 0, 0), ("HRS", 150, 30, 5, 2), ("PPL", 0, 4, 0, 0)],
        "2027/28": [("LOC", 1000, 0, 0, 1), ("PPL", 10, 0, 0, 1)],
    }
    assert figures("theme", year=2026, theme="Skills") == {
        "Skills": [("HRS", 150, 30, 5, 2), ("PPL", 0, 4, 0, 0)]
    }


def test_the_page_shows_raw_outputs_beside_values_with_a_chart_and_table_each(
    portfolio, client, make_user
):
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("socialvalue:portfolio")).content.decode()
    assert "150 hours" in page
    assert "£600 of £1,500" in page
    assert "£250" in page  # local spend, a raw output counted in pounds
    assert (
        page.count('<svg width="100%"')
        == page.count("committed against delivered, by measure</caption>") + 1
    )


def test_the_csv_export_has_the_same_figures(portfolio, client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    response = client.get(reverse("socialvalue:export"), {"by": "directorate"})
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    hours_in_x = next(r for r in rows if r["Directorate"] == "X" and r["Measure code"] == "HRS")
    assert hours_in_x["Committed"] == "100.00"
    assert hours_in_x["Delivered (verified)"] == "50.00"
    assert hours_in_x["Awaiting verification"] == "5.00"
    assert hours_in_x["Delivered £ value"] == "500.00"
    assert next(r for r in rows if r["Measure code"] == "LOC")["Delivered £ value"] == ""
    assert len(rows) == 4


def test_the_page_costs_the_same_queries_whatever_the_data(portfolio, client, make_user):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("socialvalue:portfolio")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"by": "supplier"})
    extra = library(name="More", measures=[("MORE", "weeks", "5")])
    [measure] = extra.measures.all()
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    for _ in range(4):
        contract = running_contract(start_date=date(2025, 4, 1), end_date=date(2029, 3, 31))
        commitment = commitment_add(
            contract=contract, measure=measure, quantity=D(9), target_date=date(2028, 1, 1), by=head
        )
        made = return_record(
            commitment=commitment,
            period_start=date(2026, 4, 1),
            quantity=D(3),
            evidence="Evidence",
            by=head,
            today=TODAY,
        )
        return_verify(delivery_return=made, by=contract.contract_manager)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"by": "supplier"})
    assert len(many) == len(few)
