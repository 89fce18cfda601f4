"""The review queue's pages and selectors (spend/views/queue.py, spend/selectors/queue.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Supplier
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.matching import attribute_contracts
from spend.models import ContractChoice, Payment, SpendSettings, SupplierMatch
from spend.names import payee_key
from spend.selectors.queue import (
    contracts_waiting,
    payees_waiting,
    supplier_candidates,
    suppliers_named,
)

from .factories import PaymentFactory

pytestmark = pytest.mark.django_db
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def _payee_url(payment) -> str:
    return reverse("spend:queue_payee", args=[payment.source_id, payment.payee_key])


def _supplier_url(supplier, directorate) -> str:
    return reverse("spend:queue_supplier", args=[supplier.pk, directorate.pk if directorate else 0])


# --- Selectors -----------------------------------------------------------------------------------


def test_payees_waiting_are_grouped_and_totalled_largest_first():
    here, there = DirectorateFactory(name="Adults"), DirectorateFactory(name="Housing")
    first = PaymentFactory(payee="Acme Clean Ltd", amount=Decimal("100.00"), directorate=here)
    PaymentFactory(
        batch=first.batch, payee="ACME CLEAN LIMITED", amount=Decimal("-20.00"), directorate=there
    )
    PaymentFactory(
        batch=first.batch, payee="Big Spend", amount=Decimal("5000.00"), directorate=here
    )
    PaymentFactory(batch=first.batch, payee="Matched", supplier_match=Match.NAME)
    rows = list(payees_waiting())
    assert [(r["payee_key"], r["payments"], r["total"]) for r in rows] == [
        ("big spend", 1, Decimal("5000.00")),
        ("acme clean limited", 2, Decimal("80.00")),
    ]
    assert [r["payee_key"] for r in payees_waiting(directorate=there)] == ["acme clean limited"]


def test_likely_suppliers_come_with_their_scores_and_the_threshold():
    exact_words = SupplierFactory(name="Acme Cleaning Services Ltd")
    near = SupplierFactory(name="Acme Clean Co")
    SupplierFactory(name="Zenith Ltd")
    found = supplier_candidates(key=payee_key("Acme Cleaning Service"), threshold=85)
    assert [c.supplier for c in found][:2] == [exact_words, near]
    assert found[0].score >= 85
    assert found[0].likely
    assert found[1].score < found[0].score
    assert not any(c.supplier.name == "Zenith Ltd" for c in found)
    # The council's threshold decides what is likely.
    SpendSettings.objects.update_or_create(pk=1, defaults={"match_threshold": 99})
    SpendSettings.objects.exclude(pk=1).delete()
    assert not supplier_candidates(key=payee_key("Acme Cleaning Service"))[0].likely


def test_likely_suppliers_are_found_among_many_in_one_query():
    Supplier.objects.bulk_create(Supplier(name=f"Contractor {n} Services Ltd") for n in range(5000))
    wanted = SupplierFactory(name="Thornbury Landscapes Ltd")
    with CaptureQueriesContext(connection) as queries:
        found = supplier_candidates(key=payee_key("Thornbury Landscape Services"), threshold=85)
    assert len(queries) == 1
    assert found[0].supplier == wanted
    assert len(found) <= 5


def test_the_search_finds_suppliers_by_name_or_number():
    acme = SupplierFactory(name="Acme Ltd", companies_house_number="01234567")
    assert suppliers_named("acm") == [acme]
    assert suppliers_named("01234567") == [acme]
    assert suppliers_named("   ") == []


def test_payments_waiting_for_a_contract_are_grouped_by_supplier_and_directorate():
    here = DirectorateFactory()
    supplier = SupplierFactory()
    start = timezone.localdate() - timedelta(days=300)
    ContractFactory(supplier=supplier, directorate=here, start_date=start)
    ContractFactory(supplier=supplier, directorate=here, start_date=start)
    for amount in ("10.00", "20.00"):
        PaymentFactory(
            supplier=supplier, supplier_match=Match.NAME, directorate=here, amount=Decimal(amount)
        )
    attribute_contracts(Payment.objects.all())
    [row] = contracts_waiting()
    assert (row["supplier"], row["directorate"], row["payments"], row["total"]) == (
        supplier.pk,
        here.pk,
        2,
        Decimal("30.00"),
    )
    assert list(contracts_waiting(directorate=DirectorateFactory())) == []


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def officer(make_user):
    return make_user(Role.PROCUREMENT_OFFICER, directorate=DirectorateFactory(name="Adults"))


def test_the_queue_lists_an_officers_own_directorate_only(client, officer, make_user):
    ours = PaymentFactory(payee="Ours Ltd", directorate=officer.directorate)
    PaymentFactory(payee="Theirs Ltd", directorate=DirectorateFactory())
    client.force_login(officer)
    page = client.get(reverse("spend:queue")).content.decode()
    assert "Ours Ltd" in page
    assert "Theirs Ltd" not in page
    assert _payee_url(ours) in page
    assert '<td class="govuk-table__cell">Adults</td>' in page  # its directorates
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    page = client.get(reverse("spend:queue")).content.decode()
    assert "Ours Ltd" in page
    assert "Theirs Ltd" in page
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(reverse("spend:queue")).status_code == 403


def _waiting_payees(count: int, directorate) -> None:
    for n in range(count):
        PaymentFactory(payee=f"Payee number {n}", directorate=directorate)
    supplier = SupplierFactory()
    start = timezone.localdate() - timedelta(days=300)
    for _ in range(2):
        ContractFactory(supplier=supplier, directorate=directorate, start_date=start)
    for _ in range(count):
        PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=directorate)
        supplier = SupplierFactory()
        for _ in range(2):
            ContractFactory(supplier=supplier, directorate=directorate, start_date=start)
    attribute_contracts(Payment.objects.all())


@pytest.mark.parametrize("name", ["spend:queue", "spend:queue_contracts"])
def test_the_queue_reads_the_same_number_of_queries_at_two_sizes(client, officer, name):
    client.force_login(officer)
    _waiting_payees(2, officer.directorate)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    _waiting_payees(20, officer.directorate)
    with CaptureQueriesContext(connection) as more:
        page = client.get(reverse(name)).content.decode()
    assert len(more) == len(few)
    assert page.count('class="govuk-table__row"') >= 21


def test_the_payee_page_shows_scores_and_confirming_remembers(client, officer):
    acme = SupplierFactory(name="Acme Cleaning Services Ltd", companies_house_number="07654321")
    payment = PaymentFactory(payee="Acme Clean Services", directorate=officer.directorate)
    client.force_login(officer)
    page = client.get(_payee_url(payment)).content.decode()
    assert "Which supplier is Acme Clean Services?" in page
    assert "Acme Cleaning Services Ltd" in page
    assert "Score 9" in page
    assert "out of 100: likely" in page
    assert "Not a supplier on the register" in page
    # The search box finds another supplier, by number.
    other = SupplierFactory(name="Quite Different plc", companies_house_number="01112223")
    page = client.get(_payee_url(payment), {"q": "01112223"}).content.decode()
    assert f'value="{other.pk}"' in page
    assert "Found by your search" in page

    response = client.post(_payee_url(payment), {"supplier": str(acme.pk), "reason": ""})
    assert response.status_code == 302
    match = SupplierMatch.objects.get()
    assert (match.supplier, match.decided_by) == (acme, officer)
    assert 80 <= match.score < 100
    assert match.history.get().history_change_reason == "Confirmed in the review queue"
    payment.refresh_from_db()
    assert payment.supplier_match == Match.CONFIRMED


def test_the_payee_page_shows_bad_input_in_an_error_summary(client, officer):
    payment = PaymentFactory(payee="Acme", directorate=officer.directorate)
    client.force_login(officer)
    for data in ({}, {"supplier": "not-a-supplier"}, {"supplier": "999999"}):
        response = client.post(_payee_url(payment), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in page
        assert 'href="#id_supplier"' in page
    assert not SupplierMatch.objects.exists()
    response = client.post(_payee_url(payment), {"supplier": "none"})
    assert response.status_code == 302
    assert SupplierMatch.objects.get().supplier is None


def test_another_directorates_payee_and_supplier_are_refused(client, officer):
    theirs = DirectorateFactory()
    payment = PaymentFactory(payee="Theirs Ltd", directorate=theirs)
    supplier = SupplierFactory()
    PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=theirs)
    client.force_login(officer)
    assert client.get(_payee_url(payment)).status_code == 403
    assert client.post(_payee_url(payment), {"supplier": "none"}).status_code == 403
    assert client.get(_supplier_url(supplier, theirs)).status_code == 403
    assert client.get(_supplier_url(supplier, None)).status_code == 403
    assert not SupplierMatch.objects.exists()
    nothing = reverse("spend:queue_payee", args=[payment.source_id, "nobody paid"])
    assert client.get(nothing).status_code in (403, 404)


def test_choosing_a_contract_on_the_page(client, officer):
    here = officer.directorate
    supplier = SupplierFactory()
    start = timezone.localdate() - timedelta(days=300)
    first = ContractFactory(
        supplier=supplier, directorate=here, start_date=start, title="Home care north"
    )
    ContractFactory(supplier=supplier, directorate=here, start_date=start, title="Home care south")
    payment = PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=here)
    attribute_contracts(Payment.objects.all())
    client.force_login(officer)
    url = _supplier_url(supplier, here)
    page = client.get(url).content.decode()
    assert "Home care north" in page
    assert "Under no contract on the register" in page
    day = payment.paid_on
    dates = {
        "paid_from_day": day.day,
        "paid_from_month": day.month,
        "paid_from_year": day.year,
        "paid_to_day": day.day,
        "paid_to_month": day.month,
        "paid_to_year": day.year - 1,
    }
    response = client.post(url, {"contract": str(first.pk), **dates})
    assert response.status_code == 200
    assert "before it starts" in response.content.decode()
    other = ContractFactory(directorate=here)
    response = client.post(url, {"contract": str(other.pk), **dates, "paid_to_year": day.year})
    assert "is not a contract with" in response.content.decode()
    assert not ContractChoice.objects.exists()
    response = client.post(
        url, {"contract": str(first.pk), **dates, "paid_to_year": day.year, "reason": "PO 77"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.contract, payment.contract_match) == (first, ContractMatch.CONFIRMED)
    assert ContractChoice.objects.get().history.get().history_user == officer
