"""The demo council's contracts are managed: every kind of record, built once."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import Contract, ResiliencePlan
from contracts.selectors import data_quality_problems
from performance.models import (
    Kpi,
    KpiReturn,
    PerformanceException,
    PerformanceReview,
    Saving,
    SupplierHealthCheck,
)
from performance.selectors import health_checks_overdue

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


def test_the_demo_has_health_checks_some_overdue_plans_and_gaps(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    today = timezone.localdate()
    assert SupplierHealthCheck.objects.count() > 10
    assert health_checks_overdue(on=today).exists()
    assert SupplierHealthCheck.objects.filter(rating__in=SupplierHealthCheck.CONCERNS).exists()
    assert ResiliencePlan.objects.filter(supplier__isnull=False).count() == 2
    assert ResiliencePlan.objects.filter(contract__isnull=False).exists()
    gaps = data_quality_problems(today=today)
    assert Contract.objects.filter(gaps["key_no_plans"][1]).exists()
    count = SupplierHealthCheck.objects.count()
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    assert SupplierHealthCheck.objects.count() == count
