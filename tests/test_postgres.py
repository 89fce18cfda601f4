"""What only PostgreSQL can show: CI really runs on it, and its row locks refuse a second writer."""

import threading

import pytest
from django.db import DatabaseError, connections, transaction

from procurement.models import ApprovalPolicy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_suite_runs_on_postgresql_when_configured(postgres):
    assert postgres.vendor == "postgresql"
    assert postgres.pg_version >= 130000


def test_a_locked_row_refuses_a_second_writer(postgres):
    """The row lock that later guards two people deciding the same gateway step at once."""
    policy_id = ApprovalPolicy.objects.get().pk
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                ApprovalPolicy.objects.select_for_update().get(pk=policy_id)
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(DatabaseError, match="could not obtain lock"), transaction.atomic():
            ApprovalPolicy.objects.select_for_update(nowait=True).get(pk=policy_id)
    finally:
        release.set()
        holder.join(timeout=10)
    with transaction.atomic():
        assert ApprovalPolicy.objects.select_for_update(nowait=True).get(pk=policy_id)


def test_the_history_keeps_a_long_reason_whole(postgres):
    """PostgreSQL enforces column lengths: a reason longer than 100 characters must fit."""
    from datetime import date

    from alerts.tests.factories import contract_ending
    from contracts.services import contract_confirm_ending

    contract = contract_ending(date(2027, 8, 31))
    reason = "The service moves to the council's own company from April, as agreed. " * 5
    contract_confirm_ending(contract=contract, reason=reason, by=contract.contract_manager)
    assert contract.history.first().history_change_reason.endswith(reason.strip())
