"""The spend index, the dashboard and the annual report give the same figures for the same
twelve months, from one totals selector: "no contract" is a payment the rules or an officer found
no contract for, "waiting" one waiting for an officer's contract match whatever its supplier's;
and the report's bands of spend with no contract are the no-contract list's lines, so they add
up to the report's own figure and the list's.

The year 2025/26 seen on its last day, 31 March 2026 (its twelve months):

- Supplier S, no contract: £3,000 in Adults and £4,000 in Place (two lines of the list).
- Redacted payees in Adults, no contract: £700 (one line, "Redacted").
- Refunds Ltd, no contract: £100 and a £300 credit note (a line of minus £200).
- Corner Shop, no contract, explained: £6,000.
- Supplier X: £8,500 under its contract in Adults, £300 in Place waiting for a contract match.
- A payee waiting for a supplier match (so for a contract match too): £200.
- £50 with no contract on 31 March 2025, before the year.

So paid £22,500: £8,500 on contract, £13,500 with no contract, £500 waiting in 2 payments.
"""

from datetime import date
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.numbers import money
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from reporting.annual import spend_section
from reporting.dashboard import spend_figures as dashboard_figures
from reporting.selectors import Scope
from spend.models import Explanation, Payment, SpendThreshold
from spend.selectors.gaps import (
    gap_line,
    no_contract_bands,
    no_contract_lines,
    spend_figures,
    spend_totals,
    twelve_months_to,
)
from spend.selectors.insight import supplier_opportunities
from spend.services.gaps import spend_explain
from spend.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 31)
SCOPE = Scope(year=2025, today=TODAY)
Supplier = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def pay(amount: str, paid_on: date = date(2025, 9, 1), **fields) -> Payment:
    return PaymentFactory(paid_on=paid_on, amount=Decimal(amount), **fields)


@pytest.fixture
def year(make_user):
    SpendThreshold.objects.all().delete()
    SpendThreshold.objects.create(amount=Decimal("5000"), label="Quotes")
    SpendThreshold.objects.create(amount=Decimal("30000"), label="Notifiable")
    adults = DirectorateFactory(name="Adults", code="adults")
    place = DirectorateFactory(name="Place", code="place")
    none = {"contract_match": ContractMatch.NONE, "supplier_match": Supplier.NOT_ON_REGISTER}
    s = SupplierFactory(name="S Ltd")
    matched = {"supplier": s, "supplier_match": Supplier.NAME, "contract_match": ContractMatch.NONE}
    pay("3000", directorate=adults, payee="S Ltd", **matched)
    pay("4000", directorate=place, payee="S Ltd", **matched)
    pay("700", directorate=adults, payee="REDACTED", is_redacted=True, **none)
    pay("100", payee="Refunds Ltd", **none)
    pay("-300", payee="Refunds Ltd", **none)
    pay("6000", payee="Corner Shop", **none)
    x = SupplierFactory(name="X Ltd")
    contract = ContractFactory(supplier=x, directorate=adults, whole_life_value=Decimal("90000"))
    pay(
        "8500",
        directorate=adults,
        supplier=x,
        supplier_match=Supplier.NAME,
        contract=contract,
        contract_match=ContractMatch.REFERENCE,
    )
    pay("300", directorate=place, supplier=x, supplier_match=Supplier.NAME, payee="X Ltd")
    pay("200", payee="Someone New")  # waiting for a supplier, so for a contract
    pay("50", paid_on=date(2025, 3, 31), payee="Last Year Ltd", **none)
    line = next(row for row in no_contract_lines(today=TODAY) if row["total"] == Decimal("6000"))
    spend_explain(
        line=gap_line(
            supplier_id=None,
            payee_key=line["line_payee"],
            directorate_id=line["line_directorate"] or None,
            today=TODAY,
        ),
        kind=Explanation.Kind.GRANT,
        note="Community grant",
        by=make_user(Role.HEAD_OF_PROCUREMENT),
    )


def test_the_index_the_dashboard_and_the_report_give_the_same_totals(year):
    assert twelve_months_to(TODAY) == (SCOPE.start, SCOPE.end)
    totals = spend_totals(start=SCOPE.start, end=SCOPE.end)
    assert (totals.paid, totals.on_contract, totals.no_contract) == (
        Decimal("22500"),
        Decimal("8500"),
        Decimal("13500"),
    )
    assert (totals.waiting, totals.waiting_payments, totals.waiting_payees) == (
        Decimal("500"),
        2,
        2,
    )
    index = spend_figures(today=TODAY)
    assert index.totals == totals
    assert index.unexplained == Decimal("7500")
    assert dashboard_figures(SCOPE).totals == totals
    figures = {key: Decimal(found) for key, found in spend_section(SCOPE)["figures"].items()}
    assert (figures["paid"], figures["on_contract"], figures["no_contract"]) == (
        totals.paid,
        totals.on_contract,
        totals.no_contract,
    )
    assert figures["waiting"] == totals.waiting


def test_a_payment_waiting_for_a_contract_is_not_an_aggregation_opportunity(year):
    rows = list(supplier_opportunities(start=SCOPE.start, end=SCOPE.end))
    # X Ltd is paid by two directorates under one contract, and waits in the other: nothing to
    # aggregate yet. S Ltd is paid by two directorates with no contract.
    assert [(r["supplier__name"], r["paid_no_contract"], r["lines_no_contract"]) for r in rows] == [
        ("S Ltd", Decimal("7000"), 2)
    ]


def test_the_reports_bands_add_up_to_its_no_contract_figure_and_the_lists(year):
    section = spend_section(SCOPE)
    bands = no_contract_bands(start=SCOPE.start, end=SCOPE.end)
    listed = list(no_contract_lines(today=TODAY))
    assert [(band.label, band.lines, band.paid) for band in bands] == [
        ("Under £5,000", 4, Decimal("7500")),
        ("£5,000 to under £30,000", 1, Decimal("6000")),
        ("£30,000 or more", 0, Decimal("0")),
    ]
    total = sum(band.paid for band in bands)
    assert (
        total == Decimal(section["figures"]["no_contract"]) == sum(row["total"] for row in listed)
    )
    assert sum(band.lines for band in bands) == len(listed)
    (table, _) = section["tables"]
    assert [row[2] for row in table["rows"]] == [money(band.paid, 0) for band in bands]
    assert any("adds up to the spend with no contract" in text for text in section["narrative"])
