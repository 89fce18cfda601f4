"""A report's route: given by the policy at its first submission and kept for good, changed only
when its value moves it into another tier (on resubmission, or while it is with its approvers,
whatever path changed the value)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from contracts.models import Contract
from gateways import notifications
from gateways.models import GatewayReview, ReviewStep, StepDecision
from gateways.progress import Outcome, State, current_step
from gateways.routing import (
    RoutingValue,
    policy_on,
    route_for,
    route_is_current,
    routing_value,
    step_copy,
    tier_of,
)
from procurement.history import save_with_history
from procurement.models import GatewayStage, User

from .common import GatewayError, locked, save_review


def route_on_submission(review: GatewayReview, *, by: User, today: date) -> None:
    """At the first submission, the route the policy in force gives the report; on a later one,
    a new route only where its value has moved it into another tier (a change inside the tier
    is only recorded)."""
    valued = routing_value(review)
    if review.round == 0:
        route_review(review, valued, policy=policy_on(today))
    elif tier_of(review, review.value) != tier_of(review, valued.value):
        reroute_review(review, valued, by=by)
    elif valued.value != review.value:
        review.value, review.value_basis = valued.value, valued.basis


def route_review(review: GatewayReview, valued: RoutingValue, *, policy) -> None:
    """Give the report the steps of the tier its value falls in, under ``policy``."""
    project = review.project
    route = route_for(
        policy=policy,
        stage=review.stage,
        value=valued.value,
        core_service=bool(project and project.is_core_service),
        high_value_or_complex=bool(project and project.is_high_value_or_complex),
        # A Gateway 3 on a contract is an extension or a key contract's performance review.
        extension=review.stage == GatewayStage.G3 and review.contract_id is not None,
    )
    if not route.required:
        raise GatewayError(" ".join(route.reasons))
    review.policy = route.policy
    review.tier_code = route.tier.code
    review.value, review.value_basis = valued.value, valued.basis
    copy_steps(review, route.steps, first_order=_next_order(review))


def _next_order(review: GatewayReview) -> int:
    if review.pk is None:
        return 1
    last = review.steps.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def reroute_review(review: GatewayReview, valued: RoutingValue, *, by: User) -> None:
    """The value has moved the report into another tier: the steps of the old route are set
    aside (their decisions stay on record) and the new tier's steps follow, under the same
    policy, which a report keeps for good."""
    for step in review.steps.filter(is_active=True):
        step.is_active = False
        save_with_history(step, by=by, reason="Set aside: the report's value changed its tier")
    route_review(review, valued, policy=review.policy)


def copy_steps(review: GatewayReview, steps, *, first_order: int) -> None:
    """The policy's ``steps`` copied onto the report, numbered on from ``first_order``."""
    review.save()  # the review needs its primary key and policy before its steps
    for order, step in enumerate(steps, start=first_order):
        ReviewStep.objects.create(review=review, order=order, **step_copy(step))


def value_changed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """After any save of a contract or a project: its reports with their approvers follow a
    change of value (``reviews_revalue``), as the person who saved it."""
    if created or raw:
        return
    field = "contract" if isinstance(instance, Contract) else "project"
    waiting = GatewayReview.objects.filter(**{field: instance}, state=State.IN_REVIEW)
    if field == "contract":
        waiting = waiting.filter(project__isnull=True)
    reviews = list(waiting.exclude(value=_value_of(instance)))
    if reviews:
        reviews_revalue(reviews=reviews, by=getattr(instance, "_history_user", None))


def contracts_value_changed(sender, contracts, by: User | None = None, **kwargs) -> None:
    """After a bulk change of contracts (the import): as ``value_changed``, for each of them."""
    waiting = GatewayReview.objects.filter(
        contract__in=[c.pk for c in contracts], project__isnull=True, state=State.IN_REVIEW
    )
    values = {c.pk: c.whole_life_value for c in contracts}
    reviews = [r for r in waiting if r.value != values[r.contract_id]]
    if reviews:
        reviews_revalue(reviews=reviews, by=by)


def _value_of(instance) -> Decimal:
    return instance.whole_life_value if isinstance(instance, Contract) else instance.estimated_value


@transaction.atomic
def reviews_revalue(*, reviews, by: User | None) -> list[GatewayReview]:
    """A report's value has changed while it is with its approvers (the estimate, or the
    contract's value): one whose value now falls in another tier, or needs no gateway, goes back
    to its author with the reason, to be resubmitted on the new route; a change inside the tier
    is kept in its history. Returns the reports sent back."""
    returned = []
    for review in reviews:
        review = locked(review)
        if not can_proceed(review.return_for_changes):
            continue
        valued = routing_value(review)
        if valued.value == review.value:
            continue
        before, after = tier_of(review, review.value), tier_of(review, valued.value)
        if before == after:
            change = f"£{review.value:,.2f} to £{valued.value:,.2f}"
            review.value, review.value_basis = valued.value, valued.basis
            save_review(review, by=by, reason=f"Value changed within Tier {after}: {change}")
            continue
        moved = f"Tier {after}" if after else "no gateway (officer delegation)"
        why = (
            f"The value this report is routed on changed from £{review.value:,.2f} to "
            f"£{valued.value:,.2f} after it was submitted: it now falls in {moved}, not "
            f"Tier {before}. It has come back to its author to be resubmitted on the new route."
        )
        step = current_step(review)
        recorder = by or review.author
        if StepDecision.objects.filter(step=step, round=review.round, decided_by=recorder).exists():
            recorder = review.author  # who changed it has already acted here this round
        decision = save_with_history(
            StepDecision(
                step=step,
                round=review.round,
                outcome=Outcome.RETURNED,
                role="The service (the value changed its route)",
                decided_by=recorder,
                reasons=why,
            ),
            by=by,
            reason="Returned: the value changed its route",
        )
        review.return_for_changes()
        review.decided_at = timezone.now()
        save_review(review, by=by, reason=f"Returned: {why}")
        notifications.notify_author(review, decision)
        returned.append(review)
    return returned


def refuse_a_stale_route(review: GatewayReview) -> None:
    """The last word on the route: whatever path changed the value (one that sent no signal),
    nobody moves on a report whose value has left the tier it was routed in."""
    if route_is_current(review):
        return
    valued = routing_value(review)
    before, after = tier_of(review, review.value), tier_of(review, valued.value)
    moved = f"Tier {after}" if after else "no gateway"
    raise GatewayError(
        f"The value this report is routed on is now £{valued.value:,.2f}, not "
        f"£{review.value:,.2f}: that needs {moved}, not Tier {before}. Return it to its "
        "author, to be resubmitted on the new route."
    )
