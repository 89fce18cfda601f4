"""The jobs read only what is due: the same alerts and digests as reading the whole register.

The daily job asks the database which contracts have an alert not yet sent (``renewals_unsent``)
and the weekly job reads only what each digest lists (``digests_summarised``). Each is compared
here with the plain computation over every contract (``renewals_due`` with the whole ledger,
``digests_due``), on a varied register, across many days and changes between runs.
"""

from datetime import date, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.selectors import digests_due, digests_summarised, renewal_keys_claimed, renewals_due
from alerts.services import (
    contracts_reassign,
    escalation_digests_send,
    renewal_alerts_send,
    renewal_body,
    renewal_draft,
)
from alerts.tests.factories import contract_ending, directorate_with_partner
from contracts.lead_times import add_months, bands, last_end_alerted_by
from contracts.models import RenewalBand
from contracts.services import contract_terminate, contract_update
from procurement.models import Notification
from procurement.roles import Role

pytestmark = pytest.mark.django_db

VALUES = ["2000000.00", "1500000.01", "1500000.00", "100000.01", "100000.00", "5000.00"]


def test_the_last_end_date_a_lead_time_has_reached_is_exact():
    for on in [date(2027, 2, 1) + timedelta(days=n) for n in range(400)]:
        for months in (1, 3, 6, 9, 12, 18):
            last = last_end_alerted_by(on, months)
            assert add_months(last, -months) <= on < add_months(last + timedelta(days=1), -months)


@pytest.fixture
def register(make_user):
    """Contracts of every band and at its edges, ending on month ends and in between over two
    years, rolling ones with review dates, one terminated, one whose manager has left and one in
    a directorate without a business partner."""
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    make_user(Role.HEAD_OF_PROCUREMENT)
    directorates = [directorate_with_partner() for _ in range(2)]
    without_partner = directorate_with_partner()
    without_partner.business_partner = None
    without_partner.save()
    directorates.append(without_partner)
    contracts = []
    start = date(2026, 8, 31)
    for n in range(48):
        end = add_months(start, n // 2) if n % 2 else start + timedelta(days=17 * n)
        contracts.append(
            contract_ending(end, value=VALUES[n % len(VALUES)], directorate=directorates[n % 3])
        )
    for n in range(6):
        rolling = contract_ending(date(2027, 1, 1), value=VALUES[n], directorate=directorates[0])
        rolling.end_date = None
        rolling.review_date = add_months(date(2026, 12, 31), 2 * n)
        rolling.save()
        contracts.append(rolling)
    left = contracts[5].contract_manager
    left.is_active = False
    left.save()
    return {"contracts": contracts, "directorates": directorates, "head": head}


def plain(on: date) -> tuple[set, int]:
    """What the job should send on ``on`` and how many alerts are due, from every contract
    inside a lead time and the whole ledger."""
    in_force = bands()
    due = {
        (item.contract.pk, item.key, recipient.user.pk)
        for item in renewals_due(on=on, in_force=in_force)
        for recipient in item.recipients
    }
    return due - renewal_keys_claimed(on=on, in_force=in_force), len(due)


def change(step: int, register) -> None:
    """Between runs: what officers and administrators do to a register."""
    contracts, head = register["contracts"], register["head"]
    if step == 8:  # a value crosses a band's edge: other lead times
        contract_update(
            contract=contracts[2],
            fields={"whole_life_value": Decimal("99000.00")},
            by=head,
            reason="Value corrected",
        )
    elif step == 16:  # a corrected end date starts its alerts afresh
        contract = contracts[7]
        contract_update(
            contract=contract,
            fields={"end_date": contract.end_date + timedelta(days=45)},
            by=head,
            reason="End date corrected",
        )
    elif step == 24:  # an administrator changes a band's lead times
        band = RenewalBand.objects.get(value_above=Decimal("100000.00"))
        band.lead_months = "12, 4"
        band.save()
    elif step == 32:  # a new manager is told of the alert already due
        contracts_reassign(
            contracts=[contracts[9], contracts[10]],
            manager=contracts[11].contract_manager,
            by=head,
            reason="Moved team",
        )
    elif step == 40:
        contract_terminate(
            contract=contracts[13],
            terminated_on=date(2027, 6, 1),
            reason="Ended early",
            approved_by="Head of service",
            by=head,
        )
    elif step == 48:  # a directorate loses its partner: the heads of procurement hear
        directorate = register["directorates"][1]
        directorate.business_partner = None
        directorate.save()


def test_the_daily_job_sends_what_reading_every_contract_would_across_two_years(register):
    on, steps = date(2026, 6, 1), cycle([1, 1, 3, 7, 1, 2, 30, 1, 5])
    sent_in_all, step = 0, 0
    while on < date(2028, 9, 1):
        change(step, register)
        expected, due = plain(on)
        latest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = renewal_alerts_send(on=on)
        made = set(
            Notification.objects.filter(kind="renewal", pk__gt=latest).values_list(
                "subject_id", "key", "recipient_id"
            )
        )
        assert made == expected, on
        assert (result.due, result.claimed) == (due, len(expected)), on
        assert renewal_alerts_send(on=on).claimed == 0  # exactly once
        sent_in_all += len(made)
        mail.outbox.clear()
        on += timedelta(days=next(steps))
        step += 1
    assert sent_in_all > 100


def test_a_first_run_after_a_long_gap_catches_up_the_latest_lead_time_of_each(register):
    on = date(2027, 9, 30)
    expected, due = plain(on)
    result = renewal_alerts_send(on=on)
    assert result.claimed == len(expected) == due > 20


def queries_of(job, **kwargs) -> int:
    """The queries a run makes, but for its inserts into the ledger: SQLite takes a bulk insert
    in batches of as many rows as its limit on parameters allows, so those follow what is sent."""
    with CaptureQueriesContext(connection) as queries:
        job(**kwargs)
    mail.outbox.clear()
    return sum(not query["sql"].startswith("INSERT") for query in queries.captured_queries)


def test_the_jobs_queries_do_not_grow_with_the_register(register):
    on = date(2027, 3, 1)
    escalation_digests_send(on=on - timedelta(days=7))  # Django keeps content types once read
    small = [
        queries_of(renewal_alerts_send, on=on),
        queries_of(renewal_alerts_send, on=on),
        queries_of(escalation_digests_send, on=on),
    ]
    contracts = register["contracts"]
    for n in range(100):  # three times the contracts, with the same people
        contract_ending(
            date(2027, 3, 1) + timedelta(days=7 * n),
            value=VALUES[n % len(VALUES)],
            directorate=contracts[n % 12].directorate,
            contract_manager=contracts[n % 12].contract_manager,
            lead_director=contracts[n % 12].lead_director,
            review_date=date(2026, 12, 1),
        )
    later = on + timedelta(days=7)
    assert renewal_alerts_send(on=later, dry_run=True).listed
    large = [
        queries_of(renewal_alerts_send, on=later),
        queries_of(renewal_alerts_send, on=later),
        queries_of(escalation_digests_send, on=later),
    ]
    assert small == large


def assert_summarised_as_due(on: date, shown: int) -> None:
    everything = digests_due(on=on)
    summarised = digests_summarised(on=on, shown=shown)
    assert {person.pk for person in everything} == set(summarised)
    for person, items in everything.items():
        digest = summarised[person.pk]
        assert digest.roles == {role for _, role in items}
        by_category: dict[str, list] = {}
        for escalation, role in items:
            by_category.setdefault(escalation.category, []).append(
                (escalation.subject.pk, escalation.title, escalation.detail, role)
            )
        assert set(by_category) == set(digest.sections)
        for category, listed in by_category.items():
            section = digest.sections[category]
            assert section.count == len(listed)
            assert [(e.subject.pk, e.title, e.detail, role) for e, role in section.shown] == listed[
                :shown
            ]


def test_each_digest_counts_and_lists_what_reading_every_escalation_would(register, make_user):
    contracts, directorates = register["contracts"], register["directorates"]
    for directorate in directorates:
        make_user(Role.EXECUTIVE_DIRECTOR, directorate=directorate)
    make_user(Role.BUSINESS_PARTNER)  # a partner of no directorate: hears where there is none
    left = contracts[20].lead_director
    left.is_active = False
    left.save()
    for contract in contracts[30:40]:
        contract.lead_director = None
        contract.contract_manager = None if contract.pk % 2 else contract.contract_manager
        contract.review_date = date(2027, 1, 1)
        contract.save()
    for on in (date(2027, 1, 4), date(2027, 6, 7), date(2028, 3, 6)):
        for shown in (1, 3, 25):
            assert_summarised_as_due(on, shown)


def test_an_alert_rendered_once_for_its_contract_reads_as_if_rendered_for_each_recipient():
    contract = contract_ending(date(2027, 8, 31))
    manager = contract.contract_manager
    manager.first_name, manager.last_name = "Ann & <Bo>", "O'Neill"
    manager.save()
    (due,) = renewals_due(on=date(2026, 11, 30), in_force=bands())
    body = renewal_body(due)
    for recipient in due.recipients:
        draft = renewal_draft(due, recipient, body=body)
        context = {
            "council_name": settings.COUNCIL_NAME,
            "contract": contract,
            "lead_time": "9 months",
            "recipient": recipient.user,
            "recipient_role": recipient.role,
            "contract_url": f"{settings.SITE_URL}{contract.get_absolute_url()}",
            "renewal_url": f"{settings.SITE_URL}{contract.get_absolute_url()}#alerts",
            "reprocure_url": (
                f"{settings.SITE_URL}{reverse('gateways:project_create')}?replaces={contract.pk}"
            ),
            "ending_url": settings.SITE_URL
            + reverse("contracts:confirm_ending", args=[contract.pk]),
            "can_extend": contract.extensions_remaining > 0,
            "rolling": False,
        }
        assert draft.body_text == render_to_string("alerts/email/renewal.txt", context)
        assert draft.body_html == render_to_string("alerts/email/renewal.html", context)
    assert "Ann &amp; &lt;Bo&gt; O&#x27;Neill" in renewal_draft(due, due.recipients[0]).body_html
