"""Payments matched to suppliers and contracts, rule by rule (spend/matching.py)."""

from datetime import date, timedelta

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.tests.factories import DirectorateFactory
from spend.matching import SupplierIndex, attribute_contracts, candidates_for
from spend.models import ContractChoice, Payment, SupplierMatch
from spend.names import name_keys, payee_key, score

from .factories import PaymentFactory, PaymentSourceFactory

pytestmark = pytest.mark.django_db
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("The Acme & Sons Ltd.", "ACME AND SONS LIMITED"),
        ("Acme Services Ltd.", "acme services limited"),
        ("O'Brien Care C.I.C.", "OBrien Care CIC"),
        ("Greenway PLC", "Greenway Public Limited Company"),
    ],
)
def test_names_written_differently_have_one_key(first, second):
    assert payee_key(first) == payee_key(second)


def test_a_trading_name_matches_by_either_side():
    assert {"j smith", "smith plumbing limited"} <= set(
        name_keys("J. Smith T/A Smith Plumbing Ltd")
    )


def test_redacted_payees_have_no_key():
    for name in ("REDACTED", "Personal Data", "[Redacted - personal data]", ""):
        assert payee_key(name) == ""
        assert name_keys(name) == []


def test_a_near_name_scores_below_100():
    assert 80 <= score(payee_key("Acme Cleaning Services"), payee_key("Acme Clean Services")) < 100


def _index_for(source, **kwargs):
    index = SupplierIndex.read(source.pk)
    defaults = {"company": "", "charity": "", "redacted": False}
    payee = kwargs.pop("payee")
    return index.match(payee=payee, key=payee_key(payee), **{**defaults, **kwargs})


def test_supplier_rules_in_order():
    source = PaymentSourceFactory()
    acme = SupplierFactory(name="Acme Cleaning Ltd", companies_house_number="01234567")
    other = SupplierFactory(name="Brightside Care", charity_number="1123456")
    # The number first, whatever the name says.
    assert _index_for(source, payee="Someone Else", company="01234567") == (acme.pk, Match.NUMBER)
    assert _index_for(source, payee="X", charity="1123456") == (other.pk, Match.NUMBER)
    # The name, written another way.
    assert _index_for(source, payee="ACME CLEANING LIMITED") == (acme.pk, Match.NAME)
    # A near name waits for an officer.
    assert _index_for(source, payee="Acme Clean Ltd") == (None, Match.WAITING)
    # Redacted is kept as redacted.
    assert _index_for(source, payee="REDACTED", redacted=True) == (None, Match.REDACTED)
    # A confirmed match is remembered.
    SupplierMatch.objects.create(
        source=source, payee_key=payee_key("Acme Clean Ltd"), payee="Acme Clean Ltd", supplier=acme
    )
    assert _index_for(source, payee="Acme Clean Ltd") == (acme.pk, Match.CONFIRMED)


def test_two_suppliers_with_one_name_wait_for_an_officer():
    source = PaymentSourceFactory()
    SupplierFactory(name="Acme Ltd")
    SupplierFactory(name="ACME LIMITED")
    assert _index_for(source, payee="Acme") == (None, Match.WAITING)


def _paid(supplier, directorate, day, **fields):
    payment = PaymentFactory(
        supplier=supplier, supplier_match=Match.NAME, directorate=directorate, paid_on=day, **fields
    )
    attribute_contracts(Payment.objects.filter(pk=payment.pk))
    payment.refresh_from_db()
    return payment


def test_contract_rules():
    here, there = DirectorateFactory(), DirectorateFactory()
    supplier = SupplierFactory()
    start = date(2025, 4, 1)
    only = ContractFactory(
        supplier=supplier, directorate=here, start_date=start, end_date=date(2027, 3, 31)
    )
    # The one live contract in the directorate.
    payment = _paid(supplier, here, date(2026, 1, 10))
    assert (payment.contract, payment.contract_match) == (only, ContractMatch.ONLY_LIVE)
    # Another directorate's contract is a candidate, not an answer.
    payment = _paid(supplier, there, date(2026, 1, 10))
    assert (payment.contract, payment.contract_match) == (None, ContractMatch.WAITING)
    assert candidates_for(payment) == [only]
    # Two live in the directorate: the file's reference decides, or an officer.
    second = ContractFactory(
        supplier=supplier, directorate=here, start_date=start, end_date=date(2027, 3, 31)
    )
    payment = _paid(supplier, here, date(2026, 1, 10))
    assert payment.contract_match == ContractMatch.WAITING
    payment = _paid(supplier, here, date(2026, 1, 10), contract_reference=second.reference.lower())
    assert (payment.contract, payment.contract_match) == (second, ContractMatch.REFERENCE)
    payment = _paid(supplier, here, date(2026, 1, 10), purchase_order=only.reference)
    assert payment.contract == only
    ContractChoice.objects.create(
        supplier=supplier,
        directorate=here,
        contract=second,
        paid_from=date(2026, 1, 1),
        paid_to=date(2026, 3, 31),
    )
    payment = _paid(supplier, here, date(2026, 2, 1))
    assert (payment.contract, payment.contract_match) == (second, ContractMatch.CONFIRMED)


def test_a_supplier_with_no_contract_is_paid_off_contract():
    supplier = SupplierFactory()
    payment = _paid(supplier, DirectorateFactory(), date(2026, 1, 10))
    assert (payment.contract, payment.contract_match) == (None, ContractMatch.NONE)


def test_a_contract_ended_over_a_year_before_is_no_candidate():
    directorate = DirectorateFactory()
    supplier = SupplierFactory()
    ended = ContractFactory(
        supplier=supplier,
        directorate=directorate,
        start_date=date(2022, 1, 1),
        end_date=date(2024, 12, 31),
    )
    recent = _paid(supplier, directorate, ended.end_date + timedelta(days=30))
    assert recent.contract_match == ContractMatch.WAITING
    late = _paid(supplier, directorate, ended.end_date + timedelta(days=400))
    assert late.contract_match == ContractMatch.NONE


def test_an_officers_choice_of_no_contract_is_spend_with_no_contract():
    directorate = DirectorateFactory()
    supplier = SupplierFactory()
    for _ in range(2):
        ContractFactory(supplier=supplier, directorate=directorate, start_date=date(2025, 4, 1))
    ContractChoice.objects.create(
        supplier=supplier,
        directorate=directorate,
        contract=None,
        paid_from=date(2026, 1, 1),
        paid_to=date(2026, 3, 31),
    )
    payment = _paid(supplier, directorate, date(2026, 2, 1))
    assert (payment.contract, payment.contract_match) == (None, ContractMatch.NONE)
    # Worked out again, it stays so.
    attribute_contracts(Payment.objects.filter(pk=payment.pk))
    payment.refresh_from_db()
    assert payment.contract_match == ContractMatch.NONE


def test_a_choice_for_payments_with_no_directorate_covers_only_those():
    directorate = DirectorateFactory()
    supplier = SupplierFactory()
    first, second = (
        ContractFactory(supplier=supplier, directorate=directorate, start_date=date(2025, 4, 1))
        for _ in range(2)
    )
    ContractChoice.objects.create(
        supplier=supplier,
        directorate=None,
        contract=first,
        paid_from=date(2026, 1, 1),
        paid_to=date(2026, 3, 31),
    )
    without = _paid(supplier, None, date(2026, 2, 1))
    assert (without.contract, without.contract_match) == (first, ContractMatch.CONFIRMED)
    # A payment in a directorate, with two live contracts there, still waits for an officer.
    within = _paid(supplier, directorate, date(2026, 2, 1))
    assert (within.contract, within.contract_match) == (None, ContractMatch.WAITING)
    assert second.pk != first.pk


def test_legal_forms_keep_bodies_apart():
    source = PaymentSourceFactory()
    SupplierFactory(name="Acme Ltd")
    assert _index_for(source, payee="ACME LIMITED")[1] == Match.NAME
    # An LLP, or the bare name, is another body or a near name: an officer decides.
    assert _index_for(source, payee="Acme LLP") == (None, Match.WAITING)
    assert _index_for(source, payee="Acme") == (None, Match.WAITING)


def test_a_name_the_same_but_for_its_legal_form_scores_high_but_never_100():
    assert score(payee_key("Acme"), payee_key("Acme Ltd")) == 95
    assert score(payee_key("Acme Clean"), payee_key("Acme Cleaning Ltd")) < 95


def test_a_name_that_starts_like_a_redaction_is_a_name():
    assert payee_key("Sensitive Solutions Ltd") == "sensitive solutions limited"
    assert payee_key("Sensitive") == ""
