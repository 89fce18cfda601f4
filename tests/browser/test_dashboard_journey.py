"""The dashboard in the browser: a Lead Member opens it for a year, reads the headline against
last year, opens its sections and follows figures to the lists behind them and finds the same
counts; filters by directorate; the head of procurement asks for the annual report, watches it
being built and reads it. Axe on every page."""

import re

import pytest
from django.utils import timezone

from performance.models import financial_year_of
from procurement.roles import Role
from reporting.models import AnnualReport
from reporting.services import annual_report_build
from reporting.tests import world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _number(text: str) -> int:
    return int(re.search(r"[\d,]+", text).group(0).replace(",", ""))


def _listed(page) -> int:
    return int(page.locator("#figure-total").get_attribute("data-total"))


SECTION_OF = {
    "running": "Contracted value",
    "no_manager": "Compliance",
    "forward_plan": "Forward plan",
    "decided": "Gateways",
}


def test_a_lead_member_reads_the_headline_and_follows_figures_to_their_lists(
    live_server, sign_in, make_user
):
    world.build()
    page, audit = sign_in(make_user(Role.LEAD_MEMBER))
    page.get_by_role("link", name="Dashboard", exact=True).click()
    audit.check()
    page.get_by_label("Financial year").select_option("2025")
    page.get_by_role("button", name="Show").click()
    assert "Commissioning and procurement for 2025/26" in page.inner_text("main")
    # The headline: six figures, each against last year and said in a sentence.
    headline = page.locator("[data-headline]")
    assert headline.count() == 6
    contracts = page.locator('[data-headline="contracts"]').inner_text()
    assert "£2.9m" in contracts
    assert "2024/25: £2.2m" in contracts
    assert "£720,000 more than last year" in contracts
    audit.check()
    contents = page.get_by_role("navigation", name="Sections", exact=True)
    for key, expected in (("running", 4), ("no_manager", 2), ("forward_plan", 2), ("decided", 4)):
        contents.get_by_role("link", name=SECTION_OF[key], exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == SECTION_OF[key]
        audit.check()
        link = page.locator(f'a[data-figure="{key}"]').first
        shown = _number(link.inner_text())
        assert shown == expected, key
        link.click()
        assert _listed(page) == shown
        assert page.get_by_role("table").locator("tbody tr").count() == shown
        audit.check()
        page.get_by_role("link", name=f"Back to {SECTION_OF[key]}").click()
        audit.check()
        page.get_by_role("link", name="Back to the dashboard").click()
        assert "year=2025" in page.url
        audit.check()
    # From the chart's table: the running contracts of one directorate, against last year.
    contents.get_by_role("link", name="Contracted value", exact=True).click()
    audit.check()
    table = page.get_by_role("table", name="Running contracts by directorate")
    assert "In 2024/25" in table.inner_text()
    table.get_by_role("link", name="3 contracts: Adults").click()
    assert _listed(page) == 3
    assert "in Adults" in page.inner_text("main")
    audit.check()
    page.get_by_role("link", name="Back to Contracted value").click()
    audit.check()
    page.get_by_label("Directorate", exact=True).select_option(label="Place")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**directorate=*")
    assert _number(page.locator('a[data-figure="running"]').inner_text()) == 1
    audit.check()
    page.goto(f"{live_server.url}/dashboard/?year=1066")
    assert (
        "Choose the financial year from the list"
        in page.locator(".govuk-error-summary").inner_text()
    )
    audit.check()


def test_the_head_of_procurement_builds_and_reads_the_annual_report(
    live_server, sign_in, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world.build()
    page, audit = sign_in(make_user(Role.HEAD_OF_PROCUREMENT))
    page.goto(f"{live_server.url}/dashboard/annual/")
    audit.check()
    page.get_by_role("button", name="Build the report").click()
    assert "Choose the financial year from the list" not in page.inner_text("main")
    report = AnnualReport.objects.get()
    year = report.year_label
    # The build under way, naming its year; with no worker running, the page says so.
    status = page.locator("[data-progress-text]")
    assert f"the {year} report, version 1" in status.inner_text()
    assert "background work is not running" in status.inner_text()
    audit.check()
    annual_report_build(report_id=report.pk)  # what the worker does
    # The page follows the build by itself and shows the report once it is ready.
    page.get_by_role("link", name=re.compile("Read it as a web page")).wait_for(timeout=15_000)
    assert page.locator("[data-progress-text]").count() == 0
    audit.check()
    page.get_by_role("link", name=re.compile("Read it as a web page")).click()
    assert "Forward plan delivery" in page.inner_text("main")
    audit.check()
    assert report.year == financial_year_of(timezone.localdate()) - 1  # the year last closed
