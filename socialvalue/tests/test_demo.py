"""The demo council's contracts carry social value plans and returns, some behind target."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import Contract
from socialvalue.models import Commitment, DeliveryReturn, MeasureLibrary
from socialvalue.selectors import contract_plan

pytestmark = pytest.mark.django_db


def test_the_demo_has_plans_returns_in_every_state_and_some_behind_target(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    assert MeasureLibrary.objects.count() == 2
    assert Commitment.objects.count() >= 30
    assert set(DeliveryReturn.objects.values_list("status", flat=True)) == {
        "awaiting",
        "verified",
        "queried",
    }
    today = timezone.localdate()
    statuses = {
        position.status
        for contract in Contract.objects.filter(social_value_commitments__isnull=False).distinct()
        for position in contract_plan(contract, today)
    }
    assert {"behind", "on_track"} <= statuses
    valued = Commitment.objects.filter(measure__proxy_value__isnull=False)
    assert valued.exists()
    assert DeliveryReturn.objects.filter(
        status="awaiting", commitment__contract__contract_manager__email="manager@northmere.example"
    ).exists()
    count = Commitment.objects.count()
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    assert Commitment.objects.count() == count
