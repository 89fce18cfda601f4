"""Emails about gateway reports: only to whoever's turn it is, and the outcome to the author.

Each is claimed in the notification ledger with the decision (so a decision rolled back claims
nothing) and sent once the transaction commits; a failed send is retried like any alert
(procurement/notifications.py). Each email links straight to the report.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procurement.models import Notification, User
from procurement.notifications import Draft, notifications_send_when_committed

from .models import GatewayReview, ReviewStep, StepDecision


def _link(review: GatewayReview) -> str:
    return f"{settings.SITE_URL}{reverse('gateways:review', args=[review.pk])}"


def step_recipients(review: GatewayReview, step: ReviewStep) -> list[User]:
    """Active people who may act at the step now, by role and scope, themselves or for a
    delegator (``gateways.authority``): not the author, nobody who has acted in this round, and
    for a consultation only the roles still to comment. Someone who has delegated their role
    here for now is not asked: their delegate is."""
    from .authority import delegations_active, is_asked
    from .selectors import reviews_with_route

    # The report as it now stands, its steps and decisions read once for everyone asked.
    review = reviews_with_route().get(pk=review.pk)
    step = next(s for s in review.steps.all() if s.pk == step.pk)
    today = timezone.localdate()
    given = delegations_active(on=today)
    # A delegate holds each role they act in, so the holders of the step's roles are everyone.
    people = (
        User.objects.filter(is_active=True, groups__name__in=step.roles)
        .distinct()
        .prefetch_related("groups", "portfolio")
        .order_by("email")
    )
    return [
        person
        for person in people
        if is_asked(
            person,
            review,
            step,
            received=[d for d in given if d.delegate_id == person.pk],
            given=given,
            on=today,
        )
    ]


def _send(drafts: list[Draft]) -> None:
    notifications_send_when_committed(drafts=drafts)


def notify_step(review: GatewayReview, step: ReviewStep) -> None:
    """Each person who may act at ``step`` now, one email each, once a round."""
    subject = f"Gateway report for your decision: {review}"
    body = (
        f"{review} is waiting for you at '{step.name}'.\n\n"
        f"What it asks: {review.summary}\n\n"
        f"Open it: {_link(review)}\n"
    )
    _send(
        [
            Draft(
                kind=Notification.Kind.GATEWAY_STEP,
                subject=review,
                key=f"round-{review.round}:step-{step.pk}",
                recipient=person,
                recipient_role=f"At '{step.name}'",
                due_on=timezone.localdate(),
                title=f"For your decision at '{step.name}': {review}",
                link=reverse("gateways:review", args=[review.pk]),
                email_subject=subject,
                body_text=body,
            )
            for person in step_recipients(review, step)
        ]
    )


def notify_author(review: GatewayReview, decision: StepDecision) -> None:
    """The outcome to the author: who decided, and for whom where a delegate decided, as the
    report's page says it."""
    outcome = review.get_state_display().lower()
    reasons = f"\n\nReasons: {decision.reasons}" if decision.reasons else ""
    body = (
        f"{review} has been {outcome} by {decision.decided_by_display} ({decision.role.lower()})."
        f"{reasons}\n\nOpen it: {_link(review)}\n"
    )
    _send(
        [
            Draft(
                kind=Notification.Kind.GATEWAY_OUTCOME,
                subject=review,
                key=f"round-{review.round}:{review.state}",
                recipient=review.author,
                recipient_role="Author",
                due_on=timezone.localdate(),
                title=f"{review.get_state_display()}: {review}",
                link=reverse("gateways:review", args=[review.pk]),
                email_subject=f"Gateway report {outcome}: {review}",
                body_text=body,
            )
        ]
    )
