"""The status is derived from dates, value band and events, at exact boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.lead_times import add_months
from contracts.models import Contract
from contracts.selectors import contracts_with_status
from contracts.tests.factories import ContractFactory, ContractOverFiftyThousandFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
Status = Contract.Status


def status_of(contract: Contract, today: date = TODAY) -> str:
    return contracts_with_status(today=today).get(pk=contract.pk).status


def make(**fields) -> Contract:
    fields.setdefault("start_date", date(2024, 1, 1))
    value = fields.get("whole_life_value", Decimal("40000"))
    factory = ContractOverFiftyThousandFactory if value > Decimal("50000") else ContractFactory
    return factory(**fields)


def test_not_started_until_its_start_date():
    contract = make(start_date=date(2026, 11, 23), end_date=date(2029, 11, 22))
    assert status_of(contract) == Status.NOT_STARTED
    assert status_of(contract, date(2026, 11, 23)) == Status.ACTIVE


def test_expired_the_day_after_its_end_date():
    contract = make(end_date=TODAY)
    assert status_of(contract) == Status.EXPIRING
    assert status_of(contract, date(2026, 11, 23)) == Status.EXPIRED


@pytest.mark.parametrize(
    ("value", "months"),
    [
        (Decimal("1500000.01"), 18),
        (Decimal("1500000.00"), 9),
        (Decimal("100000.01"), 9),
        (Decimal("100000.00"), 3),
        (Decimal("5000.00"), 3),
    ],
)
def test_expiring_from_the_longest_lead_time_of_its_value_band(value, months):
    boundary = add_months(TODAY, months)
    inside = make(whole_life_value=value, end_date=boundary)
    outside = make(whole_life_value=value, end_date=date.fromordinal(boundary.toordinal() + 1))
    assert status_of(inside) == Status.EXPIRING
    assert status_of(outside) == Status.ACTIVE


def test_extended_once_an_option_is_used():
    contract = make(
        whole_life_value=Decimal("250000"),
        end_date=date(2030, 1, 1),
        extension_options=2,
        extension_option_months=12,
        extensions_used=1,
    )
    assert status_of(contract) == Status.EXTENDED


def test_terminated_from_its_termination_date():
    contract = make(end_date=date(2030, 1, 1), terminated_on=date(2026, 11, 23))
    assert status_of(contract) == Status.ACTIVE
    assert status_of(contract, date(2026, 11, 23)) == Status.TERMINATED


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 18, date(2028, 2, 29)),
        (date(2026, 11, 22), -3, date(2026, 8, 22)),
    ],
)
def test_adding_months_keeps_within_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_filtering_by_status_finds_exactly_the_contracts_with_that_status():
    from contracts.selectors import status_condition

    cases = [
        {"start_date": date(2026, 11, 23), "end_date": date(2029, 1, 1)},
        {"end_date": date(2026, 11, 21)},
        {"end_date": date(2026, 12, 1)},
        {"whole_life_value": Decimal("2000000"), "end_date": add_months(TODAY, 18)},
        {
            "whole_life_value": Decimal("250000"),
            "end_date": date(2030, 1, 1),
            "extension_options": 1,
            "extension_option_months": 12,
            "extensions_used": 1,
        },
        {"end_date": date(2030, 1, 1)},
        {"end_date": date(2026, 12, 1), "terminated_on": date(2026, 11, 1)},
        {"end_date": date(2026, 11, 1), "terminated_on": date(2026, 12, 1)},
    ]
    for fields in cases:
        make(**fields)
    annotated = {c.pk: c.status for c in contracts_with_status(today=TODAY)}
    for status in Status.values:
        found = set(
            Contract.objects.filter(status_condition(status, today=TODAY)).values_list(
                "pk", flat=True
            )
        )
        assert found == {pk for pk, s in annotated.items() if s == status}, status
    assert set(annotated.values()) == set(Status.values)
