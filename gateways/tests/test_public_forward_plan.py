"""The public forward plan: signed out, anyone reads the procurements officers published, from
the day they chose, over the council's figure, with a value band and never the estimate; the
CSV shows the same. Publishing is a change to the project, kept in its history, by those who may
edit it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gateways.models import GatewayReview
from gateways.services import project_update
from gateways.tests.factories import ProjectFactory
from procurement.roles import Role
from procurement.thresholds import value_band

pytestmark = pytest.mark.django_db

ABOVE = Decimal("100000.00")


def published(**fields):
    return ProjectFactory(on_public_forward_plan=True, **fields)


def csv_rows(client) -> list[dict]:
    response = client.get(reverse("public_plan:csv"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def plan(settings):
    settings.PROCUREMENT_MAILBOX = "procurement@council.example"
    today = timezone.localdate()
    return {
        "shown": published(
            reference="FP-1",
            title="Home care in the north",
            estimated_value=Decimal("420000.00"),
            planned_tender_date=today + timedelta(days=60),
            planned_award_date=today + timedelta(days=150),
            suitable_for_sme=True,
            suitable_for_vcse=True,
            contact_email="care.commissioning@council.example",
        ),
        "unpublished": ProjectFactory(reference="FP-2", title="Secret depot sale"),
        "not_yet": published(
            reference="FP-3", title="Library van", public_from=today + timedelta(days=1)
        ),
        "small": published(reference="FP-4", title="Stationery", estimated_value=ABOVE),
        "awarded": published(reference="FP-5", title="Bridge repairs already let"),
        "today": published(reference="FP-6", title="Playgrounds", public_from=today),
    }


def award(project):
    GatewayReview.objects.create(
        project=project, stage="G2", state="approved", summary="Award", author=project.lead_officer
    )


def test_signed_out_the_published_procurements_are_shown_with_a_band(client, plan):
    award(plan["awarded"])
    page = client.get(reverse("public_plan:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Home care in the north" in text
    assert "Playgrounds" in text
    assert "£250,000 to £500,000" in text
    assert "420,000" not in text  # the band, never the estimate
    assert "care.commissioning@council.example" in text
    assert "procurement@council.example" in text  # the council's mailbox where none is given
    for hidden in ("Secret depot sale", "Library van", "Stationery", "Bridge repairs already let"):
        assert hidden not in text


def test_the_csv_shows_the_same_and_nothing_unpublished(client, plan):
    award(plan["awarded"])
    rows = csv_rows(client)
    assert [row["Reference"] for row in rows] == ["FP-1", "FP-6"]
    home_care = rows[0]
    assert home_care["Estimated value band"] == "£250,000 to £500,000"
    assert (home_care["Suitable for SMEs"], home_care["Suitable for VCSEs"]) == ("Yes", "Yes")
    assert home_care["Contact"] == "care.commissioning@council.example"
    assert "420000" not in str(rows)


def test_an_unpublished_procurement_is_not_found_by_guessing_its_id(client, plan):
    secret = plan["unpublished"]
    for url in (
        reverse("gateways:project", args=[secret.pk]),
        f"{reverse('public_plan:list')}?id={secret.pk}",
        f"{reverse('public_plan:csv')}?id={secret.pk}",
        f"/forward-plan/{secret.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in {302, 404, 200}, url
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"Secret depot sale" not in body, url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:sign_in")), url


def test_the_council_sets_the_figure_it_publishes_from(client, plan, settings):
    settings.FORWARD_PLAN_PUBLISH_ABOVE = "50000"
    assert "Stationery" in client.get(reverse("public_plan:list")).content.decode()
    settings.FORWARD_PLAN_PUBLISH_ABOVE = "500000"
    assert [row["Reference"] for row in csv_rows(client)] == []


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("100000.01", "£100,000 to £250,000"),
        ("250000.00", "£100,000 to £250,000"),
        ("250000.01", "£250,000 to £500,000"),
        ("1000000.00", "£500,000 to £1m"),
        ("5000000.01", "£5m to £10m"),
        ("10000000.01", "Over £10m"),
    ],
)
def test_value_bands_at_their_edges(value, band):
    assert value_band(Decimal(value), above=ABOVE) == band


def test_publishing_is_a_change_kept_in_history_by_those_who_may_edit(make_user):
    project = ProjectFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=project.directorate)
    today = timezone.localdate()
    project_update(
        project=project,
        fields={"on_public_forward_plan": True, "public_from": today},
        by=officer,
        reason="Market engagement starts",
    )
    latest = project.history.latest()
    assert (latest.on_public_forward_plan, latest.public_from) == (True, today)
    assert (latest.history_user, latest.history_change_reason) == (
        officer,
        "Market engagement starts",
    )
    for outsider in (make_user(Role.PROCUREMENT_OFFICER), make_user(Role.AUDITOR)):
        with pytest.raises(PermissionDenied):
            project_update(
                project=project,
                fields={"on_public_forward_plan": False},
                by=outsider,
                reason="Not mine",
            )


def test_the_project_form_offers_the_choice(client, make_user):
    project = ProjectFactory()
    client.force_login(make_user(Role.PROCUREMENT_OFFICER, directorate=project.directorate))
    page = client.get(reverse("gateways:project_edit", args=[project.pk])).content.decode()
    assert 'name="on_public_forward_plan"' in page
    assert 'name="public_from_day"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"page": "-1"},
        {"sort": "'; DROP TABLE gateways_procurementproject; --"},
        {"q": "\x00<script>"},
    ],
)
def test_hostile_query_strings_change_nothing(client, plan, query):
    assert client.get(reverse("public_plan:list"), query).status_code == 200
    assert client.get(reverse("public_plan:csv"), query).status_code == 200


def test_the_page_and_csv_run_a_fixed_number_of_queries(
    client, plan, django_assert_max_num_queries
):
    for _ in range(30):
        published()
    with django_assert_max_num_queries(1):
        client.get(reverse("public_plan:list"))
    with django_assert_max_num_queries(1):
        csv_rows(client)
