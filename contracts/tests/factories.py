from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.models import Contract, Supplier
from procurement.models import ContractCategory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory, UserFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    companies_house_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")


class ContractFactory(factory.django.DjangoModelFactory):
    """An active contract of £40,000 (under the named-officer threshold), a year either side."""

    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    category = factory.LazyFunction(lambda: ContractCategory.objects.order_by("pk").first())
    supplier = factory.SubFactory(SupplierFactory)
    whole_life_value = Decimal("40000.00")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=730))
    procurement_route = Contract.Route.QUOTE


class ContractOverFiftyThousandFactory(ContractFactory):
    whole_life_value = Decimal("250000.00")
    procurement_route = Contract.Route.TENDER
    contract_manager = factory.SubFactory(UserFactory, roles=[Role.CONTRACT_MANAGER])
    lead_director = factory.SubFactory(UserFactory, roles=[Role.EXECUTIVE_DIRECTOR])


class ContractWithOptionsFactory(ContractOverFiftyThousandFactory):
    extension_options = 2
    extension_option_months = 12
    extension_options_value = Decimal("50000.00")
