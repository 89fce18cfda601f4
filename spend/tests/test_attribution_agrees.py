"""A file's new payments are attributed to contracts as they are read (``ContractIndex``), and
payments already written are attributed again in SQL (``attribute_contracts``): the two must
give the same contract, by the same rule, for every kind of payment."""

from datetime import date
from itertools import product

import pytest

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.tests.factories import DirectorateFactory
from spend.matching import ContractIndex, attribute_contracts
from spend.models import ContractChoice, Payment

from .factories import PaymentFactory, PaymentImportFactory

pytestmark = pytest.mark.django_db
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch
DAYS = [date(2025, 3, 15), date(2025, 7, 1), date(2025, 12, 1), date(2026, 2, 10), date(2026, 8, 1)]


def _contract(supplier, directorate, start, end=None, **fields):
    return ContractFactory(
        supplier=supplier, directorate=directorate, start_date=start, end_date=end, **fields
    )


def _world():
    """Suppliers with every shape of contracts the rules tell apart."""
    here, there = DirectorateFactory(), DirectorateFactory()
    april, march = date(2025, 4, 1), date(2027, 3, 31)
    one, two, ended, stopped, none, chosen, later = (SupplierFactory() for _ in range(7))
    _contract(one, here, april, march)
    for directorate in (here, here, there):
        _contract(two, directorate, april, march)
    _contract(ended, here, date(2023, 4, 1), date(2025, 1, 31))
    _contract(stopped, here, april, march, terminated_on=date(2025, 10, 1))
    first, second = _contract(chosen, here, april, march), _contract(chosen, here, april, march)
    _contract(later, here, date(2026, 6, 1), march)
    for directorate, contract, paid_from, paid_to in [
        (here, first, date(2025, 6, 1), date(2025, 12, 31)),
        (None, second, date(2025, 4, 1), date(2026, 12, 31)),
        (here, None, date(2025, 11, 1), date(2026, 3, 31)),  # decided later: no contract
    ]:
        ContractChoice.objects.create(
            supplier=chosen,
            directorate=directorate,
            contract=contract,
            paid_from=paid_from,
            paid_to=paid_to,
        )
    # (contract reference, purchase order) as a file gives them: one supplier's references are
    # another's strangers.
    references = [
        ("", ""),
        (first.reference.lower(), ""),
        ("", second.reference),
        ("NOT-A-CONTRACT", "PO12345"),
    ]
    return [one, two, ended, stopped, none, chosen, later], [here, there, None], references


def test_the_index_and_the_sql_attribute_every_payment_alike():
    suppliers, directorates, references = _world()
    batch = PaymentImportFactory()
    payments = []
    unmatched = [(None, match) for match in (Match.WAITING, Match.NOT_ON_REGISTER, Match.REDACTED)]
    matched = [(supplier, Match.NAME) for supplier in suppliers]
    for (supplier, match), directorate, day, (reference, order) in product(
        matched + unmatched, directorates, DAYS, references
    ):
        payments.append(
            PaymentFactory(
                batch=batch,
                supplier=supplier,
                supplier_match=match,
                directorate=directorate,
                paid_on=day,
                contract_reference=reference,
                purchase_order=order,
                contract=None,
                contract_match=ContractMatch.WAITING,
            )
        )
    index = ContractIndex.read()
    expected = {
        payment.pk: index.attribute(
            supplier=payment.supplier_id,
            supplier_match=payment.supplier_match,
            paid_on=payment.paid_on,
            directorate=payment.directorate_id,
            contract_reference=payment.contract_reference,
            purchase_order=payment.purchase_order,
        )
        for payment in payments
    }
    attribute_contracts(Payment.objects.filter(batch=batch))
    found = {
        pk: (contract, match)
        for pk, contract, match in Payment.objects.values_list("pk", "contract", "contract_match")
    }
    disagree = [(pk, expected[pk], found[pk]) for pk in expected if expected[pk] != found[pk]]
    assert disagree == []
    # Every rule gave some payment its answer, so the comparison covered each.
    assert {match for _, match in expected.values()} == set(ContractMatch.values)
