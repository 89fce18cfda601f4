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
