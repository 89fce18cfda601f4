from decimal import Decimal

import factory

from gateways.models import ProcurementProject
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory, UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A procurement on the forward plan, in Tier A (£500,000) unless told otherwise."""

    class Meta:
        model = ProcurementProject

    reference = factory.Sequence(lambda n: f"PP-{n:04d}")
    title = factory.Sequence(lambda n: f"Procurement {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    estimated_value = Decimal("500000.00")
    lead_officer = factory.SubFactory(UserFactory, roles=[Role.PROCUREMENT_OFFICER])


class TierBProjectFactory(ProjectFactory):
    estimated_value = Decimal("2000000.00")


# A complete Gateway 1 report: what the procurement strategy must say before it is submitted.
G1_REPORT = {
    "strategy_route": "tender",
    "timetable": "Tender in March, award in June, start in October",
    "risks": "Provider market is thin in the north of the borough",
    "social_value_approach": "10% weighting; local apprenticeships",
}
