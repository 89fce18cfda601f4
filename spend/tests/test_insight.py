"""Aggregation opportunities and payment performance against figures worked out by hand.

Payment performance, for the financial year 2025/26 (1 April 2025 to 31 March 2026):

- P1 SME, Adults: invoiced 31/08/2025, paid 30/09/2025 (the first period's last day): 30 days,
  so within 30 days (exactly 30 is within), not within the local 14.
- P2 VCSE, Place: received 31/08/2025 (invoiced 01/08, the received date wins), paid 01/10/2025
  (the second period's first day): 31 days, late.
- P3 large, Adults: invoiced 17/09/2025, paid 01/10/2025: 14 days, within both.
- P4 SME, Place: invoiced 25/05/2025, paid 01/06/2025: 7 days, within both.
- A credit note (-£200, with an invoice date) and a line with no invoice date are left out; a
  payment of 1 April 2026 is after the year.

So: 4 invoices, 3 within 30 days (75.0%), 1 late, 2 within 14 days (50.0%), average 20.5 days.
SMEs: P1, P4: 2, both within 30 days, 1 within 14, average 18.5. VCSEs: P2: 1, late, 31 days.
1 April to 30 September 2025: P1, P4 (2, both within 30). 1 October 2025 to 31 March 2026: P2,
P3 (2, 1 late, average 22.5). Adults: P1, P3 (2 within 30, 1 within 14, average 22.0). Place:
P2, P4 (1 within 30, 1 within 14, average 19.0).
"""

from datetime import date
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.models import ContractCategory
from procurement.tests.factories import DirectorateFactory
from spend.models import Payment, SpendThreshold
from spend.selectors.gaps import (
    contracts_past_counts,
    no_contract_bands,
    spend_totals,
    twelve_months_to,
)
from spend.selectors.insight import (
    category_opportunities,
    contracts_ending_together,
    directorates_paying,
    half_year_key,
    half_year_label,
    payment_performance,
    supplier_opportunities,
)
from spend.tests.factories import PaymentFactory, PaymentImportFactory

pytestmark = pytest.mark.django_db

START, END = date(2025, 4, 1), date(2026, 3, 31)
NONE = Payment.ContractMatch.NONE
REFERENCE = Payment.ContractMatch.REFERENCE


def pay(paid_on, amount="1000", **fields) -> Payment:
    return PaymentFactory(paid_on=paid_on, amount=Decimal(amount), **fields)


@pytest.fixture
def timed():
    adults = DirectorateFactory(name="Adults", code="adults")
    place = DirectorateFactory(name="Place", code="place")
    sme = SupplierFactory(name="Small Ltd", is_sme=True)
    vcse = SupplierFactory(name="Community Trust", is_vcse=True)
    large = SupplierFactory(name="Large plc")
    pay(date(2025, 9, 30), supplier=sme, directorate=adults, invoice_date=date(2025, 8, 31))
    pay(
        date(2025, 10, 1),
        supplier=vcse,
        directorate=place,
        invoice_date=date(2025, 8, 1),
        invoice_received_on=date(2025, 8, 31),
    )
    pay(date(2025, 10, 1), supplier=large, directorate=adults, invoice_date=date(2025, 9, 17))
    pay(date(2025, 6, 1), supplier=sme, directorate=place, invoice_date=date(2025, 5, 25))
    pay(date(2025, 6, 1), "-200", supplier=sme, directorate=place, invoice_date=date(2025, 1, 1))
    pay(date(2025, 7, 1), "500", supplier=large, directorate=adults)
    pay(date(2026, 4, 1), supplier=large, directorate=adults, invoice_date=date(2026, 1, 1))
    return adults, place


def test_payment_performance_overall_and_for_smes_and_vcses(timed):
    found = payment_performance(start=START, end=END)
    overall = found.overall
    assert (overall.invoices, overall.within_30, overall.late, overall.within_target) == (
        4,
        3,
        1,
        2,
    )
    assert (overall.within_30_share, overall.within_target_share) == (Decimal("75.0"), 50)
    assert overall.average_days == Decimal("20.5")
    assert (found.target_days, found.target_share) == (14, Decimal("90"))
    assert found.meets_target is False
    assert (found.no_invoice_date, found.credit_notes) == (1, 1)
    sme, vcse = found.sme, found.vcse
    assert (sme.invoices, sme.within_30, sme.within_target, sme.average_days) == (2, 2, 1, 18.5)
    assert (vcse.invoices, vcse.within_30, vcse.late, vcse.average_days) == (1, 0, 1, 31)


def test_payment_performance_by_six_month_period_splits_at_30_september(timed):
    periods = payment_performance(start=START, end=END).by_period
    assert [p.label for p in periods] == [
        "1 April 2025 to 30 September 2025",
        "1 October 2025 to 31 March 2026",
    ]
    first, second = periods
    assert (first.invoices, first.within_30, first.late, first.average_days) == (2, 2, 0, 18.5)
    assert (second.invoices, second.within_30, second.late, second.average_days) == (2, 1, 1, 22.5)


def test_payment_performance_by_directorate(timed):
    _adults, place = timed
    rows = payment_performance(start=START, end=END).by_directorate
    assert [(r.label, r.invoices, r.within_30, r.within_target, r.average_days) for r in rows] == [
        ("Adults", 2, 2, 1, Decimal("22.0")),
        ("Place", 2, 1, 1, Decimal("19.0")),
    ]
    only = payment_performance(start=START, end=END, directorate_id=place.pk)
    assert (only.overall.invoices, only.no_invoice_date, only.credit_notes) == (2, 0, 1)


def test_a_period_with_no_invoices_has_no_share():
    found = payment_performance(start=START, end=END)
    assert found.overall.invoices == 0
    assert found.overall.within_30_share is None
    assert found.meets_target is None


def test_half_years_turn_on_1_april_and_1_october():
    assert half_year_key(date(2025, 9, 30)) == half_year_key(date(2025, 4, 1)) == 4050
    assert half_year_key(date(2025, 10, 1)) == half_year_key(date(2026, 3, 31)) == 4051
    assert half_year_label(4051) == "1 October 2025 to 31 March 2026"
    assert twelve_months_to(date(2026, 3, 31)) == (START, END)


def test_suppliers_paid_by_several_directorates_apart():
    adults = DirectorateFactory(name="Adults", code="adults")
    place = DirectorateFactory(name="Place", code="place")
    housing = DirectorateFactory(name="Housing", code="housing")
    x, y, z, w = (SupplierFactory(name=name) for name in ("X Ltd", "Y Ltd", "Z Ltd", "W Ltd"))
    x1 = ContractFactory(supplier=x, directorate=adults, whole_life_value=Decimal("10000"))
    pay(date(2025, 5, 1), supplier=x, contract=x1, directorate=adults)
    pay(date(2025, 6, 1), "500", supplier=x, directorate=place, contract_match=NONE)
    # One contract shared by two directorates: nothing to aggregate.
    y1 = ContractFactory(supplier=y, directorate=adults)
    pay(date(2025, 5, 1), supplier=y, contract=y1, directorate=adults)
    pay(date(2025, 5, 1), supplier=y, contract=y1, directorate=place)
    pay(date(2025, 3, 31), supplier=y, directorate=housing, contract_match=NONE)  # before
    # Two contracts, each paid twice: their values counted once each.
    z1 = ContractFactory(supplier=z, directorate=adults, whole_life_value=Decimal("40000"))
    z2 = ContractFactory(supplier=z, directorate=place, whole_life_value=Decimal("60000"))
    for contract in (z1, z1, z2, z2):
        pay(date(2025, 8, 1), supplier=z, contract=contract, directorate=contract.directorate)
    pay(date(2025, 5, 1), supplier=w, directorate=adults, contract_match=NONE)
    rows = list(supplier_opportunities(start=START, end=END))
    assert [
        (r["supplier__name"], r["directorates"], r["contracts"], r["paid"], r["contract_value"])
        for r in rows
    ] == [
        ("Z Ltd", 2, 2, Decimal("4000"), Decimal("100000")),
        ("X Ltd", 2, 1, Decimal("1500"), Decimal("10000")),
    ]
    assert rows[1]["paid_no_contract"] == Decimal("500")
    assert directorates_paying(rows, start=START, end=END) == {
        z.pk: ["Adults", "Place"],
        x.pk: ["Adults", "Place"],
    }


def test_categories_bought_apart_and_contracts_ending_together():
    on = date(2026, 3, 31)
    first, second = ContractCategory.objects.order_by("pk")[:2]
    adults = DirectorateFactory(name="Adults", code="adults")
    place = DirectorateFactory(name="Place", code="place")

    def contract(category, directorate, end, value):
        return ContractFactory(
            category=category,
            directorate=directorate,
            start_date=date(2025, 1, 1),
            end_date=end,
            whole_life_value=Decimal(value),
        )

    contract(first, adults, date(2026, 4, 1), "10000")
    contract(first, place, date(2026, 9, 30), "20000")
    contract(first, place, date(2026, 10, 1), "30000")
    contract(first, place, date(2026, 3, 30), "99000")  # ended before ``on``
    contract(second, adults, date(2026, 5, 1), "5000")
    contract(second, adults, date(2026, 6, 1), "7000")
    rows = list(category_opportunities(on=on))
    assert [(r["category__name"], r["directorates"], r["contracts"], r["value"]) for r in rows] == [
        (first.name, 2, 3, Decimal("60000"))
    ]
    assert list(category_opportunities(on=on, category_id=second.pk)) == []
    ending = list(contracts_ending_together(on=on))
    assert [(r["category__name"], r["period"], r["contracts"], r["value"]) for r in ending] == [
        (first.name, 4052, 2, Decimal("30000")),
        (second.name, 4052, 2, Decimal("12000")),
    ]
    assert [r["category_id"] for r in contracts_ending_together(on=on, category_id=second.pk)] == [
        second.pk
    ]


def test_spend_totals_bands_and_contracts_past_value():
    SpendThreshold.objects.all().delete()
    SpendThreshold.objects.create(amount=Decimal("5000"), label="Quotes")
    SpendThreshold.objects.create(amount=Decimal("30000"), label="Notifiable")
    adults = DirectorateFactory(name="Adults", code="adults")
    supplier = SupplierFactory()
    contract = ContractFactory(supplier=supplier, whole_life_value=Decimal("10000"))
    on = {"supplier": supplier, "contract": contract, "contract_match": REFERENCE}
    pay(date(2025, 5, 1), "8500", directorate=adults, **on)
    batch = PaymentImportFactory()
    for paid_on, amount in ((date(2025, 6, 1), "3000"), (date(2025, 7, 1), "3000")):
        pay(paid_on, amount, payee="Corner Shop", contract_match=NONE, batch=batch)
    pay(date(2025, 7, 1), "-1000", payee="Corner Shop", contract_match=NONE, batch=batch)
    pay(date(2025, 7, 1), "40000", payee="Big Builder", contract_match=NONE)
    pay(date(2025, 7, 1), "700", payee="REDACTED", is_redacted=True, contract_match=NONE)
    pay(date(2025, 7, 1), "300", payee="Someone New")  # waiting for an officer
    totals = spend_totals(start=START, end=END)
    assert (totals.paid, totals.on_contract, totals.no_contract, totals.waiting) == (
        Decimal("54500"),
        Decimal("8500"),
        Decimal("45700"),
        Decimal("300"),
    )
    assert totals.on_contract_share == Decimal("15.6")
    assert spend_totals(start=START, end=END, directorate_id=adults.pk).paid == Decimal("8500")
    bands = no_contract_bands(start=START, end=END)
    assert [(b.label, b.lines, b.paid) for b in bands] == [
        ("Under £5,000", 1, Decimal("700")),
        ("£5,000 to under £30,000", 1, Decimal("5000")),
        ("£30,000 or more", 1, Decimal("40000")),
    ]
    assert sum(b.paid for b in bands) == totals.no_contract

    def past(on):
        found = contracts_past_counts(on=on)
        return found["contracts_near"], found["contracts_over"]

    assert past(END) == (1, 0)
    pay(date(2025, 8, 1), "2000", directorate=adults, **on)
    assert past(END) == (0, 1)
    assert past(date(2025, 7, 31)) == (1, 0)
