"""A home page's open renewal alerts, worked out by the database (the first few and how many),
are the first few and the number of the full list that the person's alerts page reads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.home import HOME_ALERTS_SHOWN
from alerts.selectors import open_renewal_alerts, open_renewal_alerts_first
from alerts.services import renewal_alerts_send
from alerts.tests.factories import contract_ending, directorate_with_partner
from alerts.tests.test_rolling import rolling_contract
from procurement.models import User
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def both(user, today):
    user = User.objects.get(pk=user.pk)  # no answer kept from an earlier ask
    full = open_renewal_alerts(user=user, today=today)
    first, total = open_renewal_alerts_first(user=user, today=today, shown=HOME_ALERTS_SHOWN)
    expected = [(a.notification.pk, a.contract.pk) for a in full[:HOME_ALERTS_SHOWN]]
    return expected, len(full), [(a.notification.pk, a.contract.pk) for a in first], total


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
        for n in range(9)
    ]
    rolling = rolling_contract(
        today + timedelta(days=15), directorate=directorate, contract_manager=manager
    )
    renewal_alerts_send(on=today)
    # The next lead time is alerted again: the latest alert is the one that counts.
    renewal_alerts_send(on=today + timedelta(days=40))
    # An end date moved after its alert: the alert no longer names its renewal.
    ending[0].end_date = today + timedelta(days=700)
    ending[0].save()
    # An ending confirmed answers its alert; a terminated contract has none open.
    ending[1].ending_confirmed_for = ending[1].end_date
    ending[1].save()
    ending[2].terminated_on = today
    ending[2].save()
    # A rolling contract's new review date answers the alert of the old one.
    rolling.review_date = today + timedelta(days=300)
    rolling.save()
    for person in (partner, manager):
        expected, count, first, total = both(person, today)
        assert count > HOME_ALERTS_SHOWN
        assert (first, total) == (expected, count)
    later = today + timedelta(days=45)
    for person in (partner, manager):
        expected, count, first, total = both(person, later)
        assert (first, total) == (expected, count)


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
