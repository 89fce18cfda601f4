"""The aggregation and payment performance pages: who may read them, their queries whatever the
number of payments, and their CSV, XLSX and API giving what the page gives."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.insight import TABLES
from spend.models import Payment
from spend.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

PAGES = (
    "spend:opportunity_suppliers",
    "spend:opportunity_categories",
    "spend:opportunity_ending",
    "spend:payment_performance",
)


def _payments(number: int) -> None:
    """``number`` suppliers each paid by two directorates, one under a contract and one with
    none, with invoice dates; and two categories of contracts ending together."""
    today = timezone.localdate()
    for _ in range(number):
        supplier = SupplierFactory(is_sme=True)
        first, second = DirectorateFactory(), DirectorateFactory()
        contract = ContractFactory(supplier=supplier, directorate=first)
        ContractFactory(directorate=second, end_date=contract.end_date)
        for directorate, on_contract in ((first, contract), (second, None)):
            PaymentFactory(
                supplier=supplier,
                contract=on_contract,
                directorate=directorate,
                contract_match=Payment.ContractMatch.NONE,
                paid_on=today - timedelta(days=20),
                invoice_date=today - timedelta(days=40),
            )


@pytest.mark.parametrize("name", PAGES)
def test_a_page_runs_the_same_queries_whatever_the_payments(client, make_user, name):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    _payments(2)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    queries()
    before = queries()
    _payments(8)
    assert queries() == before


def test_the_pages_are_for_those_who_may_read_spend(client, make_user):
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403


def test_a_category_not_on_the_list_is_explained(client, make_user):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    response = client.get(reverse("spend:opportunity_categories"), {"category": "99999"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_exports_and_the_api_give_the_page(client, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    client.force_login(head)
    _payments(3)
    page = client.get(reverse("spend:opportunity_suppliers"))
    rows = page.context["rows"]
    assert len(rows) == 3
    exported = _csv(client.get(reverse("spend:suppliers_csv")))
    assert exported[0] == TABLES["suppliers"].headings
    assert [r[0] for r in exported[1:]] == [r["supplier__name"] for r in rows]
    assert [Decimal(r[4]) for r in exported[1:]] == [r["paid"] for r in rows]
    xlsx = client.get(reverse("spend:suppliers_xlsx"))
    with zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert all(r["supplier__name"] in sheet for r in rows)
    api = APIClient()
    api.force_authenticate(head)
    found = api.get(reverse("api:spend-opportunity-suppliers")).json()
    assert found["count"] == 3
    assert [r["supplier"] for r in found["results"]] == [r["supplier__name"] for r in rows]
    assert [Decimal(r["paid"]) for r in found["results"]] == [r["paid"] for r in rows]


def test_the_performance_export_gives_the_page_figures(client, make_user):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    _payments(2)
    page = client.get(reverse("spend:payment_performance"))
    overall = page.context["found"].overall
    assert (overall.invoices, overall.within_30) == (4, 4)
    exported = _csv(client.get(reverse("spend:performance_csv")))
    first = exported[1]
    assert first[0] == "Overall"
    assert [int(first[2]), int(first[3]), Decimal(first[5])] == [4, 4, Decimal("100.0")]
    assert exported[2][0] == "SMEs"
    assert exported[-1][0] == "Six-month period"


def test_the_api_refuses_in_json(make_user):
    api = APIClient()
    assert api.get(reverse("api:spend-payment-performance")).status_code == 401
    api.force_authenticate(make_user(Role.CONTRACT_MANAGER))
    response = api.get(reverse("api:spend-payment-performance"))
    assert response.status_code == 403
    assert "detail" in response.json()
