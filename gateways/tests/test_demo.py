"""The demo council's forward plan has reports at every stage and tier."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gateways.evaluation import evaluation_for
from gateways.models import Delegation, GatewayReview, ProcurementProject
from gateways.selectors import projects_publicly_planned

pytestmark = pytest.mark.django_db


def test_the_demo_has_reports_in_every_state_and_tier_and_sends_no_email(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=20, stdout=io.StringIO())
    states = set(GatewayReview.objects.values_list("state", flat=True))
    assert states == {"draft", "in_review", "returned", "rejected", "approved"}
    assert set(GatewayReview.objects.exclude(tier_code="").values_list("tier_code", flat=True)) == {
        "A",
        "B",
    }
    assert mail.outbox == []
    assert Delegation.objects.get().delegate.email == "deputy@northmere.example"
    call_command("seed_demo", contracts=20, stdout=io.StringIO())
    assert GatewayReview.objects.count() == 10
    # The advocacy service's tender is evaluated and ranked, its Gateway 2 report a draft.
    project = ProcurementProject.objects.get(title="Advocacy service")
    ranking = evaluation_for(project=project).ranking
    assert [row.result.rank for row in ranking] == [1, 2, 3]
    assert project.reviews.get(stage="G2").recommended_supplier == ranking[0].bid.supplier
    # Three procurements are on the public forward plan, so a new install's page shows them.
    planned = projects_publicly_planned(today=timezone.localdate())
    assert [each.title for each in planned] == [
        "Carers' support service",
        "Advocacy service",
        "Community equipment",
    ]
