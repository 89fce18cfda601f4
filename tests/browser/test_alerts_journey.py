"""Renewal alerts in the browser: the job alerts a contract manager, who finds the alert on their
home page and answers it from the contract's page; an administrator reads the ledger and the email
as sent; the business partner reassigns a departed manager's contracts. Axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending
from contracts.lead_times import add_months
from procurement.models import Notification
from procurement.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_alert_is_seen_answered_and_audited(live_server, sign_in, make_user):
    today = timezone.localdate()
    contract = contract_ending(add_months(today, 6), title="Home care (north)")
    manager = contract.contract_manager
    leaver = make_user(Role.CONTRACT_MANAGER, directorate=contract.directorate, last_name="Left")
    departed = contract_ending(
        today + timedelta(days=400),
        directorate=contract.directorate,
        contract_manager=leaver,
        title="Meals on wheels",
    )
    leaver.is_active = False
    leaver.save()
    renewal_alerts_send(on=today)

    page, audit = sign_in(manager)
    alerts = page.get_by_role("table", name="Your renewal alerts")
    assert contract.reference in alerts.inner_text()
    alerts.get_by_role("link", name=f"Answer it for {contract.reference}").click()
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Renewal and alerts"
    ).click()
    assert "Alerts sent about this contract" in page.inner_text("main")
    audit.check()
    page.get_by_role("link", name="Record that it will end").click()
    audit.check()
    page.get_by_role("button", name="Record that the contract will end").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Say why the contract will end without a replacement" in summary
    audit.check()
    page.get_by_label("Why it will end with nothing to replace it").fill(
        "The service moves to the council's own company"
    )
    page.get_by_role("button", name="Record that the contract will end").click()
    assert "its renewal alerts have stopped" in page.inner_text("main")
    audit.check()
    page.get_by_role("link", name="Procurement governance").click()
    assert "Your renewal alerts" not in page.inner_text("main")
    audit.check()
    page.get_by_role("link", name="Your alerts and escalations").click()
    assert "No renewal alert is waiting for your answer" in page.inner_text("main")
    audit.check()

    admin_page, admin_audit = sign_in(make_user(Role.ADMINISTRATOR))
    admin_page.get_by_role("link", name="Notifications").first.click()
    admin_audit.check()
    admin_page.get_by_label("Status").select_option("sent")
    admin_page.get_by_role("button", name="Apply filters").click()
    admin_audit.check()
    first = Notification.objects.filter(subject_id=contract.pk).order_by("pk").first()
    admin_page.get_by_role("link", name=first.title).first.click()
    assert "Start a re-procurement project" in admin_page.inner_text("main")
    admin_audit.check()
    admin_page.goto(f"{live_server.url}/alerts/gateways-overdue/")
    assert "No gateway report is waiting longer than its target" in admin_page.inner_text("main")
    admin_audit.check()
    admin_page.goto(f"{live_server.url}/reference-data/")
    assert "Renewal alerts by whole-life value" in admin_page.inner_text("main")
    admin_audit.check()

    partner_page, partner_audit = sign_in(contract.directorate.business_partner)
    partner_page.get_by_role("link", name="Contracts whose manager has left").click()
    partner_audit.check()
    partner_page.get_by_role("link", name=f"Reassign {leaver}'s contracts").click()
    partner_audit.check()
    partner_page.get_by_label("New contract manager").select_option(str(manager.pk))
    partner_page.get_by_label("Why they are being reassigned").fill("Left the council")
    partner_page.get_by_role("button", name="Reassign the contracts").click()
    assert "The contracts have been reassigned" in partner_page.inner_text("main")
    partner_audit.check()
    departed.refresh_from_db()
    assert departed.contract_manager == manager
