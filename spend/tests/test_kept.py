"""The spend lists' kept figures (spend/services/kept.py, docs/decisions/0052): built with each
import, kept up by every other write to the payments or the contracts, rebuilt when a day passes,
and always what the payments summed afresh say. The lists' own tests run with them and without
(the ``kept_or_summed`` fixture); these are the writes and the days."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.tests.factories import DirectorateFactory
from spend.models import ContractPaid, KeptSpend, NoContractLine, Payment
from spend.selectors.gaps import (
    GapFilters,
    contracts_paid,
    lines_kept_for,
    live_contracts_paid,
    no_contract_lines,
)
from spend.services.kept import (
    MANY_TOUCHED,
    Touched,
    kept_spend_day_passed,
    kept_spend_disagreements,
    kept_spend_rebuild,
    kept_spend_refresh,
)
from spend.services.matching import payments_match
from spend.tasks import kept_spend_task

from .factories import PaymentFactory
from .test_import import adults_as, run

pytestmark = pytest.mark.django_db
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def _lines(today):
    return [
        (row["line_supplier"], row["line_payee"], row["total"], row["payments"])
        for row in no_contract_lines(today=today)
    ]


def test_a_file_imported_sets_them_aside_and_has_them_rebuilt_once_it_commits(
    council, partner, tasks_in_process, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    kept_spend_rebuild()
    with django_capture_on_commit_callbacks() as after_commit:
        run(partner, "ledger_april_may.csv", council["source"], mapping=adults_as(council))
    # Committed, not yet rebuilt: the lists sum the payments, the file's among them.
    assert not lines_kept_for(today)
    assert not KeptSpend.objects.get().contracts_kept
    summed = _lines(today)
    assert summed
    assert list(contracts_paid())  # summed too
    for callback in after_commit:
        callback()
    assert lines_kept_for(today)
    assert KeptSpend.objects.get().contracts_kept
    assert kept_spend_disagreements() == []
    with CaptureQueriesContext(connection) as queries:
        kept = _lines(today)
    sql = " ".join(query["sql"] for query in queries)
    assert NoContractLine._meta.db_table in sql
    assert Payment._meta.db_table not in sql.replace("spend_paymentsource", "")
    assert kept == summed


def _payee_paid(directorate, **fields):
    return PaymentFactory(
        amount=Decimal("500.00"),
        supplier_match=Match.NOT_ON_REGISTER,
        contract_match=ContractMatch.NONE,
        directorate=directorate,
        **fields,
    )


def test_a_payment_saved_or_deleted_alone_keeps_the_lines_up():
    kept_spend_rebuild()
    directorate = DirectorateFactory()
    payment = _payee_paid(directorate, payee="Bob's Vans")
    assert kept_spend_disagreements() == []
    supplier = SupplierFactory()
    payment.supplier = supplier
    payment.supplier_match = Match.CONFIRMED
    payment.save()  # the line moves from the payee to the supplier
    assert kept_spend_disagreements() == []
    assert list(NoContractLine.objects.values_list("line_supplier", "total")) == [
        (supplier.pk, Decimal("500.00"))
    ]
    payment.delete()
    assert kept_spend_disagreements() == []
    assert not NoContractLine.objects.exists()


def test_a_contracts_dates_saved_say_again_what_was_paid_after_its_end():
    kept_spend_rebuild()
    today = timezone.localdate()
    contract = ContractFactory(
        whole_life_value=Decimal("1000"),
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=300),
    )
    PaymentFactory(
        amount=Decimal("400.00"),
        supplier=contract.supplier,
        supplier_match=Match.NAME,
        contract=contract,
        contract_match=ContractMatch.REFERENCE,
        directorate=contract.directorate,
        paid_on=today - timedelta(days=10),
    )
    assert contracts_paid().get()["payments_after_end"] == 0
    contract.end_date = today - timedelta(days=20)
    contract.save()
    row = contracts_paid().get()
    assert (row["after_end"], row["payments_after_end"]) == (Decimal("400.00"), 1)
    assert kept_spend_disagreements() == []
    # The share is of the value as it stands, read with the contract.
    contract.whole_life_value = Decimal("500")
    contract.save()
    assert contracts_paid().get()["share"] == Decimal("80")


def test_every_payment_matched_again_rebuilds_them():
    kept_spend_rebuild()
    directorate = DirectorateFactory()
    supplier = SupplierFactory(name="Acme Cleaning Ltd")
    _payee_paid(directorate, payee="Acme Cleaning Limited")
    # Written past the receivers, as a bulk write would be: what is kept is now behind.
    Payment.objects.bulk_create(
        [
            Payment(
                source=payment.source,
                batch=payment.batch,
                transaction_ref="BULK-1",
                paid_on=payment.paid_on,
                amount=Decimal("250.00"),
                payee="Acme Cleaning Ltd",
                payee_key=payment.payee_key,
                directorate=directorate,
                supplier_match=Match.NOT_ON_REGISTER,
                contract_match=ContractMatch.NONE,
            )
            for payment in Payment.objects.all()
        ]
    )
    assert kept_spend_disagreements() != []
    payments_match()
    assert kept_spend_disagreements() == []
    lines = list(NoContractLine.objects.values_list("line_supplier", "total"))
    assert lines == [(supplier.pk, Decimal("750.00"))]


def test_when_a_day_passes_the_lists_sum_the_payments_until_the_lines_are_rebuilt():
    today = timezone.localdate()
    directorate = DirectorateFactory()
    old = _payee_paid(directorate, payee="Old Ltd", paid_on=today - timedelta(days=200))
    kept_spend_rebuild(today=today - timedelta(days=200))  # built long ago
    assert not lines_kept_for(today)
    # Read for today, the list is summed from the payments: the payment is in it.
    assert [row["line_payee"] for row in no_contract_lines(today=today)] == [old.payee_key]
    assert kept_spend_day_passed(today=today) is True
    assert lines_kept_for(today)
    assert kept_spend_day_passed(today=today) is False
    # A year on, the payment has left the twelve months, kept or summed.
    later = today + timedelta(days=366)
    assert list(no_contract_lines(today=later)) == []
    kept_spend_day_passed(today=later)
    assert list(no_contract_lines(today=later)) == []
    assert not NoContractLine.objects.exists()


def test_the_nightly_job_rebuilds_the_lines_for_the_new_day():
    kept_spend_rebuild(today=timezone.localdate() - timedelta(days=1))
    assert kept_spend_task.apply().get() == {"rebuilt": True}
    assert lines_kept_for(timezone.localdate())
    schedule = app.conf.beat_schedule["rebuild-kept-spend"]
    assert schedule["task"] == kept_spend_task.name
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({0}, {5})


def test_the_kept_contract_totals_are_the_payments_summed():
    contract = ContractFactory(whole_life_value=Decimal("1000"))
    for amount in ("600.00", "-100.00", "300.00"):
        PaymentFactory(
            amount=Decimal(amount),
            supplier=contract.supplier,
            supplier_match=Match.NAME,
            contract=contract,
            contract_match=ContractMatch.ONLY_LIVE,
            directorate=contract.directorate,
        )
    summed = list(contracts_paid())
    kept_spend_rebuild()
    assert ContractPaid.objects.get().paid == Decimal("800.00")
    assert list(contracts_paid()) == summed
    assert [row["paid"] for row in live_contracts_paid()] == [Decimal("800.00")]


def test_a_directorates_lines_are_read_from_the_kept_lines_too():
    kept_spend_rebuild()
    here, there = DirectorateFactory(), DirectorateFactory()
    _payee_paid(here, payee="Here Ltd")
    _payee_paid(there, payee="There Ltd")
    today = timezone.localdate()
    mine = no_contract_lines(today=today, filters=GapFilters(directorate_id=here.pk))
    assert [row["payee_name"] for row in mine] == ["Here Ltd"]


def test_many_touched_at_once_rebuild_them_whole():
    kept_spend_rebuild()
    directorate = DirectorateFactory()
    _payee_paid(directorate, payee="One Ltd")
    built = KeptSpend.objects.get().built_at
    # As the register written in bulk touches every supplier: one rebuild, not a list of them.
    kept_spend_refresh(Touched(suppliers=set(range(1, MANY_TOUCHED + 2))))
    assert KeptSpend.objects.get().built_at > built
    assert kept_spend_disagreements() == []
    assert NoContractLine.objects.get().payee_name == "One Ltd"
