"""Each spend figure has one definition, whichever page, list or alert shows it: the twelve months
to a day, and where a contract's share of its value paid stands (past it at 100% or more, near
it from 80% to under 100%)."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.tests.factories import DirectorateFactory
from spend.models import Payment
from spend.selectors.contract import contract_spend
from spend.selectors.gaps import (
    contracts_past_counts,
    no_contract_lines,
    past_lines_shown,
    past_value_or_dates,
    spend_figures,
    spend_totals,
    twelve_months_to,
)
from spend.selectors.insight import payment_performance
from spend.services.alerts import thresholds_passed

from .factories import PaymentFactory

pytestmark = pytest.mark.django_db
ContractMatch = Payment.ContractMatch


# --- The twelve months ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 3, 31), date(2025, 4, 1)),
        (date(2028, 3, 31), date(2027, 4, 1)),  # across 29 February 2028
        (date(2026, 2, 28), date(2025, 3, 1)),
        (date(2029, 2, 28), date(2028, 2, 29)),  # a year after a leap day
        (date(2028, 2, 29), date(2027, 3, 1)),  # on a leap day
    ],
)
def test_the_twelve_months_run_from_the_day_after_the_same_date_a_year_earlier(today, first):
    assert twelve_months_to(today) == (first, today)


def _no_contract(paid_on: date, amount: str) -> Payment:
    return PaymentFactory(
        paid_on=paid_on, amount=Decimal(amount), contract_match=ContractMatch.NONE
    )


@pytest.mark.parametrize(
    ("today", "before", "first"),
    [
        (date(2028, 3, 31), date(2027, 3, 31), date(2027, 4, 1)),
        (date(2029, 2, 28), date(2028, 2, 28), date(2028, 2, 29)),
    ],
)
def test_the_list_the_index_and_the_insight_pages_count_the_same_days(today, before, first):
    _no_contract(before, "1")  # the day before the twelve months
    _no_contract(first, "10")  # their first day
    _no_contract(today, "100")  # their last
    PaymentFactory(paid_on=first, amount=Decimal("1000"), invoice_date=first)
    start, end = twelve_months_to(today)
    listed = sum(row["total"] for row in no_contract_lines(today=today))
    assert listed == Decimal("110")
    assert spend_figures(today=today).totals.no_contract == listed
    assert spend_totals(start=start, end=end).no_contract == listed
    assert spend_figures(today=today).totals == spend_totals(start=start, end=end)
    assert spend_figures(today=today).unexplained == listed
    assert payment_performance(start=start, end=end).overall.invoices == 1


# --- Past its value, or near it ---------------------------------------------------------------


def _paid(value: str, paid: str):
    contract = ContractFactory(
        directorate=DirectorateFactory(),
        supplier=SupplierFactory(),
        whole_life_value=Decimal(value),
    )
    PaymentFactory(
        supplier=contract.supplier,
        contract=contract,
        contract_match=ContractMatch.REFERENCE,
        directorate=contract.directorate,
        paid_on=date(2025, 6, 1),
        amount=Decimal(paid),
    )
    return contract


def test_exactly_its_value_is_past_it_everywhere():
    contract = _paid("10000", "10000")
    counts = contracts_past_counts(on=date(2025, 12, 31))
    assert (counts["contracts_near"], counts["contracts_over"]) == (0, 1)
    assert contracts_past_counts() == counts
    (line,) = past_lines_shown(list(past_value_or_dates()))
    assert (line.share, line.is_over, line.is_near) == (Decimal("100.0"), True, False)
    spend = contract_spend(contract, today=date(2025, 12, 31))
    assert (spend.is_over, spend.is_near) == (True, False)
    (passed,) = thresholds_passed()
    assert passed.key == "100"


def test_just_short_of_its_value_is_near_it_everywhere_as_shown():
    # 99.996%: shown as 99.9%, not rounded up to a 100% the counts do not reach.
    contract = _paid("10000", "9999.60")
    counts = contracts_past_counts()
    assert (counts["contracts_near"], counts["contracts_over"]) == (1, 0)
    (line,) = past_lines_shown(list(past_value_or_dates()))
    assert (line.share, line.is_over, line.is_near) == (Decimal("99.9"), False, True)
    spend = contract_spend(contract, today=date(2025, 12, 31))
    assert (spend.share, spend.is_over, spend.is_near) == (Decimal("99.9"), False, True)
    (passed,) = thresholds_passed()
    assert passed.key == "80"
