"""The Council Plan themes a Gateway 1 strategy addresses and a Gateway 2 award delivers against
(RBKC §4d): named only by the author, only from the current plan, never submitted without a
statement for each, kept in history, shown on the report's page and carried by the API."""

import pytest
from django.urls import reverse

from gateways.models import GatewayReview, ThemeStatement
from gateways.services import GatewayError, review_create, review_set_themes, review_submit
from gateways.tests.factories import WEIGHTING, g1_draft
from procurement.models import PlanTheme
from procurement.roles import Role
from procurement.services import plan_theme_create, plan_theme_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    made = [
        plan_theme_create(name=name, order=order, by=head, reason="The Council Plan")
        for order, name in enumerate(
            ("Community involvement", "Narrowing the gap", "Prevention and early intervention")
        )
    ]
    return {"head": head, **{theme.name: theme for theme in made}}


@pytest.fixture
def officer(make_user):
    return make_user(Role.PROCUREMENT_OFFICER)


@pytest.fixture
def strategy(officer):
    from gateways.services import review_set_weighting

    review = g1_draft(officer)
    review_set_weighting(review=review, by=officer, **WEIGHTING)
    return review


def test_the_author_names_themes_with_a_statement_each_and_history_says_who_and_why(
    strategy, officer, themes
):
    review_set_themes(
        review=strategy,
        statements={
            themes["Community involvement"]: "Residents sit on the panel.",
            themes["Narrowing the gap"]: "Targeted at the two most deprived wards.",
        },
        by=officer,
    )
    named = list(strategy.theme_statements.order_by("theme__order"))
    assert [(n.theme.name, n.statement) for n in named] == [
        ("Community involvement", "Residents sit on the panel."),
        ("Narrowing the gap", "Targeted at the two most deprived wards."),
    ]
    # No longer naming one removes it, and its history says so.
    review_set_themes(
        review=strategy,
        statements={themes["Narrowing the gap"]: "Targeted at the two most deprived wards."},
        by=officer,
    )
    assert [n.theme.name for n in strategy.theme_statements.all()] == ["Narrowing the gap"]
    removed = ThemeStatement.history.filter(history_type="-").get()
    assert removed.history_user == officer
    assert removed.history_change_reason == "Council Plan theme no longer named in the report"
    added = ThemeStatement.history.filter(history_type="+").first()
    assert added.history_change_reason == "Council Plan theme named"


def test_a_strategy_cannot_be_submitted_naming_a_theme_without_a_statement(
    strategy, officer, themes
):
    review_set_themes(review=strategy, statements={themes["Narrowing the gap"]: "   "}, by=officer)
    with pytest.raises(GatewayError, match="say how the procurement addresses 'Narrowing the gap'"):
        review_submit(review=strategy, by=officer)
    strategy.refresh_from_db()
    assert strategy.state == GatewayReview.State.DRAFT
    review_set_themes(
        review=strategy,
        statements={themes["Narrowing the gap"]: "Deprived wards first."},
        by=officer,
    )
    assert review_submit(review=strategy, by=officer).state == GatewayReview.State.IN_REVIEW


def test_a_strategy_naming_no_theme_may_be_submitted(strategy, officer, themes):
    assert review_submit(review=strategy, by=officer).state == GatewayReview.State.IN_REVIEW


def test_only_themes_of_the_current_plan_can_be_named(strategy, officer, themes):
    retired = plan_theme_update(
        theme=themes["Narrowing the gap"],
        name="Narrowing the gap",
        description="",
        order=1,
        is_active=False,
        by=themes["head"],
        reason="The new Council Plan drops it",
    )
    with pytest.raises(GatewayError, match="no longer a theme of the council's plan"):
        review_set_themes(review=strategy, statements={retired: "Deprived wards."}, by=officer)
    assert not strategy.theme_statements.exists()


def test_a_theme_retired_after_it_was_named_stops_the_submission(strategy, officer, themes):
    theme = themes["Prevention and early intervention"]
    review_set_themes(review=strategy, statements={theme: "Early help first."}, by=officer)
    plan_theme_update(
        theme=theme,
        name=theme.name,
        description="",
        order=2,
        is_active=False,
        by=themes["head"],
        reason="The new Council Plan drops it",
    )
    with pytest.raises(GatewayError, match="'Prevention and early intervention' is no longer"):
        review_submit(review=strategy, by=officer)


def test_only_the_author_names_themes_and_only_while_the_report_may_change(
    strategy, officer, themes, make_user
):
    theme = themes["Community involvement"]
    other = make_user(Role.PROCUREMENT_OFFICER, directorate=officer.directorate)
    with pytest.raises(GatewayError, match="Only the report's author"):
        review_set_themes(review=strategy, statements={theme: "Mine."}, by=other)
    review_submit(review=strategy, by=officer)
    with pytest.raises(GatewayError, match="only while the report is a draft or returned"):
        review_set_themes(review=strategy, statements={theme: "Late."}, by=officer)


def test_a_gateway_0_report_names_no_themes(officer, themes):
    from gateways.tests.factories import ProjectFactory

    business_case = review_create(
        author=officer,
        stage="G0",
        summary="Options",
        project=ProjectFactory(directorate=officer.directorate),
    )
    with pytest.raises(GatewayError, match="Gateway 1 strategy or Gateway 2 report"):
        review_set_themes(
            review=business_case, statements={themes["Narrowing the gap"]: "x"}, by=officer
        )


def test_the_author_names_themes_on_the_page_and_the_report_shows_them(
    client, strategy, officer, themes
):
    theme = themes["Community involvement"]
    client.force_login(officer)
    url = reverse("gateways:themes", args=[strategy.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Community involvement" in page.content.decode()
    # A statement without the theme ticked is refused, saying why.
    refused = client.post(url, {f"statement_{theme.pk}": "Residents on the panel."})
    assert refused.status_code == 200
    assert "Tick &#x27;Community involvement&#x27; to name it" in refused.content.decode()
    saved = client.post(
        url, {f"theme_{theme.pk}": "on", f"statement_{theme.pk}": "Residents on the panel."}
    )
    assert saved.status_code == 302
    report = client.get(reverse("gateways:review", args=[strategy.pk])).content.decode()
    assert "Council Plan themes" in report
    assert "Residents on the panel." in report


def test_another_officer_cannot_open_the_themes_page(client, strategy, make_user, themes):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    assert client.get(reverse("gateways:themes", args=[strategy.pk])).status_code == 403


def test_the_api_carries_the_themes_a_report_names(client, strategy, officer, themes):
    review_set_themes(
        review=strategy, statements={themes["Narrowing the gap"]: "Deprived wards."}, by=officer
    )
    client.force_login(officer)
    data = client.get(f"/api/v1/reviews/{strategy.pk}/").json()
    assert data["plan_themes"] == [{"theme": "Narrowing the gap", "statement": "Deprived wards."}]
    listed = client.get("/api/v1/plan-themes/").json()
    assert [t["name"] for t in listed["results"]] == [
        "Community involvement",
        "Narrowing the gap",
        "Prevention and early intervention",
    ]
    assert PlanTheme.objects.count() == 3


def test_the_themes_of_a_submitted_report_are_fixed_and_the_author_is_told_why(
    client, strategy, officer, themes
):
    GatewayReview.objects.filter(pk=strategy.pk).update(state="in_review")
    client.force_login(officer)
    url = reverse("gateways:themes", args=[strategy.pk])
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("gateways:review", args=[strategy.pk]))
    page = client.get(url, follow=True).content.decode()
    assert "The Council Plan themes are fixed once the report is submitted" in page
    assert "Your role does not allow you" not in page


def test_the_check_before_submitting_links_a_theme_without_a_statement_to_the_themes_page(
    client, strategy, officer, themes
):
    review_set_themes(
        review=strategy,
        statements={
            themes["Narrowing the gap"]: "  ",
            themes["Community involvement"]: "Residents sit on the panel.",
        },
        by=officer,
    )
    client.force_login(officer)
    page = client.get(reverse("gateways:submit", args=[strategy.pk])).content.decode()
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    themes_url = reverse("gateways:themes", args=[strategy.pk])
    assert f'href="{themes_url}"' in summary
    assert "&#x27;Narrowing the gap&#x27;" in summary
    assert "govuk-notification-banner" not in page
    assert "Residents sit on the panel." in page
    assert "Submit the report" not in page
