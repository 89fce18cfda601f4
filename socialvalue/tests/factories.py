"""Measure libraries, commitments and returns for tests, built straight onto the models (the
import and the services have tests of their own)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.tests.factories import ContractOverFiftyThousandFactory
from socialvalue.models import Measure, MeasureLibrary, Outcome, Theme


def library(
    name="Test measures", version="1", measures=(("HRS", "hours", "10.00"),), theme="Skills"
):
    """A library with one theme and outcome, and ``measures`` as (code, unit, proxy or None)."""
    made = MeasureLibrary.objects.create(name=name, version=version)
    outcome = Outcome.objects.create(
        theme=Theme.objects.create(library=made, name=theme), name=f"{theme} outcome"
    )
    for order, (code, unit, proxy) in enumerate(measures, start=1):
        Measure.objects.create(
            library=made,
            outcome=outcome,
            code=code,
            description=f"Measure {code}",
            unit=unit,
            proxy_value=Decimal(proxy) if proxy is not None else None,
            order=order,
        )
    return made


def running_contract(**fields):
    """A contract that (unless told otherwise) began 400 days ago and runs for 700 more, with a
    contract manager and a lead director."""
    today = timezone.localdate()
    fields.setdefault("start_date", today - timedelta(days=400))
    fields.setdefault("end_date", today + timedelta(days=700))
    return ContractOverFiftyThousandFactory(**fields)
