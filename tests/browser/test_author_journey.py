"""An author follows a Gateway 1 report on their home page, from draft to returned to approved;
they check the route and the people at each step before submitting; a business partner who
returns it without a reason sees the error beside the field, then checks the decision before it
is recorded. Each person in their own browser, axe on every page."""

import re

import pytest

from gateways.models import GatewayReview
from gateways.services import review_decide
from gateways.tests.factories import CONSULTATION, ProjectFactory, g1_draft
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _yours(page) -> str:
    """The home page's "Your gateway reports", as read."""
    section = page.locator("main").inner_text()
    return section[section.index("Your gateway reports") :]


def _banners(page) -> str:
    return " ".join(page.locator(".govuk-notification-banner").all_inner_texts())


def test_an_author_follows_a_report_from_draft_to_returned_to_approved(
    live_server, sign_in, make_user
):
    care = DirectorateFactory(name="Adult Social Care", code="care")
    housing = DirectorateFactory(name="Housing", code="housing")
    author = make_user(
        Role.PROCUREMENT_OFFICER, directorate=care, first_name="Olu", last_name="Adebayo"
    )
    partner = make_user(Role.BUSINESS_PARTNER, first_name="Bea", last_name="Marsh")
    director = make_user(
        Role.EXECUTIVE_DIRECTOR, directorate=care, first_name="Dee", last_name="Okafor"
    )
    make_user(Role.EXECUTIVE_DIRECTOR, directorate=housing, first_name="Ewan", last_name="Hart")
    review = g1_draft(
        author, project=ProjectFactory(directorate=care, title="Carers' support service")
    )

    # The draft is on the author's home page; submitting goes through a check of the route.
    page, audit = sign_in(author)
    assert "Drafts" in _yours(page)
    page.get_by_role("link", name=str(review)).click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/")
    audit.check()
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/submit/")
    audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your answers before submitting your report"
    )
    steps = page.locator("h2:has-text('The steps and who acts at each') + dl.govuk-summary-list")
    rows = steps.locator(".govuk-summary-list__row")
    assert rows.count() == 2
    assert "Bea Marsh" in rows.nth(0).inner_text()
    assert "Dee Okafor" in rows.nth(1).inner_text()
    # Housing's director is not in scope, and the author never acts on their own report.
    assert "Ewan Hart" not in steps.inner_text()
    assert "Olu Adebayo" not in steps.inner_text()
    assert "The report goes to" in page.locator("main").inner_text()
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/")
    assert (
        "The report has been submitted" in page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()

    # On the home page: in review, whose turn it is and since when.
    page.goto(f"{live_server.url}/")
    audit.check()
    yours = _yours(page)
    assert "In review" in yours
    assert re.search(r"At '[^']*' since \d{1,2} \w+ \d{4}, with Bea Marsh", yours)

    # The business partner returns it, first without a reason: the error is beside the field.
    page, audit = sign_in(partner)
    page.get_by_role("link", name="Gateway reports awaiting your decision").click()
    audit.check()
    page.get_by_role("link", name=str(review)).click()
    audit.check()
    page.get_by_label("Returned for changes").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/decide/")
    audit.check()
    summary_link = page.locator(".govuk-error-summary a")
    assert summary_link.inner_text() == "Give your reasons."
    field = page.locator(summary_link.get_attribute("href"))
    message = page.locator("#id_reasons-error")
    assert "Give your reasons." in message.inner_text()
    group = page.locator(".govuk-form-group--error")
    assert group.locator("#id_reasons").count() == 1
    assert group.locator("#id_reasons-error").count() == 1
    # The message is just above its field, and the summary a short way above both (the form
    # used to be at the foot of the report, some 3,000 px below its error summary).
    field_box, message_box = field.bounding_box(), message.bounding_box()
    summary_box = page.locator(".govuk-error-summary").bounding_box()
    assert 0 < field_box["y"] - message_box["y"] < 100
    assert 0 < field_box["y"] - summary_box["y"] < 1000
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "id_reasons"
    page.get_by_label("Returned for changes").check()
    field.fill("Say how the lots are split between the north and the south.")
    page.get_by_role("button", name="Continue").click()
    audit.check()
    check = page.locator("main").inner_text()
    assert "Check your decision before recording it" in check
    assert "Say how the lots are split" in check
    page.get_by_role("button", name="Record your decision").click()
    page.wait_for_url(f"{live_server.url}/gateways/reviews/{review.pk}/")
    assert (
        "Recorded: returned for changes"
        in page.locator(".govuk-notification-banner").first.inner_text()
    )
    audit.check()

    # The author sees it returned with the reasons, at home and at the top of the report.
    page, audit = sign_in(author)
    yours = _yours(page)
    assert "Returned to you for changes" in yours
    assert "Returned by Bea Marsh" in yours
    assert "Say how the lots are split" in yours
    page.get_by_role("link", name=str(review)).click()
    audit.check()
    banner = page.locator(".govuk-notification-banner", has=page.locator("#review-outcome-title"))
    assert "Returned for changes by Bea Marsh" in banner.inner_text()
    assert "Say how the lots are split" in banner.inner_text()
    heading = page.get_by_role("heading", level=1)
    assert banner.bounding_box()["y"] < heading.bounding_box()["y"]
    statuses = page.locator("main ol .govuk-tag").all_inner_texts()
    assert statuses == ["Returned for changes", "Not reached"]
    page.get_by_role("link", name="The procurement: ").click()
    page.wait_for_url(f"{live_server.url}/gateways/projects/{review.project_id}/")
    audit.check()
    page.goto(f"{live_server.url}/gateways/reviews/{review.pk}/")
    page.get_by_role("button", name="Resubmit the report").click()
    audit.check()
    page.get_by_role("button", name="Resubmit the report").click()
    assert (
        "The report has been submitted" in page.locator(".govuk-notification-banner").inner_text()
    )
    audit.check()

    # Approved in the second round; the author sees it decided.
    review.refresh_from_db()
    review_decide(review=review, by=partner, outcome="approved")
    review_decide(review=review, by=director, outcome="approved", **CONSULTATION)
    page.goto(f"{live_server.url}/")
    audit.check()
    yours = _yours(page)
    assert "Decided" in yours
    assert "Approved by Dee Okafor" in yours
    assert "Returned to you for changes" not in yours
    review.refresh_from_db()
    assert review.state == GatewayReview.State.APPROVED
