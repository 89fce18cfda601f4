"""A contract manager's home-page counts, read from the kept figures, against the register's
own statuses for every contract they manage."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import contracts_with_status
from contracts.tests.factories import ContractOverFiftyThousandFactory
from procurement.roles import Role
from reporting.summary import home_counts

pytestmark = pytest.mark.django_db


def test_the_managers_counts_are_the_registers_statuses(make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    today = timezone.localdate()
    for days in (-400, -1, 0, 20, 80, 200, 300, 500, 560, 900, None):
        for value in ("60000", "500000", "2000000"):
            ContractOverFiftyThousandFactory(
                contract_manager=manager,
                whole_life_value=Decimal(value),
                start_date=today - timedelta(days=500),
                end_date=None if days is None else today + timedelta(days=days),
                review_date=today + timedelta(days=30),
            )
    ContractOverFiftyThousandFactory(
        contract_manager=manager,
        start_date=today - timedelta(days=500),
        end_date=today - timedelta(days=5),
        terminated_on=today - timedelta(days=10),
    )
    statuses = list(
        contracts_with_status(today=today)
        .filter(contract_manager=manager)
        .values_list("status", flat=True)
    )
    counts = home_counts(user=manager, today=today)
    assert counts.expiring == statuses.count(Contract.Status.EXPIRING) > 0
    assert counts.expired == statuses.count(Contract.Status.EXPIRED) > 0
