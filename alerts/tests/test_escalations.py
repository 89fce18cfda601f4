"""The weekly escalations: what is escalated, to whom, one digest per person per week."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from alerts.selectors import Category, digests_due, notifications_about, working_days_after
from alerts.services import escalation_digests_send
from alerts.tests.factories import contract_ending, directorate_with_partner
from contracts.models import Contract
from contracts.services import contract_confirm_ending
from gateways.services import review_create, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory
from procurement.models import Notification, NotificationItem
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_working_days_count_monday_to_friday():
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    assert working_days_after(friday, date(2026, 12, 7)) == 1
    assert working_days_after(friday, friday + timedelta(days=7)) == 5
    assert working_days_after(friday, friday) == 0
    assert working_days_after(saturday, saturday + timedelta(days=1)) == 0
    assert working_days_after(date(2026, 12, 2), date(2026, 12, 23)) == 15


@pytest.fixture
def council(make_user):
    """A directorate with its business partner, lead director and executive director; a head of
    procurement; another directorate's business partner; and something of every kind to
    escalate on ``on``, three weeks from today."""
    on = timezone.localdate() + timedelta(days=21)
    directorate = directorate_with_partner()
    people = {
        "partner": directorate.business_partner,
        "other_partner": make_user(Role.BUSINESS_PARTNER),
        "head": make_user(Role.HEAD_OF_PROCUREMENT),
        "lead": make_user(Role.EXECUTIVE_DIRECTOR, directorate=directorate),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=directorate),
        "officer": make_user(Role.PROCUREMENT_OFFICER, directorate=directorate),
    }
    directorate_with_partner()  # its partner is "other_partner"'s colleague: not told of these
    lead = people["lead"]
    past_end = contract_ending(on - timedelta(days=10), directorate=directorate, lead_director=lead)
    ended = contract_ending(on - timedelta(days=10), directorate=directorate, lead_director=lead)
    contract_confirm_ending(contract=ended, reason="Not needed", by=people["partner"])
    overdue = contract_ending(
        on + timedelta(days=400),
        directorate=directorate,
        lead_director=lead,
        review_date=on - timedelta(days=5),
    )
    unmanaged = contract_ending(
        on + timedelta(days=400), directorate=directorate, contract_manager=None, lead_director=None
    )
    left = contract_ending(on + timedelta(days=400), directorate=directorate, lead_director=lead)
    left.contract_manager.is_active = False
    left.contract_manager.save()
    project = ProjectFactory(directorate=directorate, lead_officer=people["officer"])
    review = review_create(
        author=people["officer"], stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )
    review_submit(review=review, by=people["officer"])
    return {
        "on": on,
        "people": people,
        "past_end": past_end,
        "overdue": overdue,
        "unmanaged": unmanaged,
        "left": left,
        "review": review,
    }


def digest_of(person, digests):
    return sorted((e.category, e.subject.pk) for e, _ in digests.get(person, []))


def test_each_escalation_reaches_its_lead_director_and_the_central_team(council):
    people, on = council["people"], council["on"]
    digests = digests_due(on=on)
    contracts = [council[name] for name in ("past_end", "unmanaged", "left", "overdue")]
    categories = [
        Category.PAST_END,
        Category.NO_MANAGER,
        Category.NO_MANAGER,
        Category.REVIEW_OVERDUE,
    ]
    # The contract with neither named officer is escalated for each gap.
    everything = sorted(
        [(c, contract.pk) for c, contract in zip(categories, contracts, strict=True)]
        + [(Category.GATEWAY_OVERDUE, council["review"].pk)]
        + [(Category.NO_LEAD_DIRECTOR, council["unmanaged"].pk)]
    )
    assert digest_of(people["partner"], digests) == everything
    assert digest_of(people["head"], digests) == everything
    # The named lead director hears of their own contracts; where none is named, or for a
    # procurement, the directorate's executive directors do.
    assert digest_of(people["lead"], digests) == sorted(
        [
            (Category.PAST_END, council["past_end"].pk),
            (Category.NO_MANAGER, council["left"].pk),
            (Category.REVIEW_OVERDUE, council["overdue"].pk),
            (Category.NO_MANAGER, council["unmanaged"].pk),
            (Category.NO_LEAD_DIRECTOR, council["unmanaged"].pk),
            (Category.GATEWAY_OVERDUE, council["review"].pk),
        ]
    )
    assert digest_of(people["director"], digests) == sorted(
        [
            (Category.NO_MANAGER, council["unmanaged"].pk),
            (Category.NO_LEAD_DIRECTOR, council["unmanaged"].pk),
            (Category.GATEWAY_OVERDUE, council["review"].pk),
        ]
    )
    assert people["other_partner"] not in digests


def test_a_gateway_step_is_escalated_only_once_past_its_target(council):
    today = timezone.localdate()

    def after(working_days: int) -> date:
        day = today
        while working_days_after(today, day) < working_days:
            day += timedelta(days=1)
        return day

    head = council["people"]["head"]
    escalated = (Category.GATEWAY_OVERDUE, council["review"].pk)
    assert escalated not in digest_of(head, digests_due(on=after(10)))  # the target: 10 days
    assert escalated in digest_of(head, digests_due(on=after(11)))


def test_one_digest_a_person_a_week(council):
    people, on = council["people"], council["on"]
    result = escalation_digests_send(on=on)
    assert result.claimed == 4  # partner, head, lead director, executive director
    mail.outbox = [m for m in mail.outbox if m.subject.startswith("Escalations")]
    partner = Notification.objects.get(recipient=people["partner"], kind="escalation_digest")
    assert partner.due_on == on - timedelta(days=on.weekday())
    message = next(m for m in mail.outbox if m.to == [people["partner"].email])
    assert "Contracts running past their end date: 1" in message.body
    assert "Contracts over £50,000 with no contract manager: 2" in message.body
    assert "has left: reassign the contract" in message.body
    assert "Gateway reports waiting longer than their target: 1" in message.body
    assert council["past_end"].reference in message.alternatives[0][0]
    # Later the same week: nothing more. The next week: a new digest each.
    later = escalation_digests_send(on=on + timedelta(days=(6 - on.weekday())))
    assert (later.due, later.already_sent, later.claimed) == (4, 4, 0)
    assert len(mail.outbox) == 4
    assert escalation_digests_send(on=on + timedelta(days=7)).claimed == 4
    assert len(mail.outbox) == 8


def test_a_contracts_page_shows_the_digests_that_named_it(council):
    escalation_digests_send(on=council["on"])
    about, count = notifications_about(council["past_end"])
    assert count == 3
    assert {n.recipient for n in about} == {
        council["people"][name] for name in ("partner", "head", "lead")
    }
    named = NotificationItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(Contract), subject_id=council["past_end"].pk
    )
    assert named.count() == 3
    assert notifications_about(council["people"]["other_partner"]) == ([], 0)


def test_a_digest_records_what_it_listed(council, monkeypatch):
    monkeypatch.setattr("alerts.services.DIGEST_ITEMS_SHOWN", 1)
    escalation_digests_send(on=council["on"])
    digest = Notification.objects.get(recipient=council["people"]["head"], kind="escalation_digest")
    # One of each kind is listed (two contracts have no manager): the rest are a link away.
    assert sorted(digest.items.values_list("category", flat=True)) == sorted(
        [
            Category.PAST_END,
            Category.NO_MANAGER,
            Category.NO_LEAD_DIRECTOR,
            Category.REVIEW_OVERDUE,
            Category.GATEWAY_OVERDUE,
        ]
    )
    assert "...and 1 more" in digest.body_text
