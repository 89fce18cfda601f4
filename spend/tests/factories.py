from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from spend.models import Payment, PaymentImport, PaymentSource
from spend.names import payee_key


class PaymentSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentSource
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Finance system {n}")


class PaymentImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentImport

    source = factory.SubFactory(PaymentSourceFactory)
    filename = "payments.csv"
    reason = "Test payments"


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment of £1,000 a month ago; give ``supplier``/``contract`` and their matches, or run
    ``spend.matching.match_payments`` to work them out as an import does."""

    class Meta:
        model = Payment

    batch = factory.SubFactory(PaymentImportFactory)
    source = factory.SelfAttribute("batch.source")
    transaction_ref = factory.Sequence(lambda n: f"T{n:07d}")
    line = "1"
    paid_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    amount = Decimal("1000.00")
    payee = factory.Sequence(lambda n: f"Payee {n} Ltd")
    payee_key = factory.LazyAttribute(lambda payment: payee_key(payment.payee))
