"""Delegation: a colleague with the same role decides for someone, shown as on their behalf."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gateways.models import Delegation, StepDecision
from gateways.services import (
    GatewayError,
    delegation_create,
    delegation_end,
    review_create,
    review_decide,
    review_submit,
)
from gateways.tests.factories import G1_REPORT, TierBProjectFactory, decide_on_the_page, g1_draft
from procurement.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    return {
        "officer": officer,
        "partner": make_user(Role.BUSINESS_PARTNER),
        # The lead member answers for the officer's directorate; the deputy for another.
        "member": make_user(
            Role.LEAD_MEMBER,
            first_name="Ruth",
            last_name="Adeyemi",
            directorate=officer.directorate,
        ),
        "deputy": make_user(
            Role.LEAD_MEMBER, Role.OFFICER_BOARD_MEMBER, first_name="Sam", last_name="Patel"
        ),
        "auditor": make_user(Role.AUDITOR),
    }


def delegate(people, **changes):
    fields = {
        "delegator": people["member"],
        "delegate": people["deputy"],
        "roles": [Role.LEAD_MEMBER.label],
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=14),
        "by": people["member"],
        "reason": "Annual leave",
    }
    fields.update(changes)
    return delegation_create(**fields)


def test_only_to_a_colleague_with_the_same_role_and_for_a_real_period(people):
    with pytest.raises(GatewayError, match="must hold each role delegated"):
        delegate(people, delegate=people["auditor"])
    with pytest.raises(GatewayError, match="end on or after"):
        delegate(people, ends_on=TODAY - timedelta(days=1), starts_on=TODAY)
    with pytest.raises(GatewayError, match="Only the person delegating"):
        delegate(people, by=people["deputy"])
    delegation = delegate(people)
    assert delegation.is_active(today=TODAY)
    assert delegation.history.get().history_change_reason == "Delegated lead member: Annual leave"


def test_a_decision_on_behalf_is_recorded_and_the_rules_apply_to_both(people, make_user):
    officer = people["officer"]
    project = TierBProjectFactory(directorate=officer.directorate)
    review = review_create(
        author=officer, stage="G1", summary="x", project=project, report=G1_REPORT
    )
    review_submit(review=review, by=officer)
    review_decide(review=review, by=people["partner"], outcome="approved")
    for role in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(review=review, by=make_user(role), outcome="commented", reasons="Fine")
    # The deputy recommends at the board in their own right...
    review_decide(
        review=review,
        by=people["deputy"],
        outcome="recommended",
        meeting_date=TODAY,
        minute_reference="M1",
    )
    delegate(people)
    # ...so cannot then approve for the lead member: who acted at one step cannot at another.
    with pytest.raises(GatewayError, match="already acted on this report at another step"):
        review_decide(
            review=review,
            by=people["deputy"],
            on_behalf_of=people["member"],
            outcome="approved",
            key_decision_reference="KD-1",
        )


def test_on_behalf_shows_on_the_report_and_ends_with_the_delegation(client, people, make_user):
    officer = people["officer"]
    review = g1_draft(officer, project=TierBProjectFactory(directorate=officer.directorate))
    review_submit(review=review, by=officer)
    review_decide(review=review, by=people["partner"], outcome="approved")
    for role in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(review=review, by=make_user(role), outcome="commented", reasons="Fine")
    review_decide(
        review=review,
        by=make_user(Role.OFFICER_BOARD_MEMBER),
        outcome="recommended",
        meeting_date=TODAY,
        minute_reference="M1",
    )
    delegation = delegate(
        people, delegate=make_user(Role.LEAD_MEMBER, first_name="Alex", last_name="Ng")
    )
    stand_in = delegation.delegate
    delegation_end(delegation=delegation, by=people["member"])
    with pytest.raises(GatewayError, match="has not delegated to you today"):
        review_decide(
            review=review,
            by=stand_in,
            on_behalf_of=people["member"],
            outcome="approved",
            key_decision_reference="KD-1",
        )
    again = delegate(people, delegate=stand_in)
    assert again.is_active(today=TODAY)
    client.force_login(stand_in)
    form = client.get(reverse("gateways:review", args=[review.pk])).context["form"]
    assert list(form.fields["on_behalf_of"].queryset) == [people["member"]]
    response = decide_on_the_page(
        client,
        review,
        {
            "outcome": "approved",
            "on_behalf_of": people["member"].pk,
            "key_decision_reference": "KD-9",
        },
    )
    assert response.status_code == 302
    decision = StepDecision.objects.get(outcome="approved", step__kind="decision")
    assert decision.decided_by_display == "Alex Ng on behalf of Ruth Adeyemi"
    page = client.get(reverse("gateways:review", args=[review.pk])).content.decode()
    assert "Alex Ng on behalf of Ruth Adeyemi" in page


def test_the_delegations_page(client, people):
    client.force_login(people["member"])
    url = reverse("gateways:delegations")
    missing = client.post(url, {})
    assert "Choose who will decide for you" in missing.content.decode()
    assert "Choose the role or roles you are delegating" in missing.content.decode()
    response = client.post(
        url,
        {
            "roles": [Role.LEAD_MEMBER.label],
            "delegate": people["deputy"].pk,
            "starts_on_day": TODAY.day,
            "starts_on_month": TODAY.month,
            "starts_on_year": TODAY.year,
            "ends_on_day": TODAY.day,
            "ends_on_month": TODAY.month,
            "ends_on_year": TODAY.year,
            "reason": "Conference",
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.roles == [Role.LEAD_MEMBER.label]
    client.post(reverse("gateways:delegation_end", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    client.force_login(people["deputy"])
    assert client.post(reverse("gateways:delegation_end", args=[delegation.pk])).status_code == 403
