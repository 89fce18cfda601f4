"""The evaluation in the browser: bids from three suppliers, scores, one moderated score changed
with its note, then the ranking and recommendation on the Gateway 2 report; axe on every page."""

import pytest

from conftest import TEST_PASSWORD
from contracts.tests.factories import SupplierFactory
from gateways.services import evaluator_add, evaluator_declare, review_create
from gateways.tests.factories import ProjectFactory, approved_strategy
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Moderated scores (method statement /30, staffing /20, local employment /10; 0 to 5) and prices:
# Yarrow 38.10 + 46 + 6 = 90.10; Xenon 40 + 36 + 10 = 86.00 until its staffing is moderated from
# 3 to 4 (+4 = 90.00); Zephyr 33.33 + 30 + 4 = 67.33.
BIDS = {
    "Xenon Care Ltd": ("100000", (4, 3, 5)),
    "Yarrow Support CIC": ("105,000.00", (5, 4, 3)),
    "Zephyr Services Ltd": ("£120,000", (3, 3, 2)),
}
CRITERIA = ("Method statement (quality, 30%)", "Staffing (quality, 20%)")
SOCIAL = "Local employment (social value, 10%)"


def test_bids_scores_moderation_and_the_ranking_on_gateway_2(live_server, page, audit, make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER, email="officer@council.example")
    director = make_user(
        Role.EXECUTIVE_DIRECTOR,
        first_name="Dana",
        last_name="Director",
        directorate=officer.directorate,
    )
    project = ProjectFactory(title="Advocacy service", directorate=officer.directorate)
    approved_strategy(
        project, author=officer, partner=make_user(Role.BUSINESS_PARTNER), director=director
    )
    evaluator_add(project=project, user=officer, by=officer)
    evaluator_declare(project=project, by=officer, conflict=False)
    for name in BIDS:
        SupplierFactory(name=name)

    page.goto(f"{live_server.url}/accounts/sign-in/")
    audit.check()
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    audit.check()
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    audit.check()
    page.get_by_role("link", name="Evaluation: weighting, panel and bids").click()
    audit.check()

    for supplier, (price, _) in BIDS.items():
        page.get_by_role("link", name="Record a bid").click()
        audit.check()
        page.get_by_label("Bidder").select_option(label=supplier)
        page.get_by_label("Whole-life price (£)").fill(price)
        page.get_by_role("button", name="Record the bid").click()
        assert f"The bid from {supplier} has been recorded" in page.inner_text("main")
    audit.check()

    def choose(scores):
        for label, score in zip((*CRITERIA, SOCIAL), scores, strict=True):
            page.get_by_role("group", name=label).get_by_label(str(score), exact=True).check()

    for supplier, (_, scores) in BIDS.items():
        page.get_by_role("link", name=f"Score the bid from {supplier}").click()
        audit.check()
        choose(scores)
        page.get_by_role("button", name="Save my scores").click()
        assert f"The bid from {supplier} has been scored" in page.inner_text("main")

    for supplier in BIDS:
        page.get_by_role("link", name=f"Moderate the bid from {supplier}").click()
        audit.check()
        if supplier == "Xenon Care Ltd":
            # Moderation raises staffing from 3 to 4: without a note it is refused.
            page.get_by_role("group", name=CRITERIA[1]).get_by_label("4", exact=True).check()
            page.get_by_role("button", name="Save the moderated scores").click()
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "Give a note for 'Staffing'" in summary
            audit.check()
            page.get_by_label("Moderation note").nth(1).fill("Agreed 4: named deputy manager")
        page.get_by_role("button", name="Save the moderated scores").click()
        assert f"The bid from {supplier} has been moderated" in page.inner_text("main")
    audit.check()
    ranking = page.get_by_role("table", name="Ranking", exact=True).inner_text()
    assert ranking.index("Yarrow Support CIC") < ranking.index("Xenon Care Ltd")
    assert "90.10" in ranking
    assert "90.00" in ranking
    assert "67.33" in ranking

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("link", name="Gateway 2: permission to award").click()
    audit.check()
    page.get_by_label("What does the report ask").fill("Award to the top-ranked bidder.")
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/*/report/")
    audit.check()
    page.get_by_label("Tender outcome").fill("Three compliant bids.")
    page.get_by_label("Recommended supplier").select_option(label="Yarrow Support CIC")
    page.get_by_label("Whole-life value of the award (£)").fill("105000")
    for group, (day, month, year) in (
        ("Contract start", ("1", "4", "2027")),
        ("Contract end", ("31", "3", "2030")),
    ):
        fields = page.get_by_role("group", name=group)
        fields.get_by_label("Day").fill(day)
        fields.get_by_label("Month").fill(month)
        fields.get_by_label("Year").fill(year)
    page.get_by_label("Lead director of the contract").select_option(label=str(director))
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/*/")
    audit.check()
    main = page.inner_text("main")
    assert "Recommended bidder\nYarrow Support CIC" in main or "Recommended bidder\tYarrow" in main
    table = page.get_by_role("table", name="Ranking", exact=True)
    first_row = table.locator("tbody tr").first.inner_text()
    assert "Yarrow Support CIC" in first_row
    assert "Recommended" in first_row
    assert "90.10" in first_row
    assert "Agreed 4: named deputy manager" in main
    # The summary sent to one bidder names only that bidder; the strategy shows its weighting.
    xenon = project.bids.get(supplier__name="Xenon Care Ltd")
    page.goto(
        f"{live_server.url}/gateways/projects/{project.pk}/evaluation/summary/?bidder={xenon.pk}"
    )
    audit.check()
    summary = page.inner_text("main")
    assert "Bidder A" in summary
    assert "Yarrow" not in summary
    page.goto(f"{live_server.url}/gateways/reviews/{project.reviews.get(stage='G1').pk}/")
    audit.check()
    assert "Template: Professional and business services" in page.inner_text("main")

    # The other evaluation pages: the declaration, a weighting with an error, the report.
    page.goto(f"{live_server.url}/gateways/projects/{project.pk}/evaluation/declaration/")
    audit.check()
    again = review_create(author=officer, stage="G1", summary="Re-weighting", project=project)
    page.goto(f"{live_server.url}/gateways/reviews/{again.pk}/weighting/")
    audit.check()
    page.get_by_label("Price weight (%)").fill("45")
    page.get_by_role("button", name="Save the weighting").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "already been scored against the approved weighting" in summary
    audit.check()
    page.goto(f"{live_server.url}/gateways/weighting/")
    audit.check()
    assert "Professional and business services" in page.inner_text("main")
