"""The officers' matching decisions and the matching run again (spend/services/matching.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.matching import SupplierIndex, attribute_contracts
from spend.models import ContractChoice, Payment, SupplierMatch
from spend.names import payee_key
from spend.receivers import reattribute_pending
from spend.services.matching import (
    MatchingError,
    contract_choice_make,
    payments_match,
    payments_reattribute,
    supplier_match_confirm,
)
from spend.signals import payments_changed

from .factories import PaymentFactory, PaymentImportFactory, PaymentSourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_or_summed")]
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


@pytest.fixture
def central(make_user):
    return make_user(Role.BUSINESS_PARTNER)


@pytest.fixture
def heard():
    """The contract ids each payments_changed signal carried."""
    got: list[set[int]] = []

    def listen(sender, contract_ids, **kwargs):
        got.append(set(contract_ids))

    payments_changed.connect(listen, weak=False)
    yield got
    payments_changed.disconnect(listen)


def _match_like_an_import(payments):
    """Match ``payments`` as an import does, with the SupplierIndex read once."""
    for payment in payments:
        index = SupplierIndex.read(payment.source_id)
        supplier, how = index.match(
            payee=payment.payee,
            key=payment.payee_key,
            company=payment.company_number,
            charity=payment.charity_number,
            redacted=payment.is_redacted,
        )
        Payment.objects.filter(pk=payment.pk).update(supplier_id=supplier, supplier_match=how)
    attribute_contracts(Payment.objects.filter(pk__in=[p.pk for p in payments]))


def test_a_near_name_is_not_matched_until_an_officer_confirms(
    central, django_capture_on_commit_callbacks, heard
):
    acme = SupplierFactory(name="Acme Cleaning Services Ltd")
    here = DirectorateFactory()
    contract = ContractFactory(supplier=acme, directorate=here)
    payment = PaymentFactory(payee="ACME CLEAN SERVICES", directorate=here)
    _match_like_an_import([payment])
    payment.refresh_from_db()
    assert (payment.supplier, payment.supplier_match) == (None, Match.WAITING)

    with django_capture_on_commit_callbacks(execute=True):
        match = supplier_match_confirm(
            source=payment.source,
            payee_key=payment.payee_key,
            supplier=acme,
            by=central,
            reason="Same address on the invoice",
            score=93,
        )
    payment.refresh_from_db()
    assert (payment.supplier, payment.supplier_match) == (acme, Match.CONFIRMED)
    # Its one live contract in the directorate follows at once.
    assert (payment.contract, payment.contract_match) == (contract, ContractMatch.ONLY_LIVE)
    assert heard == [{contract.pk}]
    record = match.history.get()
    assert (record.history_user, record.history_change_reason) == (
        central,
        "Same address on the invoice",
    )
    assert (match.payee, match.score, match.decided_by) == ("ACME CLEAN SERVICES", 93, central)


def test_a_confirmed_match_is_remembered_for_next_months_payments(central):
    acme = SupplierFactory(name="Acme Cleaning Services Ltd")
    payment = PaymentFactory(payee="Acme Clean Services")
    supplier_match_confirm(
        source=payment.source,
        payee_key=payment.payee_key,
        supplier=acme,
        by=central,
        reason="Known",
    )
    # Next month's file from the same finance system: a new batch, the payee written another way.
    next_month = PaymentImportFactory(source=payment.source)
    later = PaymentFactory(
        batch=next_month, payee="ACME CLEAN SERVICES.", paid_on=timezone.localdate()
    )
    index = SupplierIndex.read(payment.source_id)
    found = index.match(
        payee=later.payee, key=later.payee_key, company="", charity="", redacted=False
    )
    assert found == (acme.pk, Match.CONFIRMED)
    # Another finance system's payee of that name is its own, still waiting.
    elsewhere = PaymentFactory(payee="Acme Clean Services")
    other = SupplierIndex.read(elsewhere.source_id).match(
        payee=elsewhere.payee, key=elsewhere.payee_key, company="", charity="", redacted=False
    )
    assert other == (None, Match.WAITING)


def test_not_on_the_register_is_remembered(central):
    payment = PaymentFactory(payee="Mrs Jane Foster")
    supplier_match_confirm(
        source=payment.source,
        payee_key=payment.payee_key,
        supplier=None,
        by=central,
        reason="A foster carer",
        score=40,
    )
    payment.refresh_from_db()
    assert (payment.supplier, payment.supplier_match) == (None, Match.NOT_ON_REGISTER)
    assert payment.contract_match == ContractMatch.NONE
    assert SupplierMatch.objects.get().score is None
    later = PaymentFactory(
        batch=PaymentImportFactory(source=payment.source), payee="MRS JANE FOSTER"
    )
    assert SupplierIndex.read(payment.source_id).match(
        payee=later.payee, key=later.payee_key, company="", charity="", redacted=False
    ) == (None, Match.NOT_ON_REGISTER)


def test_confirming_again_changes_the_match_with_history_and_keeps_number_matches(central):
    first, second = SupplierFactory(), SupplierFactory()
    payment = PaymentFactory(payee="Bright Homes")
    by_number = PaymentFactory(
        batch=payment.batch,
        payee="Bright Homes",
        supplier=first,
        supplier_match=Match.NUMBER,
        company_number=first.companies_house_number,
    )
    for supplier in (first, second):
        supplier_match_confirm(
            source=payment.source,
            payee_key=payment.payee_key,
            supplier=supplier,
            by=central,
            reason=f"Now {supplier}",
        )
    match = SupplierMatch.objects.get()
    assert match.supplier == second
    assert [r.history_change_reason for r in match.history.order_by("history_id")] == [
        f"Now {first}",
        f"Now {second}",
    ]
    payment.refresh_from_db()
    by_number.refresh_from_db()
    assert payment.supplier == second
    assert (by_number.supplier, by_number.supplier_match) == (first, Match.NUMBER)


def test_confirming_refuses_what_it_cannot_do(central):
    payment = PaymentFactory(payee="Someone")
    with pytest.raises(MatchingError, match="no payments to that payee"):
        supplier_match_confirm(
            source=payment.source, payee_key="nobody", supplier=None, by=central, reason="x"
        )
    with pytest.raises(MatchingError, match="0 to 100"):
        supplier_match_confirm(
            source=payment.source,
            payee_key=payment.payee_key,
            supplier=None,
            by=central,
            reason="x",
            score=101,
        )
    with pytest.raises(MatchingError, match="Say why"):
        supplier_match_confirm(
            source=payment.source,
            payee_key=payment.payee_key,
            supplier=None,
            by=central,
            reason=" ",
        )
    assert not SupplierMatch.objects.exists()


def test_an_officer_decides_for_their_own_directorate_only(make_user):
    ours, theirs = DirectorateFactory(), DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=ours)
    supplier = SupplierFactory()
    their_payee = PaymentFactory(payee="Theirs Ltd", directorate=theirs)
    our_payee = PaymentFactory(payee="Ours Ltd", directorate=ours)
    no_directorate = PaymentFactory(payee="Nobodys Ltd", directorate=None)
    for payment in (their_payee, no_directorate):
        with pytest.raises(PermissionDenied):
            supplier_match_confirm(
                source=payment.source,
                payee_key=payment.payee_key,
                supplier=supplier,
                by=officer,
                reason="x",
            )
    supplier_match_confirm(
        source=our_payee.source,
        payee_key=our_payee.payee_key,
        supplier=supplier,
        by=officer,
        reason="Ours",
    )
    their_paid = PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=theirs)
    with pytest.raises(PermissionDenied):
        contract_choice_make(
            supplier=supplier,
            directorate=theirs,
            paid_from=their_paid.paid_on,
            paid_to=their_paid.paid_on,
            contract=None,
            by=officer,
            reason="x",
        )
    assert SupplierMatch.objects.count() == 1
    assert not ContractChoice.objects.exists()
    # Someone with no part in the queue (an auditor) is refused everywhere.
    with pytest.raises(PermissionDenied):
        supplier_match_confirm(
            source=our_payee.source,
            payee_key=our_payee.payee_key,
            supplier=None,
            by=make_user(Role.AUDITOR, directorate=ours),
            reason="x",
        )


def _two_live(supplier, directorate):
    start = timezone.localdate() - timedelta(days=200)
    return [
        ContractFactory(supplier=supplier, directorate=directorate, start_date=start)
        for _ in range(2)
    ]


def test_a_contract_choice_applies_to_the_period_and_keeps_its_history(
    central, django_capture_on_commit_callbacks, heard
):
    here = DirectorateFactory()
    supplier = SupplierFactory()
    first, second = _two_live(supplier, here)
    today = timezone.localdate()
    payments = [
        PaymentFactory(
            supplier=supplier,
            supplier_match=Match.NAME,
            directorate=here,
            paid_on=today - timedelta(days=days),
        )
        for days in (10, 40, 70)
    ]
    elsewhere = PaymentFactory(
        supplier=supplier,
        supplier_match=Match.NAME,
        directorate=DirectorateFactory(),
        paid_on=today - timedelta(days=40),
    )
    attribute_contracts(Payment.objects.all())
    assert set(Payment.objects.values_list("contract_match", flat=True)) == {ContractMatch.WAITING}

    with django_capture_on_commit_callbacks(execute=True):
        choice = contract_choice_make(
            supplier=supplier,
            directorate=here,
            paid_from=today - timedelta(days=50),
            paid_to=today,
            contract=first,
            by=central,
            reason="PO 4471 names it",
        )
    got = {p.pk: (p.contract, p.contract_match) for p in Payment.objects.all()}
    assert got[payments[0].pk] == (first, ContractMatch.CONFIRMED)
    assert got[payments[1].pk] == (first, ContractMatch.CONFIRMED)
    assert got[payments[2].pk] == (None, ContractMatch.WAITING)  # before the period
    assert got[elsewhere.pk] == (None, ContractMatch.WAITING)  # another directorate
    assert heard == [{first.pk}]
    record = choice.history.get()
    assert (record.history_user, record.history_change_reason) == (central, "PO 4471 names it")
    assert record.history_date is not None

    # A later choice over an overlapping period moves the payments an earlier one confirmed.
    with django_capture_on_commit_callbacks(execute=True):
        contract_choice_make(
            supplier=supplier,
            directorate=here,
            paid_from=today - timedelta(days=20),
            paid_to=today,
            contract=second,
            by=central,
            reason="Corrected",
        )
    assert Payment.objects.get(pk=payments[0].pk).contract == second
    assert Payment.objects.get(pk=payments[1].pk).contract == first
    assert heard[-1] == {first.pk, second.pk}
    # "Under no contract on the register"
    contract_choice_make(
        supplier=supplier,
        directorate=here,
        paid_from=today - timedelta(days=80),
        paid_to=today - timedelta(days=60),
        contract=None,
        by=central,
        reason="A one-off purchase",
    )
    payment = Payment.objects.get(pk=payments[2].pk)
    assert payment.contract is None
    assert payment.contract_match != ContractMatch.WAITING
    assert ContractChoice.objects.count() == 3


def test_a_contract_choice_refuses_what_it_cannot_do(central):
    here = DirectorateFactory()
    supplier, other = SupplierFactory(), SupplierFactory()
    theirs = ContractFactory(supplier=other, directorate=here)
    later = ContractFactory(
        supplier=supplier, directorate=here, start_date=timezone.localdate() + timedelta(days=10)
    )
    payment = PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=here)
    day = payment.paid_on
    cases = [
        (
            dict(paid_from=day, paid_to=day - timedelta(days=1), contract=None),
            "ends .* before it starts",
        ),
        (dict(paid_from=day, paid_to=day, contract=theirs), "is not a contract with"),
        (dict(paid_from=day, paid_to=day, contract=later), "after the last payment"),
        (
            dict(paid_from=day + timedelta(days=1), paid_to=day + timedelta(days=2), contract=None),
            "has no payments",
        ),
    ]
    for arguments, message in cases:
        with pytest.raises(MatchingError, match=message):
            contract_choice_make(
                supplier=supplier, directorate=here, by=central, reason="x", **arguments
            )
    assert not ContractChoice.objects.exists()


def test_a_contract_saved_settles_its_suppliers_waiting_payments(
    django_capture_on_commit_callbacks,
):
    here = DirectorateFactory()
    supplier = SupplierFactory()
    payment = PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=here)
    attribute_contracts(Payment.objects.all())
    payment.refresh_from_db()
    assert payment.contract_match == ContractMatch.NONE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract = ContractFactory(supplier=supplier, directorate=here)
        contract.save()  # saved twice in one transaction: looked at once
    assert [c for c in callbacks if c is reattribute_pending] == [reattribute_pending]
    payment.refresh_from_db()
    assert (payment.contract, payment.contract_match) == (contract, ContractMatch.ONLY_LIVE)
    # Its end brought before the payment: the payment is looked at again.
    # (This test's transaction never commits: its first hook is still there, so run it here.)
    contract.end_date = contract.start_date + timedelta(days=1)
    contract.save()
    reattribute_pending()
    payment.refresh_from_db()
    assert payment.contract is None


def test_reattributing_leaves_officers_choices_and_references_alone(central):
    here = DirectorateFactory()
    supplier = SupplierFactory()
    first, second = _two_live(supplier, here)
    chosen = PaymentFactory(supplier=supplier, supplier_match=Match.NAME, directorate=here)
    referenced = PaymentFactory(
        supplier=supplier,
        supplier_match=Match.NAME,
        directorate=here,
        contract_reference=second.reference,
    )
    attribute_contracts(Payment.objects.all())
    contract_choice_make(
        supplier=supplier,
        directorate=here,
        paid_from=chosen.paid_on,
        paid_to=chosen.paid_on,
        contract=first,
        by=central,
        reason="x",
    )
    assert payments_reattribute(supplier_ids=[supplier.pk], contract_ids=[first.pk]) == 0
    assert Payment.objects.get(pk=chosen.pk).contract == first
    assert Payment.objects.get(pk=referenced.pk).contract == second


def test_matching_again_follows_the_register_and_the_decisions(central):
    source = PaymentSourceFactory()
    batch = PaymentImportFactory(source=source)
    near = PaymentFactory(batch=batch, payee="Greenway Grounds")
    exact = PaymentFactory(batch=batch, payee="Riverside Care Ltd", amount=Decimal("250.00"))
    _match_like_an_import([near, exact])
    assert Payment.objects.filter(supplier_match=Match.WAITING).count() == 2
    # The register gains the supplier; an officer confirms the near name.
    riverside = SupplierFactory(name="Riverside Care Limited")
    greenway = SupplierFactory(name="Greenway Grounds Maintenance")
    SupplierMatch.objects.create(
        source=source,
        payee_key=payee_key("Greenway Grounds"),
        payee="Greenway Grounds",
        supplier=greenway,
    )
    counts = payments_match()
    assert counts[("supplier_match", Match.NAME)] == 1
    assert counts[("supplier_match", Match.CONFIRMED)] == 1
    assert Payment.objects.get(pk=exact.pk).supplier == riverside
    assert Payment.objects.get(pk=near.pk).supplier == greenway
    # Run again: nothing changes.
    assert payments_match(sources=[source]) == counts


def test_an_officer_may_not_confirm_a_payee_another_directorate_pays_too(make_user):
    from datetime import date

    from contracts.tests.factories import SupplierFactory
    from procurement.roles import Role
    from procurement.tests.factories import DirectorateFactory
    from spend.models import Payment, SupplierMatch
    from spend.services.matching import supplier_match_confirm
    from spend.tests.factories import PaymentFactory, PaymentSourceFactory

    mine, theirs = DirectorateFactory(), DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=mine)
    source = PaymentSourceFactory()
    for directorate in (mine, theirs):
        PaymentFactory(
            batch__source=source,
            payee="Near Name Ltd",
            directorate=directorate,
            paid_on=date(2026, 1, 5),
        )
    with pytest.raises(PermissionDenied):
        supplier_match_confirm(
            source=source,
            payee_key="near name limited",
            supplier=SupplierFactory(),
            by=officer,
            reason="Same company",
        )
    assert not SupplierMatch.objects.exists()
    assert not Payment.objects.exclude(supplier=None).exists()


def test_an_officer_may_not_put_payments_under_another_directorates_contract(make_user):
    from datetime import date

    from contracts.tests.factories import ContractFactory, SupplierFactory
    from procurement.roles import Role
    from procurement.tests.factories import DirectorateFactory
    from spend.models import ContractChoice, Payment
    from spend.services.matching import MatchingError, contract_choice_make
    from spend.tests.factories import PaymentFactory

    mine, theirs = DirectorateFactory(), DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=mine)
    supplier = SupplierFactory()
    elsewhere = ContractFactory(supplier=supplier, directorate=theirs)
    PaymentFactory(
        supplier=supplier,
        supplier_match=Payment.SupplierMatch.NAME,
        directorate=mine,
        paid_on=date(2026, 1, 5),
    )
    with pytest.raises(MatchingError, match="ask the central team"):
        contract_choice_make(
            supplier=supplier,
            directorate=mine,
            paid_from=date(2026, 1, 1),
            paid_to=date(2026, 1, 31),
            contract=elsewhere,
            by=officer,
            reason="Theirs",
        )
    assert not ContractChoice.objects.exists()
