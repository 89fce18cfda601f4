"""Reads of gateway reviews, shared by pages, the home page, reports and tasks."""

from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import (
    contracts_with_status,
    rolling_review_due_condition,
    running_condition,
    status_condition,
)
from procurement.models import GatewayStage, User
from procurement.roles import CENTRAL_TEAM, Role

from .authority import authorities_open, delegated_away, held_roles, is_asked
from .models import (
    SOCIAL_VALUE_MINIMUM,
    Delegation,
    GatewayReview,
    ProcurementProject,
    ReviewStep,
    StepDecision,
)
from .routing import gateways_required, policy_on
from .scoring import points
from .services import current_step, delegations_active


def reviews_with_route() -> QuerySet[GatewayReview]:
    """Reviews with their subject, author, steps and decisions: a fixed number of queries."""
    decisions = StepDecision.objects.select_related("decided_by").order_by("decided_at", "pk")
    steps = ReviewStep.objects.order_by("order").prefetch_related(
        Prefetch("decisions", queryset=decisions)
    )
    return GatewayReview.objects.select_related(
        "project", "contract", "author", "policy"
    ).prefetch_related(Prefetch("steps", queryset=steps))


def _in_review() -> QuerySet[GatewayReview]:
    return reviews_with_route().filter(state=GatewayReview.State.IN_REVIEW)


def reviews_awaiting(*, user: User) -> list[tuple[GatewayReview, ReviewStep]]:
    """The reviews whose current step is waiting for ``user``, oldest submission first: not
    those whose role there ``user`` has delegated to a colleague for now (they are asked)."""
    today = timezone.localdate()
    received = delegations_active(delegate=user, on=today)
    given = delegations_active(delegator=user, on=today)
    waiting = []
    for review in _in_review().exclude(author=user).order_by("submitted_at", "pk"):
        step = current_step(review)
        if is_asked(user, review, step, received=received, given=given, on=today):
            waiting.append((review, step))
    return waiting


def reviews_with_my_delegate(*, user: User) -> list[tuple[GatewayReview, ReviewStep, Delegation]]:
    """The reviews waiting at a step whose role ``user`` has delegated for now, with the
    delegation: their delegate has the decision."""
    today = timezone.localdate()
    given = delegations_active(delegator=user, on=today)
    if not given:
        return []
    found = []
    for review in _in_review().exclude(author=user).order_by("submitted_at", "pk"):
        step = current_step(review)
        if not authorities_open(user, review, step, delegations=[], on=today):
            continue
        delegation = delegated_away(user, step, given=given, on=today)
        if delegation is not None:
            found.append((review, step, delegation))
    return found


def possible_deciders() -> list[User]:
    """Everyone active holding a role that acts at some step, with their roles and portfolio."""
    return list(
        User.objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .select_related("directorate")
        .prefetch_related("groups", "portfolio")
    )


def reviews_stuck() -> list[tuple[GatewayReview, ReviewStep]]:
    """Reviews whose current step nobody may take: no active holder of its roles in scope (nor
    a delegate acting for one) who is not the author and has not acted in the round. The head
    of procurement sees them, rather than the step being open to anyone."""
    today = timezone.localdate()
    people = possible_deciders()
    received: dict[int, list[Delegation]] = {}
    for delegation in delegations_active(on=today):
        received.setdefault(delegation.delegate_id, []).append(delegation)
    holders: dict[str, list[User]] = {}
    for person in people:
        for role in held_roles(person):
            holders.setdefault(role, []).append(person)
    stuck = []
    for review in _in_review().order_by("submitted_at", "pk"):
        step = current_step(review)
        if step is None:
            continue
        # A delegate holds each role they act in, so the holders of the step's roles are all
        # who might act at it.
        candidates = {p.pk: p for role in step.roles for p in holders.get(role, [])}
        roles_taken = {
            authority.role
            for person in candidates.values()
            for authority in authorities_open(
                person, review, step, delegations=received.get(person.pk, []), on=today
            )
        }
        commented = {d.role for d in step.decisions.all() if d.round == review.round}
        # A consultation waits for each role still to comment; any other step for one of them.
        needed = set(step.roles) - commented if step.kind == "consultation" else set()
        if not roles_taken or not needed <= roles_taken:
            stuck.append((review, step))
    return stuck


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


def reprocure_condition(*, today: date) -> Q:
    """Contracts inside their renewal lead time on ``today`` (or rolling contracts whose review
    date is inside it) with no procurement planned to replace them and no answer that they will
    simply end."""
    due = status_condition(Contract.Status.EXPIRING, today=today) | (
        running_condition(today=today) & rolling_review_due_condition(today=today)
    )
    return (
        due
        & ~Exists(ProcurementProject.objects.filter(replaces=OuterRef("pk")))
        & (Q(ending_confirmed_for__isnull=True) | ~Q(ending_confirmed_for=F("end_date")))
    )


def contracts_to_reprocure(*, today: date, directorate_id: int | None = None) -> QuerySet:
    """Contracts inside their renewal lead time with no procurement planned to replace them
    ("retender rather than extend"), soonest decided first (a rolling one by its review date)."""
    contracts = (
        contracts_with_status(today=today)
        .filter(reprocure_condition(today=today))
        .order_by(Coalesce("end_date", "review_date"), "pk")
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


def weighting_report(*, since: date | None = None, until: date | None = None) -> dict:
    """The weighting actually used (DESIGN §2.3), for the dashboards and the annual report:
    approved Gateway 1 weightings by category, the departures from the templates, and the share
    of awards (approved Gateway 2s) whose weighting gave social value 10% or more. ``since`` and
    ``until`` bound the day of approval, inclusive."""
    approved = GatewayReview.objects.filter(
        state=GatewayReview.State.APPROVED, project__isnull=False, decided_at__isnull=False
    )
    if since:
        approved = approved.filter(decided_at__date__gte=since)
    if until:
        approved = approved.filter(decided_at__date__lte=until)
    weightings = list(
        approved.filter(stage=GatewayStage.G1)
        .select_related("project", "template_category")
        .order_by("decided_at", "pk")
    )
    by_category: dict[str, list[GatewayReview]] = {}
    for review in weightings:
        name = review.template_category.name if review.template_category else "No category"
        by_category.setdefault(name, []).append(review)
    categories = [
        {
            "category": name,
            "count": len(reviews),
            "quality": _mean(r.quality_weight for r in reviews),
            "price": _mean(r.price_weight for r in reviews),
            "social_value": _mean(r.social_value_weight for r in reviews),
            "template": reviews[-1].template_weights,
            "departures": sum(1 for r in reviews if r.departs_from_template),
        }
        for name, reviews in sorted(by_category.items())
    ]
    awards = list(
        approved.filter(stage=GatewayStage.G2).select_related("project").order_by("decided_at")
    )
    # Each award's weighting: the project's last Gateway 1 approved before it (one query).
    strategies: dict[int, list[GatewayReview]] = {}
    for review in GatewayReview.objects.filter(
        stage=GatewayStage.G1,
        state=GatewayReview.State.APPROVED,
        project__in=[a.project_id for a in awards],
    ).order_by("decided_at", "pk"):
        strategies.setdefault(review.project_id, []).append(review)
    award_rows = []
    for award in awards:
        earlier = [
            s for s in strategies.get(award.project_id, []) if s.decided_at <= award.decided_at
        ]
        weighting = earlier[-1] if earlier else None
        award_rows.append({"award": award, "weighting": weighting})
    weighted = [row for row in award_rows if row["weighting"] is not None]
    with_social_value = [
        row for row in weighted if row["weighting"].social_value_weight >= SOCIAL_VALUE_MINIMUM
    ]
    return {
        "by_category": categories,
        "departures": [
            r for r in weightings if r.departs_from_template or r.social_value_below_minimum
        ],
        "awards": award_rows,
        "awards_weighted": len(weighted),
        "awards_with_social_value": len(with_social_value),
        "social_value_share": (
            points(Decimal(len(with_social_value)) * 100 / len(weighted)) if weighted else None
        ),
    }


def _mean(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return points(sum(values) / len(values)) if values else None


def reviews_visible(reviews: QuerySet[GatewayReview], *, user: User) -> QuerySet[GatewayReview]:
    """Those of ``reviews`` that ``user`` may read (the rule ``gateways.view_review``, in SQL):
    drafts only to their author, their directorate's officers, the central team,
    administrators and auditors; every other report to anyone with a role."""
    roles = getattr(user, "roles", frozenset())
    if not roles:
        return reviews.none()
    if roles & {*CENTRAL_TEAM, Role.ADMINISTRATOR, Role.AUDITOR}:
        return reviews
    visible = ~Q(state=GatewayReview.State.DRAFT) | Q(author=user)
    if roles & {Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER} and user.directorate_id:
        visible |= Q(project__directorate_id=user.directorate_id) | Q(
            project__isnull=True, contract__directorate_id=user.directorate_id
        )
    return reviews.filter(visible)
