"""Emails about gateway reports: only to whoever's turn it is, and the outcome to the author.

Sent after the transaction commits, so nobody hears of a decision that was rolled back. Each email
links straight to the report.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from procurement.models import User

from .models import GatewayReview, ReviewStep, StepDecision


def _link(review: GatewayReview) -> str:
    return f"{settings.SITE_URL}{reverse('gateways:review', args=[review.pk])}"


def step_recipients(review: GatewayReview, step: ReviewStep) -> list[User]:
    """Active holders of the step's roles who may still act: not the author, nobody who has
    acted in this round, and for a consultation only the roles still to comment."""
    decisions = StepDecision.objects.filter(step__review=review, round=review.round)
    acted = set(decisions.values_list("decided_by_id", flat=True))
    commented = set(decisions.filter(step=step).values_list("role", flat=True))
    roles = [role for role in step.roles if role not in commented]
    holders = User.objects.filter(is_active=True, groups__name__in=roles)
    today = timezone.localdate()
    delegates = User.objects.filter(
        is_active=True,
        delegations_received__delegator__in=holders,
        delegations_received__ended_at__isnull=True,
        delegations_received__starts_on__lte=today,
        delegations_received__ends_on__gte=today,
    )
    people = (holders | delegates).distinct().order_by("email")
    return [p for p in people if p.pk != review.author_id and p.pk not in acted]


def notify_step(review: GatewayReview, step: ReviewStep) -> None:
    recipients = [person.email for person in step_recipients(review, step)]
    if not recipients:
        return
    subject = f"Gateway report for your decision: {review}"
    body = (
        f"{review} is waiting for you at '{step.name}'.\n\n"
        f"What it asks: {review.summary}\n\n"
        f"Open it: {_link(review)}\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=False))


def notify_author(review: GatewayReview, decision: StepDecision) -> None:
    outcome = review.get_state_display().lower()
    reasons = f"\n\nReasons: {decision.reasons}" if decision.reasons else ""
    subject = f"Gateway report {outcome}: {review}"
    body = (
        f"{review} has been {outcome} by {decision.decided_by} ({decision.role.lower()})."
        f"{reasons}\n\nOpen it: {_link(review)}\n"
    )
    recipient = [review.author.email]
    transaction.on_commit(lambda: send_mail(subject, body, None, recipient, fail_silently=False))
