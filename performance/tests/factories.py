from decimal import Decimal

import factory

from performance.models import Kpi


class KpiFactory(factory.django.DjangoModelFactory):
    """A quarterly KPI where higher is better: 95% of visits on time, amber down to 90%."""

    class Meta:
        model = Kpi

    name = factory.Sequence(lambda n: f"Visits on time {n}")
    measure = "Visits started within 15 minutes of the planned time, as a share of all visits"
    unit = "%"
    target = Decimal("95")
    direction = Kpi.Direction.HIGHER
    tolerance = Decimal("5")
    frequency = Kpi.Frequency.QUARTERLY
