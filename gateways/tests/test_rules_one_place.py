"""Each gateway rule is one predicate, and every layer that enforces it agrees with it: the
services, the selectors, the API, the forms and the state machine's transitions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm
from rest_framework.test import APIClient

from contracts.models import Contract
from gateways.authority import may_act_at
from gateways.forms import DecisionForm
from gateways.models import GatewayReview
from gateways.progress import current_step
from gateways.rules import (
    is_direct_award,
    may_change_weighting,
    may_edit_report,
    may_withdraw_report,
    needs_direct_award_exception,
    needs_social_value_exception,
)
from gateways.selectors import reviews_awaiting
from gateways.services import (
    GatewayError,
    NotYourDecision,
    measures_choose,
    review_create,
    review_decide,
    review_decision_check,
    review_set_weighting,
    review_submit,
    review_update_report,
    review_withdraw,
)
from gateways.tests.factories import CONSULTATION, G1_REPORT, ProjectFactory, g1_draft
from procurement.roles import Role
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db

State = GatewayReview.State


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    return {
        "author": officer,
        "colleague": make_user(Role.PROCUREMENT_OFFICER, directorate=officer.directorate),
        "partner": make_user(Role.BUSINESS_PARTNER),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=officer.directorate),
        "auditor": make_user(Role.AUDITOR),
    }


def refused(service, **arguments) -> bool:
    """Whether ``service`` refuses the call; whatever it writes is rolled back."""
    try:
        with transaction.atomic():
            service(**arguments)
            transaction.set_rollback(True)
    except GatewayError:
        return True
    return False


def reviews_in_every_state(people) -> dict[str, GatewayReview]:
    """One report by the same author in each state a report can be in."""
    author, partner, director = people["author"], people["partner"], people["director"]

    def submitted():
        review = g1_draft(author)
        return review_submit(review=review, by=author)

    returned, rejected, approved, withdrawn = submitted(), submitted(), submitted(), submitted()
    review_decide(review=returned, by=partner, outcome="returned", reasons="More detail")
    review_decide(review=rejected, by=partner, outcome="rejected", reasons="Not needed")
    review_decide(review=approved, by=partner, outcome="approved")
    review_decide(review=approved, by=director, outcome="approved", **CONSULTATION)
    review_withdraw(review=withdrawn, by=author, reason="The need has gone")
    found = {
        State.DRAFT: g1_draft(author),
        State.IN_REVIEW: submitted(),
        State.RETURNED: returned,
        State.REJECTED: rejected,
        State.APPROVED: approved,
        State.WITHDRAWN: withdrawn,
    }
    for state, review in found.items():
        review.refresh_from_db()
        assert review.state == state
    return found


def test_changing_and_withdrawing_a_report_agree_everywhere(people):
    """For each state and each person: the predicate, the permission, the transition's
    permission and the service give the same answer."""
    for state, review in reviews_in_every_state(people).items():
        for who in ("author", "colleague", "partner"):
            user = people[who]
            may_edit = may_edit_report(user, review)
            assert may_edit == (who == "author" and state in {State.DRAFT, State.RETURNED})
            assert user.has_perm("gateways.edit_report", review) == may_edit
            assert may_change_weighting(user, review) == may_edit  # every report here is a G1
            # Submitting is changing it, once it is complete and routed (its conditions).
            routed = review.is_complete() and review.is_routed()
            assert has_transition_perm(review.submit, user) == (may_edit and routed)
            changed = not refused(
                review_update_report, review=review, fields={"risks": "New"}, by=user
            )
            assert changed == may_edit, (state, who)
            chosen = not refused(measures_choose, review=review, measures=[], by=user)
            assert chosen == may_edit, (state, who)

            may_withdraw = may_withdraw_report(user, review)
            assert may_withdraw == (
                who == "author" and state in {State.DRAFT, State.IN_REVIEW, State.RETURNED}
            )
            assert user.has_perm("gateways.withdraw_report", review) == may_withdraw
            assert has_transition_perm(review.withdraw, user) == may_withdraw
            withdrawn = not refused(
                review_withdraw, review=review, by=user, reason="No longer needed"
            )
            assert withdrawn == may_withdraw, (state, who)


def test_a_superuser_is_not_the_author_nor_an_approver(people, django_user_model):
    """Django's ``has_perm`` says yes to any superuser; the review's transitions ask the rules
    themselves, so an administrator with every permission still neither changes, withdraws nor
    decides someone else's report."""
    superuser = django_user_model.objects.create_superuser(
        email="root@example.org", password="a-long-enough-passphrase"
    )
    for review in reviews_in_every_state(people).values():
        assert not has_transition_perm(review.submit, superuser)
        assert not has_transition_perm(review.withdraw, superuser)
        assert not has_transition_perm(review.approve, superuser)
        assert not has_transition_perm(review.reject, superuser)


def test_the_refusals_keep_their_words(people):
    reviews = reviews_in_every_state(people)
    draft, in_review = reviews[State.DRAFT], reviews[State.IN_REVIEW]
    with pytest.raises(GatewayError, match="Only the report's author can change it"):
        review_update_report(review=draft, fields={"risks": "x"}, by=people["colleague"])
    with pytest.raises(GatewayError, match="changed only while it is a draft or returned"):
        review_update_report(review=in_review, fields={"risks": "x"}, by=people["author"])
    with pytest.raises(GatewayError, match="This report cannot be submitted: it is in review"):
        review_submit(review=in_review, by=people["author"])
    with pytest.raises(GatewayError, match="This report cannot be withdrawn: it is approved"):
        review_withdraw(review=reviews[State.APPROVED], by=people["author"], reason="x")


def test_the_api_refuses_a_submission_by_anyone_but_the_author(people):
    review = g1_draft(people["author"])
    _, key = api_token_create(
        user=people["colleague"],
        name="Committee system",
        expires_on=timezone.localdate() + timedelta(days=30),
        by=people["colleague"],
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.post(f"/api/v1/reviews/{review.pk}/submit/")
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == State.DRAFT


def acts(user, review) -> bool:
    """Whether the decision service lets ``user`` approve at the current step."""
    return not refused(
        review_decision_check, review=review, by=user, outcome="approved", **CONSULTATION
    )


def awaiting(user, review) -> bool:
    """Whether the selector lists ``review`` as awaiting ``user``."""
    return review.pk in {found.pk for found, _ in reviews_awaiting(user=user)}


def test_who_may_act_at_a_step_agrees_everywhere(people, make_user):
    """``may_act_at`` is the one rule: the service, the awaiting list and the transitions'
    permission say the same for each person at each step, segregation of duties included."""
    author = make_user(Role.PROCUREMENT_OFFICER, Role.BUSINESS_PARTNER)
    both = make_user(Role.BUSINESS_PARTNER, Role.EXECUTIVE_DIRECTOR, directorate=author.directorate)
    director = make_user(Role.EXECUTIVE_DIRECTOR, directorate=author.directorate)
    partner, auditor = people["partner"], people["auditor"]
    review = review_submit(review=g1_draft(author), by=author)

    def agree(expected: dict) -> None:
        fresh = GatewayReview.objects.get(pk=review.pk)
        for user, allowed in expected.items():
            assert may_act_at(user, fresh) is allowed, user
            assert acts(user, fresh) is allowed, user
            assert awaiting(user, fresh) is allowed, user
            assert has_transition_perm(fresh.return_for_changes, user) is allowed, user

    # The business partner's check: the author holds the role but never decides.
    agree({author: False, both: True, director: False, partner: True, auditor: False})
    with pytest.raises(NotYourDecision, match="You wrote this report"):
        review_decide(review=review, by=author, outcome="approved")

    review_decide(review=review, by=both, outcome="approved")
    # The director's decision: who checked it cannot also decide it.
    agree({author: False, both: False, director: True, partner: False, auditor: False})
    with pytest.raises(GatewayError, match="already acted on this report at another step"):
        review_decide(review=review, by=both, outcome="approved", **CONSULTATION)


def test_the_social_value_exception_is_one_rule(people):
    author, director = people["author"], people["director"]
    review = g1_draft(author)
    review_set_weighting(
        review=review,
        by=author,
        quality=Decimal(50),
        price=Decimal(45),
        social_value=Decimal(5),
        criteria=[
            ("quality", "Method statement", Decimal(30)),
            ("quality", "Staffing", Decimal(20)),
            ("social_value", "Local employment", Decimal(5)),
        ],
        weighting_justification="Commodity purchase",
        social_value_justification="A single national framework supplier",
    )
    review_submit(review=review, by=author)
    check = current_step(review)
    assert not needs_social_value_exception(review, check)  # a check step approves nothing
    assert "accept_social_value_exception" not in DecisionForm(step=check, review=review).fields
    review_decide(review=review, by=people["partner"], outcome="approved")
    review = GatewayReview.objects.get(pk=review.pk)
    decision = current_step(review)
    assert needs_social_value_exception(review, decision)
    assert "accept_social_value_exception" in DecisionForm(step=decision, review=review).fields
    with pytest.raises(GatewayError, match="accept the recorded justification"):
        review_decide(review=review, by=director, outcome="approved", **CONSULTATION)
    made = review_decide(
        review=review,
        by=director,
        outcome="approved",
        accept_social_value_exception=True,
        **CONSULTATION,
    )
    assert made.accepted_social_value_exception is True


def test_the_direct_award_exception_is_one_rule(people):
    author, director = people["author"], people["director"]
    review = g1_draft(author)
    assert not is_direct_award(review)
    review_update_report(
        review=review,
        fields={"strategy_route": Contract.Route.DIRECT_AWARD},
        by=author,
    )
    review = GatewayReview.objects.get(pk=review.pk)
    assert is_direct_award(review)
    with pytest.raises(GatewayError, match="without competition: record the exception"):
        review_submit(review=review, by=author)
    review_update_report(
        review=review, fields={"exception_justification": "Only one provider"}, by=author
    )
    review_submit(review=review, by=author)
    review_decide(review=review, by=people["partner"], outcome="approved")
    review = GatewayReview.objects.get(pk=review.pk)
    step = current_step(review)
    assert needs_direct_award_exception(review, step)
    assert "accept_direct_award_exception" in DecisionForm(step=step, review=review).fields
    with pytest.raises(GatewayError, match="accept the recorded exception"):
        review_decide(review=review, by=director, outcome="approved", **CONSULTATION)
    made = review_decide(
        review=review,
        by=director,
        outcome="approved",
        accept_direct_award_exception=True,
        **CONSULTATION,
    )
    assert made.accepted_direct_award_exception is True


def test_a_state_changes_only_through_a_transition(people):
    review = GatewayReview.objects.get(pk=g1_draft(people["author"]).pk)
    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        review.state = State.APPROVED
    with pytest.raises(TransitionNotAllowed):
        review.approve()
    review.refresh_from_db()  # the protected field reloads
    assert review.state == State.DRAFT


def test_the_transitions_carry_their_conditions(people):
    author = people["author"]
    project = ProjectFactory(directorate=author.directorate)
    review = review_create(
        author=author,
        stage="G1",
        summary="Strategy",
        project=project,
        report=G1_REPORT | {"risks": ""},
    )
    review = GatewayReview.objects.get(pk=review.pk)
    # Incomplete and not yet routed: the state allows a submission, its conditions do not.
    assert can_proceed(review.submit, check_conditions=False)
    assert not can_proceed(review.submit)
    assert not has_transition_perm(review.submit, author)
    with pytest.raises(GatewayError, match="Complete the report before submitting it"):
        review_submit(review=review, by=author)
