"""The demo council's contracts are managed: every kind of record, built once."""

import io

import pytest
from django.core.management import call_command

from performance.models import Kpi, KpiReturn, PerformanceException, PerformanceReview, Saving

pytestmark = pytest.mark.django_db


def test_the_demo_manages_contracts_with_every_kind_of_record(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    assert Kpi.objects.count() >= 30
    assert set(KpiReturn.objects.values_list("rating", flat=True)) == {"green", "amber", "red"}
    assert set(PerformanceException.objects.values_list("status", flat=True)) == {
        "open",
        "plan_agreed",
        "closed",
    }
    assert PerformanceReview.objects.filter(rating="requires_improvement").exists()
    assert Saving.objects.exists()
    managed = Kpi.objects.filter(contract__contract_manager__email="manager@northmere.example")
    assert managed.exists()
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    assert Kpi.objects.count() == Kpi.objects.values("contract", "name").distinct().count()
