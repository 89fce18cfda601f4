"""Rolling contracts are alerted before their review date, once for each review date, and the
business partner hears of the named-officer gaps in their weekly digest."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alerts.selectors import Category, digests_due, open_renewal_alerts
from alerts.services import escalation_digests_send, renewal_alerts_send
from alerts.tests.factories import contract_ending, directorate_with_partner
from contracts.tests.factories import ContractFactory
from procurement.models import Notification
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def rolling_contract(review: date, *, value: str = "500000.00", **fields):
    """A rolling contract (no end date) worth ``value``, due for review on ``review``."""
    contract = contract_ending(
        review, value=value, start_date=review - timedelta(days=3 * 365), **fields
    )
    contract.end_date = None
    contract.review_date = review
    contract.save()
    return contract


def keys(contract) -> list[str]:
    return sorted(
        Notification.objects.filter(kind="renewal", subject_id=contract.pk).values_list(
            "key", flat=True
        )
    )


def test_a_rolling_contract_is_alerted_once_at_its_bands_shortest_lead_time():
    # £100k to £1.5m: 9, 6 and 3 months before an end date; a rolling contract's review has
    # only the 3 months' alert.
    contract = rolling_contract(date(2027, 8, 31))
    assert renewal_alerts_send(on=date(2027, 5, 30)).due == 0
    result = renewal_alerts_send(on=date(2027, 5, 31))
    assert (result.due, result.claimed) == (2, 2)
    assert keys(contract) == ["3m:review:2027-08-31"] * 2
    message = mail.outbox[0]
    assert "rolling: review due 31 August 2027" in message.subject
    assert "is a rolling contract with no end date" in message.body
    assert "due for review on 31 August 2027, 3 months from this alert" in message.body
    assert "/will-end/" not in message.body
    for day in (date(2027, 5, 31), date(2027, 6, 15), date(2027, 8, 31)):
        again = renewal_alerts_send(on=day)
        assert again.claimed == 0
    assert len(mail.outbox) == 2


def test_the_next_review_date_is_alerted_afresh():
    contract = rolling_contract(date(2027, 8, 31))
    renewal_alerts_send(on=date(2027, 6, 1))
    contract.review_date = date(2028, 8, 31)
    contract.save()
    assert renewal_alerts_send(on=date(2027, 9, 1)).claimed == 0
    assert renewal_alerts_send(on=date(2028, 5, 31)).claimed == 2
    assert keys(contract) == ["3m:review:2027-08-31"] * 2 + ["3m:review:2028-08-31"] * 2


def test_a_rolling_contract_without_a_review_date_is_not_alerted():
    contract = rolling_contract(date(2027, 8, 31))
    contract.review_date = None
    contract.save()
    assert renewal_alerts_send(on=date(2027, 8, 1)).due == 0


def test_an_open_rolling_alert_waits_on_the_managers_home_page(client):
    today = timezone.localdate()
    contract = rolling_contract(today + timedelta(days=20), value="40000.00")
    renewal_alerts_send(on=today)
    manager = contract.contract_manager
    assert [a.contract.pk for a in open_renewal_alerts(user=manager, today=today)] == [contract.pk]
    client.force_login(manager)
    page = client.get(reverse("procurement:home")).content.decode()
    assert "before the review" in page
    # A new review date answers the old alert.
    contract.review_date = today + timedelta(days=200)
    contract.save()
    manager = type(manager).objects.get(pk=manager.pk)
    assert open_renewal_alerts(user=manager, today=today) == []


def test_the_forward_plan_shows_a_rolling_contract_whose_review_falls_in_the_window(
    client, make_user
):
    today = timezone.localdate()
    due = rolling_contract(today + timedelta(days=60))
    rolling_contract(today + timedelta(days=1000))  # beyond its band's longest lead time
    dated = contract_ending(today + timedelta(days=30))
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.get(reverse("gateways:forward_plan"))
    page = response.content.decode()
    assert f"Rolling: review due {due.review_date.day} {due.review_date:%B %Y}" in page
    listed = [c.pk for c in response.context["to_reprocure"]]
    assert listed == [dated.pk, due.pk]


def test_the_renewal_panel_of_a_rolling_contract_names_its_review(client, make_user):
    contract = rolling_contract(date(2031, 8, 31))
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "This is a rolling contract with no end date: it is decided at its review." in page
    assert "An alert goes 3 months before the review due 31 August 2031 (31 May 2031)." in page


def test_the_business_partners_digest_asks_for_the_missing_lead_director(make_user):
    directorate = directorate_with_partner()
    partner = directorate.business_partner
    contract = ContractFactory(
        directorate=directorate,
        whole_life_value=Decimal("60000.00"),
        contract_manager=make_user(Role.CONTRACT_MANAGER),
    )
    on = timezone.localdate()
    items = digests_due(on=on)[partner]
    assert [(e.category, e.subject.pk) for e, _ in items] == [
        (Category.NO_LEAD_DIRECTOR, contract.pk)
    ]
    assert items[0][1] == "Business partner for the directorate"
    escalation_digests_send(on=on)
    digest = Notification.objects.get(recipient=partner, kind="escalation_digest")
    assert "Contracts over £50,000 with no lead director" in digest.body_text
    assert contract.reference in digest.body_text
    # One digest a week, not an email a contract.
    escalation_digests_send(on=on)
    assert Notification.objects.filter(recipient=partner).count() == 1
