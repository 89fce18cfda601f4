"""Quarterly assurance in the browser: the head of procurement compiles last quarter's report and
submits it, the Head of Paid Service challenges it, the central team answers, the Chief Finance
Officer signs the financial figures, the Head of Paid Service signs it off, and the Lead Member
reads the quarter as assured on the dashboard. axe-core and reflow at 1280 and 320 pixels on
every page."""

import pytest
from django.utils import timezone

from assurance.models import QuarterlyReport
from procurement.dates import financial_quarter, quarter_label
from procurement.roles import Role
from tests.browser.test_every_page import NARROW, WIDE, WIDER_THAN_THE_SCREEN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def checked(page, audit) -> None:
    """axe-core at 1280 and at 320 pixels, where the page may not scroll sideways."""
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        audit.check()
        assert page.evaluate(WIDER_THAN_THE_SCREEN) is None, page.url
    page.set_viewport_size(WIDE)


def test_a_quarter_is_submitted_challenged_answered_and_signed_off(live_server, sign_in, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT, first_name="Marcus", last_name="Reid")
    hops = make_user(Role.HEAD_OF_PAID_SERVICE, first_name="Alan", last_name="Brierley")
    cfo = make_user(Role.CHIEF_FINANCE_OFFICER, first_name="Meera", last_name="Kapoor")
    member = make_user(Role.LEAD_MEMBER)
    year, quarter = financial_quarter(timezone.localdate())
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    label = quarter_label(year, quarter)

    page, audit = sign_in(head)
    page.goto(f"{live_server.url}/assurance/")
    checked(page, audit)
    page.get_by_role("link", name="Compile a quarter's report").click()
    checked(page, audit)
    page.get_by_role("button", name="Compile the report").click()
    assert "Choose the quarter" in page.locator(".govuk-error-summary").inner_text()
    checked(page, audit)
    page.get_by_label("Quarter").select_option(label=label)
    page.get_by_role("button", name="Compile the report").click()
    assert "its figures are frozen" in page.inner_text("main")
    checked(page, audit)
    page.get_by_role("button", name="Submit for review").click()
    assert "In review" in page.inner_text("main")
    checked(page, audit)
    report_url = page.url

    reviewer, reviewer_audit = sign_in(hops)
    reviewer.goto(report_url)
    checked(reviewer, reviewer_audit)
    # The Chief Finance Officer has not signed yet: the quarter cannot be signed off.
    assert reviewer.get_by_role("link", name="Sign off the quarter").count() == 0
    reviewer.get_by_role("link", name="Challenge the report").click()
    checked(reviewer, reviewer_audit)
    reviewer.get_by_label("Your challenge").fill("Why are two key contracts' reviews overdue?")
    reviewer.get_by_role("button", name="Send the challenge").click()
    assert "Challenged" in reviewer.inner_text("main")
    checked(reviewer, reviewer_audit)

    page.goto(report_url)
    checked(page, audit)
    page.get_by_role("link", name="Answer the challenge").click()
    checked(page, audit)
    page.get_by_label("Your answer").fill("Both are booked for next month.")
    page.get_by_role("button", name="Submit the report again").click()
    assert "submitted again" in page.inner_text("main")
    checked(page, audit)

    finance, finance_audit = sign_in(cfo)
    finance.goto(report_url)
    checked(finance, finance_audit)
    finance.get_by_role("link", name="Sign the financial figures").click()
    checked(finance, finance_audit)
    finance.get_by_label("Your advice on the financial figures").fill("The values agree.")
    finance.get_by_role("button", name="Sign the financial figures").click()
    assert "The financial figures have been signed" in finance.inner_text("main")
    checked(finance, finance_audit)

    reviewer.goto(report_url)
    reviewer.get_by_role("link", name="Sign off the quarter").click()
    checked(reviewer, reviewer_audit)
    reviewer.get_by_role("button", name="Sign off the quarter").click()
    assert "Choose the assurance you give" in reviewer.locator(".govuk-error-summary").inner_text()
    checked(reviewer, reviewer_audit)
    reviewer.get_by_label("Assured with exceptions").check()
    reviewer.get_by_label("Statement of assurance").fill("Services are on track, with two gaps.")
    reviewer.get_by_role("button", name="Sign off the quarter").click()
    assert "The quarter has been signed off" in reviewer.inner_text("main")
    checked(reviewer, reviewer_audit)
    assert QuarterlyReport.objects.get().status == QuarterlyReport.Status.SIGNED

    reader, reader_audit = sign_in(member)
    reader.goto(f"{live_server.url}/dashboard/")
    assured = reader.locator("[data-assured-quarter]").inner_text()
    assert f"{label}: assured with exceptions" in assured
    assert "Alan Brierley" in assured
    checked(reader, reader_audit)
    reader.get_by_role("link", name="Read the signed report").click()
    assert "Services are on track, with two gaps." in reader.inner_text("main")
    checked(reader, reader_audit)
