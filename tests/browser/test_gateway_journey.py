"""A Tier B Gateway 1 through every step, each person in their own browser, axe on every page."""

import pytest

from gateways.models import GatewayReview
from gateways.tests.factories import TierBProjectFactory
from procurement.roles import Role
from procurement.services import user_set_portfolio

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_tier_b_gateway_1_from_submission_to_approval(live_server, sign_in, make_user):
    people = {
        role: make_user(role, email=f"{role.value}@council.example")
        for role in (
            Role.PROCUREMENT_OFFICER,
            Role.BUSINESS_PARTNER,
            Role.CONSULTEE_LEGAL,
            Role.CONSULTEE_FINANCE,
            Role.CONSULTEE_COMMUNICATIONS,
            Role.OFFICER_BOARD_MEMBER,
            Role.LEAD_MEMBER,
        )
    }
    project = TierBProjectFactory(
        title="Home care across the borough",
        directorate=people[Role.PROCUREMENT_OFFICER].directorate,
    )
    # The Lead Member decides Tier B for the directorates of their portfolio.
    user_set_portfolio(
        user=people[Role.LEAD_MEMBER], directorates=[project.directorate], by=None, reason="Cabinet"
    )

    def signed_in(role: Role):
        return sign_in(people[role])

    page, audit = signed_in(Role.PROCUREMENT_OFFICER)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Forward plan").click()
    page.wait_for_url(f"{live_server.url}/gateways/")
    audit.check()
    page.get_by_role("link", name=str(project)).click()
    audit.check()
    page.get_by_role("link", name="Gateway 1: procurement strategy").click()
    audit.check()
    page.get_by_label("What does the report ask").fill("Procurement strategy for home care.")
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/*/report/")
    audit.check()
    page.get_by_label("Published tender").check()
    page.get_by_label("Timetable").fill("Tender in March, award in June")
    page.get_by_label("Risks and how they are managed").fill("A thin provider market")
    page.get_by_label("Social value approach").fill("15% weighting: local jobs")
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/*/")
    assert "A thin provider market" in page.locator("main").inner_text()
    audit.check()
    review = GatewayReview.objects.get()
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/submit/")
    audit.check()
    page.get_by_role("button", name="Submit the report").click()
    banner = page.locator(".govuk-notification-banner").first
    assert "The report has been submitted" in banner.inner_text()
    audit.check()

    def decide(role: Role, outcome: str | None, **fields) -> None:
        page, audit = signed_in(role)
        page.get_by_role("link", name="Gateway reports awaiting your decision").click()
        audit.check()
        page.get_by_role("link", name="Gateway 1: procurement strategy for").click()
        audit.check()
        if outcome:
            page.get_by_label(outcome).check()
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name="Continue").click()
        audit.check()  # the check page
        page.get_by_role("button", name="Record your decision").click()
        assert "Recorded" in page.locator(".govuk-notification-banner").first.inner_text()
        audit.check()

    decide(Role.BUSINESS_PARTNER, "Approved")
    for consultee in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        # A consultee has one thing to do: comment (no lone radio to tick).
        decide(consultee, None, **{"Comments": "No concerns."})

    # The board must give its meeting and minute: first without, to see the error summary.
    page, audit = signed_in(Role.OFFICER_BOARD_MEMBER)
    page.goto(f"{live_server.url}/gateways/board-agenda/")
    assert "Home care across the borough" in page.locator("main").inner_text()
    audit.check()
    page.goto(f"{live_server.url}/gateways/reviews/{review.pk}/")
    page.get_by_label("Recommended for approval").check()
    page.get_by_role("button", name="Continue").click()
    assert (
        "meeting's date and the minute reference"
        in page.locator(".govuk-error-summary").inner_text()
    )
    audit.check()
    page.get_by_label("Recommended for approval").check()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Minute reference").fill("SCCB 2026/11 min 4")
    page.get_by_role("button", name="Continue").click()
    audit.check()  # the check page
    page.get_by_role("button", name="Record your decision").click()
    assert "Recorded" in page.locator(".govuk-notification-banner").first.inner_text()
    audit.check()

    decide(Role.LEAD_MEMBER, "Approved", **{"Key-decision reference": "KD-2026-031"})

    page, audit = signed_in(Role.PROCUREMENT_OFFICER)
    page.goto(f"{live_server.url}/gateways/reviews/{review.pk}/")
    assert page.locator(".govuk-summary-list .govuk-tag").first.inner_text() == "Approved"
    assert "Key decision KD-2026-031" in page.locator("main").inner_text()
    audit.check()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Delegate your gateway approvals while you are away").click()
    page.get_by_role("button", name="Delegate").click()
    assert "Choose who will decide for you" in page.locator(".govuk-error-summary").inner_text()
    audit.check()
    review.refresh_from_db()
    assert review.state == GatewayReview.State.APPROVED
