"""Reads of gateway reviews, shared by pages, the home page, reports and tasks."""

from django.db.models import Prefetch, QuerySet

from procurement.models import User

from .models import GatewayReview, ReviewStep, StepDecision
from .services import current_step


def reviews_with_route() -> QuerySet[GatewayReview]:
    """Reviews with their subject, author, steps and decisions: a fixed number of queries."""
    decisions = StepDecision.objects.select_related("decided_by").order_by("decided_at", "pk")
    steps = ReviewStep.objects.order_by("order").prefetch_related(
        Prefetch("decisions", queryset=decisions)
    )
    return GatewayReview.objects.select_related(
        "project", "contract", "author", "policy"
    ).prefetch_related(Prefetch("steps", queryset=steps))


def can_act_at(user: User, review: GatewayReview, step: ReviewStep | None) -> bool:
    """Whether ``user`` may act at ``step`` now (the services check the same, and more)."""
    if step is None or review.state != GatewayReview.State.IN_REVIEW:
        return False
    if user.pk == review.author_id or not {r.label for r in user.roles} & set(step.roles):
        return False
    for other in review.steps.all():
        for decision in other.decisions.all():
            if decision.round == review.round and decision.decided_by_id == user.pk:
                return False
    return True


def reviews_awaiting(*, user: User) -> list[tuple[GatewayReview, ReviewStep]]:
    """The reviews whose current step is waiting for ``user``, oldest submission first."""
    waiting = []
    in_review = reviews_with_route().filter(state=GatewayReview.State.IN_REVIEW)
    for review in in_review.exclude(author=user).order_by("submitted_at", "pk"):
        step = current_step(review)
        if can_act_at(user, review, step):
            waiting.append((review, step))
    return waiting
