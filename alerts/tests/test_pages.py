"""Where alerts are seen: the home page, the contract page, the ledger, and reassignment."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending
from contracts.lead_times import add_months
from contracts.models import RenewalBand
from procurement.models import Notification
from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted():
    """A contract whose 9 months' alert went out today."""
    today = timezone.localdate()
    contract = contract_ending(add_months(today, 9))
    renewal_alerts_send(on=today)
    return contract


def test_the_home_page_lists_open_alerts_until_they_are_answered(client, alerted):
    manager = alerted.contract_manager
    client.force_login(manager)
    page = client.get(reverse("procurement:home")).content.decode()
    assert "Your renewal alerts" in page
    assert alerted.reference in page
    assert "Renewal alerts waiting for your answer" in page
    response = client.post(
        reverse("contracts:confirm_ending", args=[alerted.pk]),
        {"reason": "The service moves in-house"},
    )
    assert response.status_code == 302
    page = client.get(reverse("procurement:home")).content.decode()
    assert "Your renewal alerts" not in page
    assert alerted.reference not in client.get(reverse("alerts:mine")).content.decode()


def test_confirming_an_ending_needs_a_reason_and_the_right_to_change_it(client, alerted, make_user):
    client.force_login(alerted.contract_manager)
    url = reverse("contracts:confirm_ending", args=[alerted.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    assert "govuk-error-summary" in page
    assert "Say why the contract will end without a replacement" in page
    alerted.refresh_from_db()
    assert alerted.ending_confirmed_for is None
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))  # another directorate's officer
    assert client.post(url, {"reason": "Not needed"}).status_code == 403
    client.force_login(make_user(Role.LEAD_MEMBER))
    assert client.get(url).status_code == 403


def test_the_contract_page_shows_the_renewal_and_the_alerts_sent(client, alerted, make_user):
    client.force_login(alerted.contract_manager)
    page = client.get(alerted.get_absolute_url()).content.decode()
    assert "Renewal and alerts" in page
    assert "Band: Over £100k up to £1.5m" in page
    assert "Record that it will end" in page
    assert "Alerts sent about this contract" in page
    assert escape(alerted.directorate.business_partner.get_full_name()) in page
    # A reader sees what was sent, not the emails themselves, and cannot act.
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(alerted.get_absolute_url()).content.decode()
    assert "Alerts sent about this contract" in page
    assert reverse("alerts:notification", args=[Notification.objects.first().pk]) not in page
    assert "Record that it will end" not in page


def test_the_contract_page_keeps_its_query_count_as_alerts_grow(client, make_user):
    today = timezone.localdate()
    contract = contract_ending(today + timedelta(days=20), value="40000.00")
    client.force_login(make_user(Role.BUSINESS_PARTNER))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(contract.get_absolute_url()).status_code == 200
        return len(captured)

    renewal_alerts_send(on=today - timedelta(days=70))  # the 3 months' alert
    before = queries()
    renewal_alerts_send(on=today)  # the 1 month's
    assert Notification.objects.filter(subject_id=contract.pk).count() == 4
    assert queries() == before


def test_only_administrators_and_auditors_read_the_ledger(client, alerted, make_user):
    url = reverse("alerts:notifications")
    assert client.get(url).status_code == 302  # to sign in
    for role, status in [
        (Role.ADMINISTRATOR, 200),
        (Role.AUDITOR, 200),
        (Role.BUSINESS_PARTNER, 403),
        (Role.PROCUREMENT_OFFICER, 403),
    ]:
        client.force_login(make_user(role))
        assert client.get(url).status_code == status, role
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get(url, {"status": "sent", "kind": "renewal"}).content.decode()
    assert alerted.reference in page
    assert "Sent: 2" in page
    assert alerted.reference not in client.get(url, {"status": "failed"}).content.decode()
    assert client.get(url, {"status": "nonsense"}).status_code == 200


def test_someone_elses_email_is_not_shown(client, alerted, make_user):
    mine = Notification.objects.get(recipient=alerted.contract_manager)
    url = reverse("alerts:notification", args=[mine.pk])
    client.force_login(alerted.contract_manager)
    assert "Renewal alert:" in client.get(url).content.decode()
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(url).content.decode()
    assert "Send it again" not in page
    assert client.post(reverse("alerts:send_again", args=[mine.pk])).status_code == 403


def test_an_administrator_sends_a_failed_notification_again(client, alerted, make_user):
    row = Notification.objects.get(recipient=alerted.contract_manager)
    Notification.objects.filter(pk=row.pk).update(
        status="failed", attempts=8, next_attempt_at=None, last_error="SMTP down"
    )
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get(reverse("alerts:notification", args=[row.pk])).content.decode()
    assert "Send it again" in page
    assert "SMTP down" in page
    mail.outbox.clear()
    response = client.post(reverse("alerts:send_again", args=[row.pk]), follow=True)
    assert "Sent again." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[alerted.contract_manager.email]]
    response = client.post(reverse("alerts:send_again", args=[row.pk]), follow=True)
    assert "can only be sent again" in response.content.decode()
    assert len(mail.outbox) == 1


@pytest.fixture
def departed(make_user):
    contract = contract_ending(timezone.localdate() + timedelta(days=300))
    leaver = contract.contract_manager
    leaver.is_active = False
    leaver.save()
    return contract, leaver


def test_a_departed_managers_contracts_are_reassigned_with_history(client, departed, make_user):
    contract, leaver = departed
    partner = contract.directorate.business_partner
    client.force_login(partner)
    home = client.get(reverse("procurement:home")).content.decode()
    assert "Contracts whose manager has left" in home
    page = client.get(reverse("alerts:reassign")).content.decode()
    assert contract.reference in page
    assert leaver.email in page
    url = reverse("alerts:reassign_manager", args=[leaver.pk])
    successor = make_user(Role.CONTRACT_MANAGER, directorate=contract.directorate)
    page = client.post(url, {"contracts": [contract.pk], "reason": "Left"}).content.decode()
    assert "govuk-error-summary" in page
    assert "Choose the colleague who will manage these contracts" in page
    response = client.post(
        url, {"contracts": [contract.pk], "manager": successor.pk, "reason": "Left the council"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.contract_manager == successor
    latest = contract.history.first()
    assert latest.history_user == partner
    assert latest.history_change_reason == "Contract manager reassigned: Left the council"
    assert contract.reference not in client.get(reverse("alerts:reassign")).content.decode()
    assert client.get(url).status_code == 404  # nothing of theirs is left


def test_reassignment_is_limited_to_the_directorates_a_person_keeps(client, departed, make_user):
    contract, leaver = departed
    other_officer = make_user(Role.PROCUREMENT_OFFICER)
    client.force_login(other_officer)
    assert contract.reference not in client.get(reverse("alerts:reassign")).content.decode()
    assert client.get(reverse("alerts:reassign_manager", args=[leaver.pk])).status_code == 403
    client.force_login(make_user(Role.LEAD_MEMBER))
    assert client.get(reverse("alerts:reassign")).status_code == 403


def test_a_contract_of_another_directorate_cannot_be_slipped_into_a_reassignment(
    client, departed, make_user
):
    contract, leaver = departed
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    elsewhere = contract_ending(timezone.localdate() + timedelta(days=300))
    elsewhere.contract_manager = leaver
    elsewhere.save()
    client.force_login(officer)
    page = client.post(
        reverse("alerts:reassign_manager", args=[leaver.pk]),
        {"contracts": [elsewhere.pk], "manager": officer.pk, "reason": "Left"},
    ).content.decode()
    assert "govuk-error-summary" in page
    elsewhere.refresh_from_db()
    assert elsewhere.contract_manager == leaver


def test_the_gateway_escalations_list_is_open_to_those_who_receive_them(client, make_user):
    url = reverse("alerts:gateways_overdue")
    for role, status in [
        (Role.HEAD_OF_PROCUREMENT, 200),
        (Role.EXECUTIVE_DIRECTOR, 200),
        (Role.AUDITOR, 200),
        (Role.PROCUREMENT_OFFICER, 403),
    ]:
        client.force_login(make_user(role))
        assert client.get(url).status_code == status, role


def test_administrators_edit_the_lead_times_in_the_admin_with_a_reason(client, make_user):
    band = RenewalBand.objects.get(value_above=Decimal("0.00"))
    client.force_login(make_user(Role.ADMINISTRATOR))
    url = reverse("admin:contracts_renewalband_change", args=[band.pk])
    fields = {"name": band.name, "value_above": "0.00", "change_reason": "Audit advice"}
    response = client.post(url, {**fields, "lead_months": "three"})
    assert response.status_code == 200
    assert "whole months" in response.content.decode()
    response = client.post(url, {**fields, "lead_months": "1, 4"})
    assert response.status_code == 302
    band.refresh_from_db()
    assert band.lead_months == "4, 1"
    assert band.history.first().history_change_reason == "Audit advice"
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    assert client.get(url).status_code == 403


def test_the_reference_data_shows_the_lead_times_in_force(client, make_user):
    directorate = contract_ending(timezone.localdate() + timedelta(days=300)).directorate
    band = RenewalBand.objects.get(value_above=Decimal("1500000.00"))
    band.lead_months = "24, 12"
    band.save()
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("procurement:reference_data")).content.decode()
    assert "Renewal alerts by whole-life value" in page
    assert "Over £1,500,000.00" in page
    assert "24, 12 months" in page
    assert "9, 6, 3 months" in page
    # As the page escapes it: a name may hold an apostrophe (O'Neill).
    assert f"business partner {escape(directorate.business_partner)}" in page
    assert "10 working days" in page
