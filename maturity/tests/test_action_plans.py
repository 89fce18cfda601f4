"""Improvement action plans: recommendations and maturity gaps, owners, progress and status."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from maturity.models import ActionItem
from maturity.selectors import ActionFilters, plan_items
from maturity.services import (
    ActionTerms,
    MaturityError,
    action_item_add,
    action_item_change,
    action_plan_create,
    progress_add,
)
from procurement.roles import Role

from .factories import behaviours, key_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


@pytest.fixture
def plan(head):
    return action_plan_create(name="Improvement plan", assessment=None, description="", by=head)


def terms(owner, **changes) -> ActionTerms:
    values = {
        "kind": ActionItem.Kind.RECOMMENDATION,
        "recommendation": "Publish the forward plan.",
        "behaviour": None,
        "key_areas": [key_area(4)],
        "actions": "Publish it quarterly.",
        "owner": owner,
        "due_by": date(2027, 3, 31),
    }
    return ActionTerms(**{**values, **changes})


def test_only_the_central_team_writes_plans(make_user, plan):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    with pytest.raises(PermissionDenied):
        action_plan_create(name="Mine", assessment=None, description="", by=officer)
    with pytest.raises(PermissionDenied):
        action_item_add(plan=plan, terms=terms(officer), by=officer)


def test_actions_are_numbered_and_a_gap_is_linked_to_its_key_area(head, plan):
    first = action_item_add(plan=plan, terms=terms(head), by=head)
    gap_behaviour = behaviours(5)[0]
    with pytest.raises(MaturityError, match="Choose the behaviour") as refused:
        action_item_add(plan=plan, terms=terms(head, kind=ActionItem.Kind.GAP), by=head)
    assert refused.value.field == "behaviour"
    gap = action_item_add(
        plan=plan,
        terms=terms(head, kind=ActionItem.Kind.GAP, behaviour=gap_behaviour, key_areas=[]),
        by=head,
    )
    assert (first.reference, gap.reference) == ("R1", "R2")
    assert [a.number for a in gap.key_areas.all()] == [5]
    assert [a.number for a in first.key_areas.all()] == [4]


def test_progress_is_recorded_by_the_owner_or_the_central_team(make_user, head, plan):
    owner = make_user(Role.CONTRACT_MANAGER)
    item = action_item_add(plan=plan, terms=terms(owner), by=head)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        progress_add(
            item=item,
            noted_on=today,
            text="Done it",
            status="delivered",
            by=make_user(Role.PROCUREMENT_OFFICER),
        )
    with pytest.raises(MaturityError, match="future"):
        progress_add(
            item=item, noted_on=today + timedelta(days=1), text="x", status="ongoing", by=owner
        )
    progress_add(item=item, noted_on=today, text="Draft published", status="ongoing", by=owner)
    progress_add(item=item, noted_on=today, text="Agreed by board", status="delivered", by=head)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DELIVERED
    assert [n.text for n in item.progress.all()] == ["Draft published", "Agreed by board"]
    assert item.history.latest().history_change_reason == "Progress recorded: now Delivered"
    assert item.history.latest().history_user == head


def test_a_change_says_why(head, plan, make_user):
    item = action_item_add(plan=plan, terms=terms(head), by=head)
    with pytest.raises(MaturityError, match="Say why"):
        action_item_change(item=item, terms=terms(head), reason=" ", by=head)
    other = make_user(Role.BUSINESS_PARTNER)
    action_item_change(
        item=item,
        terms=terms(other, key_areas=[key_area(8), key_area(9)]),
        reason="Handed to the business partner",
        by=head,
    )
    item.refresh_from_db()
    assert item.owner == other
    assert [a.number for a in item.key_areas.all()] == [8, 9]
    assert item.history.latest().history_change_reason == "Handed to the business partner"


def test_filters_by_status_key_area_owner_and_overdue(head, plan, make_user):
    today = timezone.localdate()
    other = make_user(Role.BUSINESS_PARTNER)
    late = action_item_add(plan=plan, terms=terms(head, due_by=today - timedelta(1)), by=head)
    later = action_item_add(
        plan=plan, terms=terms(other, key_areas=[key_area(7)], due_by=today), by=head
    )
    done = action_item_add(plan=plan, terms=terms(head, due_by=today - timedelta(9)), by=head)
    progress_add(item=done, noted_on=today, text="Delivered", status="delivered", by=head)

    def refs(**filters):
        return [
            i.reference for i in plan_items(plan, today=today, filters=ActionFilters(**filters))
        ]

    assert refs() == ["R1", "R2", "R3"]
    assert refs(status="delivered") == ["R3"]
    assert refs(key_area_id=key_area(7).pk) == ["R2"]
    assert refs(owner_id=other.pk) == ["R2"]
    assert refs(overdue=True) == ["R1"]
    assert late.is_overdue(today)
    assert not later.is_overdue(today)


def test_a_plan_needs_a_name_and_an_action_its_words(head, plan):
    with pytest.raises(MaturityError, match="name"):
        action_plan_create(name="  ", assessment=None, description="", by=head)
    with pytest.raises(MaturityError, match="proposed actions") as refused:
        action_item_add(plan=plan, terms=terms(head, actions=" "), by=head)
    assert refused.value.field == "actions"
    with pytest.raises(MaturityError, match="recommendation or gap"):
        action_item_add(plan=plan, terms=terms(head, recommendation=""), by=head)
    assert not plan.items.exists()
