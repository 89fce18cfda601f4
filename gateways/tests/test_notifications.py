"""Who hears what: only whoever's turn it is, and the author hears the outcome with reasons."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from gateways.services import delegation_create, review_create, review_decide, review_submit
from gateways.tests.factories import G1_REPORT, ProjectFactory, TierBProjectFactory
from procurement.models import Notification
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    # One directorate: its executive director and lead member decide its procurements.
    directorate = DirectorateFactory()
    people = {
        role: make_user(role, email=f"{role.value}@council.example", directorate=directorate)
        for role in Role
    }
    people["second_partner"] = make_user(Role.BUSINESS_PARTNER, email="partner2@council.example")
    return people


def submit(people, project, django_capture_on_commit_callbacks):
    author = people[Role.PROCUREMENT_OFFICER]
    project.directorate = author.directorate
    project.save()
    review = review_create(
        author=author, stage="G1", summary="Home care strategy", project=project, report=G1_REPORT
    )
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(review=review, by=author)
    return review


def sent_to() -> list[str]:
    """Who was emailed: one email each, so nobody sees who else was told."""
    assert all(len(message.to) == 1 for message in mail.outbox)
    return sorted(message.to[0] for message in mail.outbox)


def test_submission_emails_only_the_first_step(people, django_capture_on_commit_callbacks):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    assert sent_to() == [
        "business_partner@council.example",
        "head_of_procurement@council.example",
        "partner2@council.example",
    ]
    assert f"/gateways/reviews/{review.pk}/" in mail.outbox[0].body
    assert "executive_director@council.example" not in mail.outbox[0].to


def test_each_step_hears_when_it_is_their_turn(people, django_capture_on_commit_callbacks):
    review = submit(people, TierBProjectFactory(), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    assert sent_to() == [
        "consultee_communications@council.example",
        "consultee_finance@council.example",
        "consultee_legal@council.example",
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            review=review, by=people[Role.CONSULTEE_LEGAL], outcome="commented", reasons="Ok"
        )
    assert mail.outbox == []  # the consultation is still open: nobody new to tell


def test_the_author_hears_the_outcome_with_reasons(people, django_capture_on_commit_callbacks):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            review=review,
            by=people[Role.BUSINESS_PARTNER],
            outcome="returned",
            reasons="Add the risk register",
        )
    assert sent_to() == ["procurement_officer@council.example"]
    assert "returned for changes" in mail.outbox[0].subject
    assert "Reasons: Add the risk register" in mail.outbox[0].body


def test_nothing_is_sent_when_the_decision_is_refused(people, django_capture_on_commit_callbacks):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    from gateways.services import GatewayError

    with pytest.raises(GatewayError), django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="rejected")
    assert mail.outbox == []


def test_each_email_is_claimed_in_the_ledger_and_sent_once(
    people, django_capture_on_commit_callbacks
):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    rows = Notification.objects.filter(kind="gateway_step", subject_id=review.pk)
    assert sorted(rows.values_list("recipient__email", "status")) == [
        ("business_partner@council.example", "sent"),
        ("head_of_procurement@council.example", "sent"),
        ("partner2@council.example", "sent"),
    ]
    # Telling the same step again in the same round (a retry of the job) claims nothing new.
    from gateways.notifications import notify_step
    from gateways.services import current_step

    mail.outbox.clear()
    review.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notify_step(review, current_step(review))
    assert mail.outbox == []
    assert rows.count() == 3


def test_a_refused_decision_claims_nothing(people, django_capture_on_commit_callbacks):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    from gateways.services import GatewayError

    with pytest.raises(GatewayError), django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="rejected")
    assert not Notification.objects.filter(kind="gateway_outcome").exists()


def test_a_delegate_s_decision_tells_the_author_for_whom_they_decided(
    people, make_user, django_capture_on_commit_callbacks
):
    review = submit(people, ProjectFactory(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    director = people[Role.EXECUTIVE_DIRECTOR]
    director.first_name, director.last_name = "Ruth", "Adeyemi"
    director.save()
    stand_in = make_user(Role.EXECUTIVE_DIRECTOR, first_name="Alex", last_name="Ng")
    today = timezone.localdate()
    delegation_create(
        delegator=director,
        delegate=stand_in,
        roles=[Role.EXECUTIVE_DIRECTOR.label],
        starts_on=today,
        ends_on=today + timedelta(days=14),
        by=director,
        reason="Annual leave",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            review=review,
            by=stand_in,
            on_behalf_of=director,
            outcome="approved",
            consulted="Cllr Hughes",
            consulted_on=today,
            consultation_notes="Content",
        )
    assert sent_to() == ["procurement_officer@council.example"]
    assert "approved by Alex Ng on behalf of Ruth Adeyemi (executive director)" in (
        mail.outbox[0].body
    )
