"""The open renewal alerts kept (alerts/open_alerts.py) are the ledger's own after every kind of
write that opens or closes one, and a person's list, first few and count, read from their kept
rows, are those worked out from the ledger and the register."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import open_alerts
from alerts.home import HOME_ALERTS_SHOWN
from alerts.models import OpenRenewalAlert
from alerts.selectors import open_renewal_alerts, open_renewal_alerts_first
from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending, directorate_with_partner
from alerts.tests.test_rolling import rolling_contract
from contracts.lead_times import MAX_LEAD_MONTHS, add_months
from contracts.signals import contracts_written_in_bulk
from gateways.services import review_create
from gateways.tests.factories import ProjectFactory
from procurement.models import User
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def live_list(user, today) -> list[tuple[int, int]]:
    """The person's open alerts from the ledger and the register, soonest renewal first."""
    earliest = add_months(today, -MAX_LEAD_MONTHS)
    rows = sorted(
        (renews_on, contract, notification)
        for recipient, contract, notification, renews_on, due_on in open_alerts.live_open_alerts()
        if recipient == user.pk and renews_on >= today and due_on >= earliest
    )
    return [(notification, contract) for _, contract, notification in rows]


def assert_exact(people, today) -> None:
    assert open_alerts.disagreements() == []
    for person in people:
        person = User.objects.get(pk=person.pk)  # no answer kept from an earlier ask
        expected = live_list(person, today)
        full = open_renewal_alerts(user=person, today=today)
        assert [(a.notification.pk, a.contract.pk) for a in full] == expected
        person = User.objects.get(pk=person.pk)
        first, total = open_renewal_alerts_first(user=person, today=today, shown=HOME_ALERTS_SHOWN)
        assert [(a.notification.pk, a.contract.pk) for a in first] == expected[:HOME_ALERTS_SHOWN]
        assert total == len(expected)


def test_the_first_few_and_the_count_are_the_full_lists(make_user):
    today = timezone.localdate()
    directorate = directorate_with_partner()
    partner = directorate.business_partner
    manager = make_user()
    ending = [
        contract_ending(
            today + timedelta(days=20 + 9 * n),
            directorate=directorate,
            contract_manager=manager,
            value=("40000.00", "500000.00", "2000000.00")[n % 3],
        )
        for n in range(12)
    ]
    rolling = rolling_contract(
        today + timedelta(days=15), directorate=directorate, contract_manager=manager
    )
    people = (partner, manager)
    renewal_alerts_send(on=today)
    assert OpenRenewalAlert.objects.exists()  # a fair test: alerts are open
    assert_exact(people, today)
    # The next lead time is alerted again: the latest alert is the one that counts.
    renewal_alerts_send(on=today + timedelta(days=40))
    assert_exact(people, today)
    # An end date moved after its alert: the alert no longer names its renewal.
    ending[0].end_date = today + timedelta(days=700)
    ending[0].save()
    assert_exact(people, today)
    # An ending confirmed answers its alert; a terminated contract has none open.
    ending[1].ending_confirmed_for = ending[1].end_date
    ending[1].save()
    ending[2].terminated_on = today
    ending[2].save()
    assert_exact(people, today)
    # A rolling contract's new review date answers the alert of the old one.
    rolling.review_date = today + timedelta(days=300)
    rolling.save()
    assert_exact(people, today)
    # A re-procurement planned to replace one, moved to another, then dropped.
    project = ProjectFactory(directorate=directorate, replaces=ending[3])
    assert_exact(people, today)
    project.replaces = ending[4]
    project.save()
    assert_exact(people, today)
    project.delete()
    assert_exact(people, today)
    # A Gateway 3 extension proposed answers it; withdrawn, the alert is open again.
    ending[5].extension_options, ending[5].extension_option_months = 1, 12
    ending[5].extension_options_value = Decimal("100000.00")
    ending[5].save()
    review = review_create(
        author=partner, stage="G3", summary="Extend", contract=ending[5], is_extension=True
    )
    assert_exact(people, today)
    review.delete()
    assert_exact(people, today)
    # A contract deleted; and the alerts of a later day.
    ending[6].delete()
    assert_exact(people, today)
    assert_exact(people, today + timedelta(days=45))
    assert len(live_list(manager, today)) > HOME_ALERTS_SHOWN


def test_bulk_writes_rebuild_the_open_alerts_once_when_committed(
    make_user, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    directorate = directorate_with_partner()
    manager = make_user()
    contract = contract_ending(
        today + timedelta(days=20), directorate=directorate, contract_manager=manager
    )
    renewal_alerts_send(on=today)
    OpenRenewalAlert.objects.all().delete()  # as a bulk write would leave them, unsignalled
    assert open_alerts.disagreements()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):  # an import signals each batch it writes
            contracts_written_in_bulk.send(sender=type(contract))
    assert [hook for hook in callbacks if hook is open_alerts.rebuild] == [open_alerts.rebuild]
    assert open_alerts.disagreements() == []
    assert OpenRenewalAlert.objects.filter(contract=contract, recipient=manager).exists()


def test_the_home_page_lists_the_first_few_and_counts_the_rest(client, make_user):
    today = timezone.localdate()
    directorate = directorate_with_partner()
    manager = make_user(Role.CONTRACT_MANAGER)
    for n in range(HOME_ALERTS_SHOWN + 3):
        contract_ending(
            today + timedelta(days=20 + n), directorate=directorate, contract_manager=manager
        )
    renewal_alerts_send(on=today)
    client.force_login(manager)
    page = client.get(reverse("procurement:home")).content.decode()
    assert "See all your alerts (3 more)" in page
