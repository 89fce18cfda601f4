"""The demo payments (spend/demo.py): every spend list has something real to show, and the
sample payment file fits the demo's saved mapping and register."""

import csv
import io
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract, Supplier
from procurement.models import ImportMapping
from procurement.roles import CENTRAL_TEAM
from procurement.selectors import import_mapping_fitting
from procurement.tabular import normalise_heading
from spend import demo
from spend.matching import SupplierIndex
from spend.models import (
    Explanation,
    Payment,
    PaymentImport,
    SpendSettings,
    SpendThreshold,
    SupplierMatch,
)
from spend.names import is_redacted, payee_key, score

pytestmark = pytest.mark.django_db
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "payments-agresso.csv"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo council, built once for the module (it takes a while) and rolled back after."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_a_year_of_payments_through_one_import(seeded):
    today = timezone.localdate()
    batch = PaymentImport.objects.get(source__name=demo.SOURCE, filename=demo.FILENAME)
    payments = Payment.objects.filter(batch=batch)
    assert 2000 <= payments.count() <= demo.MOST_LINES
    assert batch.rows == batch.added == payments.count()
    first, last = sorted(payments.values_list("paid_on", flat=True))[:: payments.count() - 1]
    assert today - timedelta(days=366) <= first
    assert last <= today
    assert "Spend: added" in seeded
    # Run again, nothing is added.
    count = Payment.objects.count()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert Payment.objects.count() == count


def test_payees_matched_by_every_rule(seeded):
    kinds = dict(Payment.objects.values_list("supplier_match").annotate(n=Count("pk")).order_by())
    assert set(kinds) == set(Match.values)
    assert kinds[Match.NUMBER] > 100
    assert kinds[Match.NAME] > 100
    # A name written differently from the register's, matched all the same.
    renamed = Payment.objects.filter(supplier_match=Match.NAME).exclude(payee=F("supplier__name"))
    assert (
        renamed.filter(payee__contains="LIMITED").exists()
        or renamed.filter(payee__contains=" Limited").exists()
    )
    # Redacted payees: kept as redacted, matched to nobody.
    redacted = Payment.objects.filter(supplier_match=Match.REDACTED)
    assert redacted.filter(payee=demo.REDACTED, is_redacted=True, supplier=None).exists()
    assert not redacted.exclude(payee_key="").exists()


def test_near_names_wait_with_a_likely_candidate_and_one_is_confirmed(seeded):
    threshold = SpendSettings().match_threshold
    names = {name: payee_key(name) for name in Supplier.objects.values_list("name", flat=True)}
    waiting = set(
        Payment.objects.filter(supplier_match=Match.WAITING).values_list("payee", flat=True)
    )
    near = {
        payee
        for payee in waiting
        if any(score(payee_key(payee), key) >= threshold for key in names.values())
    }
    assert len(near) >= 2
    confirmed = SupplierMatch.objects.get(supplier__isnull=False)
    assert confirmed.decided_by.roles & set(CENTRAL_TEAM)
    assert confirmed.score >= threshold
    assert confirmed.history.count() == 1
    assert confirmed.history.get().history_user == confirmed.decided_by
    paid = Payment.objects.filter(payee_key=confirmed.payee_key)
    assert paid.exists()
    assert set(paid.values_list("supplier_match", "supplier")) == {
        (Match.CONFIRMED, confirmed.supplier_id)
    }


def test_credit_notes_and_reversed_lines(seeded):
    negative = Payment.objects.filter(amount__lt=0)
    assert negative.count() >= 5
    assert negative.filter(line="2").exists()  # a line reversed in its payment run
    assert negative.filter(line="1", supplier__isnull=False).exists()  # a credit note


def test_off_register_payees_over_every_threshold_in_several_directorates(seeded):
    off = Payment.objects.filter(supplier=None, supplier_match=Match.NOT_ON_REGISTER)
    totals = off.values("payee_key").annotate(total=Sum("amount"), places=Count("directorate"))
    thresholds = list(SpendThreshold.objects.values_list("amount", flat=True))
    assert len(thresholds) == 4
    for threshold in thresholds:
        assert any(row["total"] > threshold for row in totals), threshold
    by_directorate = off.values("payee_key", "directorate").annotate(total=Sum("amount"))
    over = {row["directorate"] for row in by_directorate if row["total"] > min(thresholds)}
    assert len(over) >= 3
    # One paid by every directorate.
    places = off.values("payee_key").annotate(n=Count("directorate", distinct=True))
    assert max(row["n"] for row in places) == 5


def test_a_grant_and_a_waiver_explained(seeded):
    kinds = {}
    for explanation in Explanation.objects.all():
        lines = Payment.objects.filter(payee_key=explanation.payee_key)
        if explanation.directorate_id:
            lines = lines.filter(directorate=explanation.directorate_id)
        assert lines.aggregate(total=Sum("amount"))["total"] > min(
            SpendThreshold.objects.values_list("amount", flat=True)
        )
        assert explanation.history.get().history_user == explanation.explained_by
        kinds[explanation.kind] = explanation
    assert set(kinds) == {Explanation.Kind.GRANT, Explanation.Kind.WAIVER}
    assert kinds[Explanation.Kind.WAIVER].waiver_reference


def test_contracts_past_their_value_and_their_end(seeded):
    paid = (
        Payment.objects.filter(contract__isnull=False)
        .values("contract")
        .annotate(total=Sum("amount"), value=F("contract__whole_life_value"))
    )
    shares = [row["total"] / row["value"] for row in paid if row["value"]]
    assert any(share > 1 for share in shares)
    assert any(Decimal("0.8") < share <= 1 for share in shares)
    after_end = Payment.objects.filter(paid_on__gt=F("contract__end_date"))
    assert after_end.filter(contract_match=ContractMatch.REFERENCE).exists()


def test_contracts_found_by_every_rule(seeded):
    kinds = dict(Payment.objects.values_list("contract_match").annotate(n=Count("pk")).order_by())
    for kind in (
        ContractMatch.REFERENCE,
        ContractMatch.ONLY_LIVE,
        ContractMatch.NONE,
        ContractMatch.WAITING,
    ):
        assert kinds.get(kind), kind
    by_reference = Payment.objects.filter(contract_match=ContractMatch.REFERENCE)
    assert not by_reference.exclude(purchase_order=F("contract__reference")).exists()


def test_a_supplier_bought_by_several_directorates(seeded):
    places = (
        Payment.objects.filter(supplier__isnull=False)
        .values("supplier")
        .annotate(n=Count("directorate", distinct=True))
    )
    assert max(row["n"] for row in places) == 5


def test_contracts_in_one_category_ending_in_the_same_six_months(seeded):
    today = timezone.localdate()
    ends = defaultdict(list)
    for category, end in Contract.objects.filter(
        category__isnull=False, end_date__gte=today
    ).values_list("category", "end_date"):
        ends[category].append(end)
    assert any(
        sum(1 for other in days if day <= other < add_months(day, 6)) >= 3
        for days in ends.values()
        for day in days
    )


def test_invoices_paid_on_time_and_late_smes_and_vcses_among_them(seeded):
    payments = Payment.objects.filter(amount__gt=0)
    dated = payments.filter(invoice_received_on__isnull=False)
    assert dated.count() > 0.8 * payments.count()
    assert payments.filter(invoice_date__isnull=True).exists()
    days = [p.days_to_pay for p in dated.only("paid_on", "invoice_received_on", "invoice_date")]
    assert sum(1 for d in days if d <= 14) > 0.6 * len(days)
    assert 0 < sum(1 for d in days if d > 30) < 0.2 * len(days)
    assert all(
        invoiced <= received
        for invoiced, received in dated.values_list("invoice_date", "invoice_received_on")
    )
    late = [p for p in dated.select_related("supplier") if p.days_to_pay > 30 and p.supplier]
    assert any(p.supplier.is_sme for p in late)
    assert any(p.supplier.is_vcse for p in late)


# --- The sample payment file ---------------------------------------------------------------------


def _sample() -> tuple[list[str], list[dict[str, str]]]:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][0].startswith("Northmere Council")  # a title row above the headings
    headings = rows[1]
    return headings, [dict(zip(headings, row, strict=True)) for row in rows[2:]]


def test_the_sample_file_fits_the_demo_mapping(seeded):
    headings, rows = _sample()
    saved = ImportMapping.objects.get(kind="payments", name=demo.SOURCE)
    assert import_mapping_fitting(kind="payments", headings=headings) == saved
    assert saved.history.count() == 1
    assert list(demo.MAPPING_COLUMNS) == headings
    # Every directorate as the finance system writes it is mapped to one of the council's.
    areas = {row["Department Area"] for row in rows}
    assert len(areas) == 5
    assert {normalise_heading(area) for area in areas} <= set(saved.values["directorate"])


def test_the_sample_file_pays_the_demo_register(seeded):
    _, rows = _sample()
    source = PaymentImport.objects.get(filename=demo.FILENAME).source
    index = SupplierIndex.read(source.pk)
    found = defaultdict(set)
    for row in rows:
        payee = row["Name:"]
        _supplier, how = index.match(
            payee=payee,
            key=payee_key(payee),
            company=row["Company Reg No"],
            charity="",
            redacted=is_redacted(payee),
        )
        found[how].add(payee)
    assert {Match.NUMBER, Match.NAME, Match.REDACTED, Match.NOT_ON_REGISTER, Match.WAITING} <= set(
        found
    )
    assert found[Match.WAITING] == {"Kesterlridge Trust LLP (11)"}
    assert any(Decimal(row["Amount Paid"].replace(",", "")) < 0 for row in rows)
    references = {row["PO Number"] for row in rows if row["PO Number"]}
    assert references <= set(Contract.objects.values_list("reference", flat=True))
