"""Reads of gateway reviews, shared by pages, the home page, reports and tasks."""

from datetime import date

from django.db.models import F, Prefetch, QuerySet

from contracts.models import Contract
from contracts.selectors import contracts_with_status, status_condition
from procurement.models import GatewayStage, User

from .models import GatewayReview, ProcurementProject, ReviewStep, StepDecision
from .routing import gateways_required, policy_on
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


def projects_forward_plan(
    *, directorate_id: int | None = None, category_id: int | None = None
) -> QuerySet[ProcurementProject]:
    """The forward plan, by planned contract start, with what its rows show."""
    projects = ProcurementProject.objects.select_related(
        "directorate", "category", "lead_officer", "replaces"
    ).order_by(F("planned_start_date").asc(nulls_last=True), "reference")
    if directorate_id:
        projects = projects.filter(directorate_id=directorate_id)
    if category_id:
        projects = projects.filter(category_id=category_id)
    return projects


def contracts_to_reprocure(*, today: date, directorate_id: int | None = None) -> QuerySet:
    """Contracts inside their renewal lead time with no procurement planned to replace them
    ("retender rather than extend")."""
    contracts = (
        contracts_with_status(today=today)
        .filter(status_condition(Contract.Status.EXPIRING, today=today))
        .filter(replacement_projects__isnull=True)
        .order_by("end_date", "pk")
    )
    if directorate_id:
        contracts = contracts.filter(directorate_id=directorate_id)
    return contracts


def project_gateways(*, project: ProcurementProject, today: date) -> list[dict]:
    """Each gateway the project needs under today's policy, with its latest report: the task
    list on the project page."""
    policy = policy_on(today)
    stages = gateways_required(
        policy=policy,
        value=project.estimated_value,
        core_service=project.is_core_service,
        high_value_or_complex=project.is_high_value_or_complex,
    )
    latest = {}
    for review in project.reviews.order_by("pk"):
        latest[review.stage] = review
    return [
        {"stage": stage, "label": GatewayStage(stage).label, "review": latest.get(stage)}
        for stage in stages
    ]


def reviews_for_the_board() -> list[tuple[GatewayReview, ReviewStep]]:
    """Reports whose current step is the Officer Board's recommendation: its agenda."""
    agenda = []
    for review in (
        reviews_with_route()
        .filter(state=GatewayReview.State.IN_REVIEW)
        .order_by("submitted_at", "pk")
    ):
        step = current_step(review)
        if step is not None and step.kind == "recommendation":
            agenda.append((review, step))
    return agenda
