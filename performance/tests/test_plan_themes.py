"""What a performance review records as delivered against the Council Plan themes (RBKC §4d):
only the current plan's themes, blanks not recorded, kept in history and shown on the page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import ThemeDelivery
from performance.services import PerformanceError
from procurement.models import PlanTheme

from .test_reviews import contract, review  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_a_review_records_what_is_delivered_against_each_theme(contract):  # noqa: F811
    community = PlanTheme.objects.create(name="Community involvement", order=1)
    gap = PlanTheme.objects.create(name="Narrowing the gap", order=2)
    recorded = review(
        contract, themes={community: "  Six volunteers from the estate. ", gap: "   "}
    )
    delivered = ThemeDelivery.objects.get()
    assert (delivered.review, delivered.theme, delivered.delivered) == (
        recorded,
        community,
        "Six volunteers from the estate.",
    )
    kept = delivered.history.get()
    assert kept.history_user == contract.contract_manager
    assert "Council Plan theme" in kept.history_change_reason


def test_a_retired_theme_cannot_be_reported_against(contract):  # noqa: F811
    retired = PlanTheme.objects.create(name="Old plan's theme", is_active=False)
    with pytest.raises(PerformanceError, match="no longer a theme"):
        review(contract, themes={retired: "Something"})
    assert not ThemeDelivery.objects.exists()


def test_the_review_form_asks_for_each_theme_and_the_page_shows_it(client, contract):  # noqa: F811
    theme = PlanTheme.objects.create(name="Prevention and early intervention")
    client.force_login(contract.contract_manager)
    url = reverse("performance:review_create", args=[contract.pk])
    page = client.get(url).content.decode()
    assert "What is being delivered against &#x27;Prevention and early intervention&#x27;?" in page
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "held_on_day": today.day,
            "held_on_month": today.month,
            "held_on_year": today.year,
            "rating": "good",
            "narrative": "Fine",
            "frequency_months": "6",
            f"theme_{theme.pk}": "Early help within five days.",
        },
    )
    assert response.status_code == 302
    shown = client.get(reverse("performance:contract", args=[contract.pk])).content.decode()
    assert "Early help within five days." in shown
