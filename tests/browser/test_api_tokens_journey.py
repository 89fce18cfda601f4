"""Personal API tokens and the Procurement Act notices in the browser: an officer makes a token
(seeing it once) and revokes it; the head of procurement records a Find a Tender notice after an
error. Axe on every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.lead_times import add_months
from gateways.tests.factories import ProjectFactory
from procurement.act import financial_year_start
from procurement.models import ApiToken, PipelineYear
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fill_date(page, label: str, day) -> None:
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_officer_makes_and_revokes_a_token(live_server, sign_in, make_user):
    page, audit = sign_in(make_user(Role.PROCUREMENT_OFFICER))
    page.get_by_role("link", name="API tokens").click()
    audit.check()
    page.get_by_role("button", name="Make the token").click()
    assert (
        "Name the token after what will use it" in page.locator(".govuk-error-summary").inner_text()
    )
    audit.check()
    page.get_by_label("Name").fill("Finance system")
    _fill_date(page, "Expires on", timezone.localdate() + timedelta(days=30))
    page.get_by_role("button", name="Make the token").click()
    assert "Copy it now: it will not be shown again." in page.inner_text("main")
    key = page.get_by_label("Your new token").input_value()
    assert key.startswith("pgv_")
    audit.check()
    page.get_by_role("button", name="Revoke the token Finance system").click()
    assert "is revoked: it no longer works" in page.inner_text("main")
    assert key not in page.content()
    audit.check()
    assert ApiToken.objects.get().revoked_at is not None


def test_the_head_of_procurement_records_a_notice(live_server, sign_in, make_user):
    today = timezone.localdate()
    # A pipeline notice is owed only in a year the council expects to pay more than £100m under
    # public contracts (section 93), as this council does: without it nothing is listed.
    PipelineYear.objects.create(
        year_starting=financial_year_start(today).year, expects_spend_over_threshold=True
    )
    ProjectFactory(
        reference="PIPE-1",
        estimated_value=Decimal("4000000"),
        planned_tender_date=add_months(today, 3),
        planned_start_date=add_months(today, 6),
    )
    page, audit = sign_in(make_user(Role.HEAD_OF_PROCUREMENT))
    page.get_by_role("link", name="Procurement Act").click()
    audit.check()
    page.get_by_role("link", name="Record the notice for PIPE-1").click()
    audit.check()
    page.get_by_label("Find a Tender notice identifier").fill("12-2026")
    _fill_date(page, "Published on", today)
    page.get_by_role("button", name="Record the notice").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the notice identifier as Find a Tender shows it" in summary
    audit.check()
    page.get_by_label("Find a Tender notice identifier").fill("000012-2026")
    page.get_by_role("button", name="Record the notice").click()
    assert "000012-2026" in page.inner_text("main")
    audit.check()
