"""Rating a KPI's return green, amber or red against its target and tolerance."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import KpiDefinition, Rag, rate
from performance.services import PerformanceError, kpi_return_record

from .factories import KpiFactory

HIGHER = KpiDefinition.Direction.HIGHER
LOWER = KpiDefinition.Direction.LOWER


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95.01", Rag.GREEN),
        ("95", Rag.GREEN),  # at the target
        ("94.99", Rag.AMBER),
        ("90", Rag.AMBER),  # at the edge of the tolerance
        ("89.99", Rag.RED),
        ("0", Rag.RED),
    ],
)
def test_higher_is_better(value, expected):
    assert rate(Decimal(value), target=Decimal(95), tolerance=Decimal(5), direction=HIGHER) == (
        expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.99", Rag.GREEN),
        ("3", Rag.GREEN),  # at the target
        ("3.01", Rag.AMBER),
        ("5", Rag.AMBER),  # at the edge of the tolerance
        ("5.01", Rag.RED),
    ],
)
def test_lower_is_better(value, expected):
    assert rate(Decimal(value), target=Decimal(3), tolerance=Decimal(2), direction=LOWER) == (
        expected
    )


@pytest.mark.parametrize(("value", "expected"), [("10", Rag.GREEN), ("9.99", Rag.RED)])
def test_no_tolerance_means_any_shortfall_is_red(value, expected):
    assert rate(Decimal(value), target=Decimal(10), tolerance=Decimal(0), direction=HIGHER) == (
        expected
    )


@pytest.mark.django_db
def test_a_return_keeps_the_rating_and_target_it_was_given(make_user):
    contract = ContractOverFiftyThousandFactory(
        start_date=date(2026, 1, 1), end_date=date(2028, 12, 31)
    )
    kpi = KpiFactory(contract=contract)
    kpi_return, _ = kpi_return_record(
        kpi=kpi,
        period_start=date(2026, 1, 1),
        value=Decimal("92.5"),
        comment="Staff sickness in February",
        by=contract.contract_manager,
        today=date(2026, 4, 10),
    )
    assert (kpi_return.period_end, kpi_return.rating, kpi_return.target) == (
        date(2026, 3, 31),
        Rag.AMBER,
        Decimal(95),
    )
    kpi.target = Decimal(90)
    kpi.save()
    kpi_return.refresh_from_db()
    assert (kpi_return.rating, kpi_return.target) == (Rag.AMBER, Decimal(95))
    assert kpi_return.history.get().history_user == contract.contract_manager


@pytest.mark.django_db
def test_a_return_is_for_an_ended_period_once(make_user):
    contract = ContractOverFiftyThousandFactory(
        start_date=date(2026, 1, 1), end_date=date(2028, 12, 31)
    )
    kpi = KpiFactory(contract=contract)
    record = {"kpi": kpi, "value": Decimal(96), "comment": "", "by": contract.contract_manager}
    with pytest.raises(PerformanceError, match="period of this KPI that has ended"):
        kpi_return_record(period_start=date(2026, 4, 1), today=date(2026, 6, 30), **record)
    with pytest.raises(PerformanceError, match="period of this KPI"):
        kpi_return_record(period_start=date(2026, 1, 2), today=date(2026, 6, 30), **record)
    kpi_return_record(period_start=date(2026, 4, 1), today=date(2026, 7, 1), **record)
    with pytest.raises(PerformanceError, match="already been recorded"):
        kpi_return_record(period_start=date(2026, 4, 1), today=date(2026, 7, 1), **record)
    assert kpi.returns.count() == 1
