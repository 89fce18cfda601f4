"""The Council Plan themes beside social value ("other key policy outcomes", RBKC §4d and §8a):
the procurements whose approved strategy addresses each theme, the awards that commit to it and
the reviews that recorded delivery against it, in a year, on the dashboard and in the annual
report's PDF."""

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts.tests.factories import ContractOverFiftyThousandFactory
from gateways.models import GatewayReview, ThemeStatement
from gateways.tests.factories import ProjectFactory
from performance.models import PerformanceReview, ThemeDelivery
from procurement.models import PlanTheme
from procurement.roles import Role
from procurement.tests.factories import UserFactory
from reporting.annual import plan_themes_section
from reporting.models import AnnualReport
from reporting.selectors import Scope, plan_themes_in_year

from .world import london

pytestmark = pytest.mark.django_db
State = GatewayReview.State


def _themes() -> dict[str, PlanTheme]:
    return {
        name: PlanTheme.objects.create(name=name, order=order, is_active=active)
        for order, (name, active) in enumerate(
            (("Community involvement", True), ("Narrowing the gap", True), ("Old theme", False))
        )
    }


def _named(review: GatewayReview, *themes: PlanTheme) -> None:
    for theme in themes:
        ThemeStatement.objects.create(review=review, theme=theme, statement="How")


def build() -> dict:
    """2025/26: two procurements' strategies approved in the year name 'Community involvement'
    (one also 'Narrowing the gap'); a strategy approved on 1 April 2026 (the next year) and one
    withdrawn are not counted; one award approved in the year names 'Narrowing the gap'. Two
    reviews of one contract and one of another recorded delivery against 'Community involvement'
    in the year, one against the retired 'Old theme'; one held on 1 April 2026 is the next year's.
    """
    themes = _themes()
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])

    def review(stage, state, decided, *named):
        made = GatewayReview.objects.create(
            author=officer,
            stage=stage,
            state=state,
            summary="Report",
            project=ProjectFactory(),
            submitted_at=decided,
            decided_at=decided,
        )
        _named(made, *named)

    community, gap, old = themes.values()
    review("G1", State.APPROVED, london(2025, 5, 1, 9), community, gap)
    review("G1", State.APPROVED, london(2026, 3, 31, 23), community)
    review("G1", State.APPROVED, london(2026, 4, 1, 0, 30), community)
    review("G1", State.WITHDRAWN, london(2025, 6, 1, 9), gap)
    review("G2", State.APPROVED, london(2025, 9, 1, 9), gap)
    first, second = (
        ContractOverFiftyThousandFactory(start_date=date(2024, 4, 1), end_date=date(2028, 3, 31))
        for _ in range(2)
    )
    for contract, held, theme in (
        (first, date(2025, 6, 1), community),
        (first, date(2025, 12, 1), community),
        (second, date(2026, 3, 31), community),
        (second, date(2025, 7, 1), old),
        (second, date(2026, 4, 1), gap),
    ):
        found = PerformanceReview.objects.create(
            contract=contract, held_on=held, rating="good", narrative="Fine", recorded_by=officer
        )
        ThemeDelivery.objects.create(review=found, theme=theme, delivered="Delivered")
    return themes


SCOPE = Scope(year=2025, today=date(2026, 6, 1))


def test_each_theme_counts_the_years_strategies_awards_and_reviews():
    build()
    lines = plan_themes_in_year(SCOPE)
    assert [
        (line.theme, line.strategies, line.awards, line.reviews, line.contracts) for line in lines
    ] == [
        ("Community involvement", 2, 0, 3, 2),
        ("Narrowing the gap", 1, 1, 0, 0),
        ("Old theme", 0, 0, 1, 1),
    ]


def test_a_retired_theme_with_nothing_in_the_year_is_left_out():
    _themes()
    assert [line.theme for line in plan_themes_in_year(SCOPE)] == [
        "Community involvement",
        "Narrowing the gap",
    ]
    section = plan_themes_section(SCOPE)
    assert section["narrative"] == [
        "No strategy, award or performance review named a theme in 2025/26."
    ]
    assert section["charts"] == []


def test_the_annual_sections_figures_table_and_chart():
    build()
    section = plan_themes_section(SCOPE)
    assert section["figures"] == {"themes": 3, "strategies": 3, "awards": 1, "reviews": 4}
    assert section["tables"][0]["rows"][2] == ["Old theme (retired)", "0", "0", "1", "1"]
    chart = section["charts"][0]
    assert [bar["label"] for bar in chart["bars"]] == [
        "Community involvement",
        "Narrowing the gap",
        "Old theme",
    ]


def test_the_dashboard_section_shows_each_theme_with_its_table(client):
    build()
    client.force_login(UserFactory(roles=[Role.LEAD_MEMBER]))
    page = client.get(
        reverse("reporting:section", args=["plan-themes"]), {"year": "2025"}
    ).content.decode()
    assert "Council Plan themes in 2025/26: the chart&#x27;s figures" in page
    assert "Community involvement" in page
    assert "Old theme\n" in page or "Old theme" in page


def test_the_pdf_has_the_section_with_its_heading_and_figures(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build()
    call_command("build_annual_report", "--year", "2025", stdout=io.StringIO())
    report = AnnualReport.objects.get()
    with report.file.open("rb") as stored:
        pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(stored.read())).pages]
    heading = "Council Plan themes: other key policy outcomes"
    assert heading in pages[1]
    section = next(page for page in pages[2:] if heading in page)
    words = " ".join(section.split())
    assert (
        "approved procurement strategies addressed the council's plan themes 3 times, and "
        "performance reviews recorded delivery against them 4 times" in words
    )
    assert Decimal(report.figures["sections"][4]["figures"]["reviews"]) == 4


def test_the_dashboard_section_says_what_it_shows_with_last_years_figure_beside_each(client):
    build()
    client.force_login(UserFactory(roles=[Role.LEAD_MEMBER]))
    page = client.get(
        reverse("reporting:section", args=["plan-themes"]), {"year": "2026"}
    ).content.decode()
    assert "Each figure opens the list behind it" not in page
    assert "with its figure for 2025/26 beside it" in page
    community = " ".join(page.split("Community involvement")[-1].split("</tr>")[0].split())
    # 2026/27: one strategy and no reviews; 2025/26: two strategies and three reviews.
    assert "1 (2 in 2025/26)" in community
    assert "0 (3 in 2025/26)" in community
