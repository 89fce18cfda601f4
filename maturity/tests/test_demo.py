"""The demo council has last year's assessment closed, this year's open with movement and wide
spreads, and an action plan with progress."""

import io

import pytest
from django.core.management import call_command

from maturity.models import ActionItem, Assessment, ProgressNote
from maturity.selectors import assessment_results

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_years_with_movement_and_an_action_plan(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=60, stdout=io.StringIO())
    last, current = Assessment.objects.order_by("year")
    assert (last.status, current.status) == ("closed", "open")
    results = assessment_results(current)
    assert results.previous == last
    movements = {row.movement for row in results.behaviours if row.movement is not None}
    assert 1 in movements
    assert 0 in movements
    assert any(area.wide_spreads for area in results.areas)
    assert results.gaps
    assert set(ActionItem.objects.values_list("status", flat=True)) == {
        "not_started",
        "ongoing",
        "delivered",
    }
    assert ProgressNote.objects.exists()
    call_command("seed_demo", contracts=60, stdout=io.StringIO())
    assert Assessment.objects.count() == 2
