"""An assessment's status and an action's status change only by their transitions, each refused
when its rule is not met."""

import pytest
from django_fsm import InvalidResultState, TransitionNotAllowed, can_proceed, has_transition_perm

from maturity.models import ActionItem, Assessment
from maturity.services import action_item_add, action_plan_create
from procurement.roles import Role

from .factories import agree_all, assessment
from .test_action_plans import terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


def test_an_assessments_status_is_never_assigned(head):
    made = assessment(by=head, participants=[head])
    with pytest.raises(AttributeError):
        made.status = Assessment.Status.CLOSED
    made.refresh_from_db()
    made.full_clean()
    assert made.is_open


def test_an_assessment_closes_only_once_every_behaviour_is_agreed(head, make_user):
    made = assessment(by=head, participants=[head])
    assert not can_proceed(made.close)
    with pytest.raises(TransitionNotAllowed):
        made.close(by=head)
    agree_all(made, head, 2, 3)
    assert can_proceed(made.close)
    assert has_transition_perm(made.close, head)
    assert not has_transition_perm(made.close, make_user(Role.PROCUREMENT_OFFICER))
    made.close(by=head)
    assert (made.status, made.closed_by) == (Assessment.Status.CLOSED, head)
    assert not can_proceed(made.close)


def test_an_actions_status_changes_only_with_progress(head, make_user):
    plan = action_plan_create(name="Plan", assessment=None, description="", by=head)
    owner = make_user(Role.PROCUREMENT_OFFICER)
    item = action_item_add(plan=plan, terms=terms(owner), by=head)
    with pytest.raises(AttributeError):
        item.status = ActionItem.Status.DELIVERED
    assert has_transition_perm(item.move_to, owner)
    assert not has_transition_perm(item.move_to, make_user(Role.PROCUREMENT_OFFICER))
    with pytest.raises(InvalidResultState):
        item.move_to("abandoned")
    item.move_to(ActionItem.Status.DELIVERED)
    assert item.status == ActionItem.Status.DELIVERED
