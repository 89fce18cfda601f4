"""Reads of gateway reviews, shared by pages, the home page, reports and tasks."""

from dataclasses import dataclass, field
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
from procurement.history import changes_of
from procurement.models import GatewayStage, User, WhoActs
from procurement.roles import CENTRAL_TEAM, Role
from procurement.thresholds import SOCIAL_VALUE_MINIMUM_PERCENT, forward_plan_publish_above

from .authority import (
    authorities,
    authorities_open,
    delegated_away,
    delegations_active,
    held_roles,
    is_asked,
)
from .models import (
    Delegation,
    GatewayReview,
    ProcurementProject,
    ProposedKpi,
    ReportAttachment,
    ReviewStep,
    StepDecision,
)
from .progress import PASSING, current_step
from .routing import (
    NoPolicyInForce,
    gateways_required,
    policy_on,
    route_for,
    routing_value,
    step_copy,
    tier_of,
)
from .scoring import points


def reviews_with_route() -> QuerySet[GatewayReview]:
    """Reviews with their subject, author, steps and decisions: a fixed number of queries."""
    decisions = StepDecision.objects.select_related("decided_by", "on_behalf_of").order_by(
        "decided_at", "pk"
    )
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
        needed = set(step.roles) - commented if step.who_acts.must == WhoActs.ALL else set()
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
    award_rows = _awards_with_weighting(approved)
    weighted = [row for row in award_rows if row["weighting"] is not None]
    with_social_value = [
        row
        for row in weighted
        if row["weighting"].social_value_weight >= SOCIAL_VALUE_MINIMUM_PERCENT
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


def _awards_with_weighting(approved: QuerySet[GatewayReview]) -> list[dict]:
    """Each approved award (Gateway 2) with its weighting: the project's last Gateway 1
    approved before it (one query for them all)."""
    awards = list(
        approved.filter(stage=GatewayStage.G2).select_related("project").order_by("decided_at")
    )
    strategies: dict[int, list[GatewayReview]] = {}
    for review in GatewayReview.objects.filter(
        stage=GatewayStage.G1,
        state=GatewayReview.State.APPROVED,
        project__in=[a.project_id for a in awards],
    ).order_by("decided_at", "pk"):
        strategies.setdefault(review.project_id, []).append(review)
    rows = []
    for award in awards:
        earlier = [
            s for s in strategies.get(award.project_id, []) if s.decided_at <= award.decided_at
        ]
        rows.append({"award": award, "weighting": earlier[-1] if earlier else None})
    return rows


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


# --- Who is asked, for the author ------------------------------------------------------------


def _deciders_and_delegations(*, on: date) -> tuple[list[User], list[Delegation]]:
    """Everyone who might act at a step, and the delegations in force, each delegator being the
    same (prefetched) person as in the list: a fixed number of queries, however many reports."""
    people = possible_deciders()
    by_pk = {person.pk: person for person in people}
    delegations = delegations_active(on=on)
    for delegation in delegations:
        delegation.delegator = by_pk.get(delegation.delegator_id, delegation.delegator)
    return people, delegations


def _by_name(people) -> list[User]:
    return sorted(people, key=lambda person: (str(person).lower(), person.pk))


def _asked_now(
    review: GatewayReview, step: ReviewStep, *, people, delegations, on: date
) -> list[User]:
    """Who is asked to act at ``step`` now, by name (as ``notifications.step_recipients``)."""
    return _by_name(
        person
        for person in people
        if is_asked(
            person,
            review,
            step,
            received=[d for d in delegations if d.delegate_id == person.pk],
            given=[d for d in delegations if d.delegator_id == person.pk],
            on=on,
        )
    )


def _asked_on_submission(
    review: GatewayReview, step: ReviewStep, *, people, delegations, on: date
) -> list[User]:
    """Who would be asked at ``step`` of a round not yet begun: the holders of its roles in
    scope, or their delegates for now, never the author."""
    asked = []
    for person in people:
        if person.pk == review.author_id:
            continue
        found = [
            authority
            for authority in authorities(
                person,
                review,
                step,
                delegations=[d for d in delegations if d.delegate_id == person.pk],
                on=on,
            )
            if authority.on_behalf_of is None or authority.on_behalf_of.pk != review.author_id
        ]
        given = [d for d in delegations if d.delegator_id == person.pk]
        if any(a.on_behalf_of is not None for a in found) or (
            found and delegated_away(person, step, given=given, on=on) is None
        ):
            asked.append(person)
    return _by_name(asked)


@dataclass(frozen=True)
class RoutePreview:
    """The route a report would take if submitted now, with who is asked at each step; or why it
    cannot be submitted."""

    tier: str = ""
    value: Decimal | None = None
    basis: str = ""
    policy: object = None
    steps: list[tuple[ReviewStep, list[User]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rerouted: bool = False


def review_route_preview(*, review: GatewayReview, on: date | None = None) -> RoutePreview:
    """What submitting ``review`` now would do (``services.review_submit`` decides the same
    way): the route the policy gives it, or on resubmission the one it keeps unless its value
    moved it into another tier, with the people asked at each step by name."""
    on = on or timezone.localdate()
    problems = [f"Complete the report: {', '.join(review.report_missing())}."] * bool(
        review.report_missing()
    )
    valued = routing_value(review)
    rerouted = bool(review.round) and tier_of(review, review.value) != tier_of(review, valued.value)
    if review.round and not rerouted:
        steps = sorted((s for s in review.steps.all() if s.is_active), key=lambda s: s.order)
        tier, policy = review.tier_code, review.policy
    else:
        try:
            policy = review.policy if rerouted else policy_on(on)
        except NoPolicyInForce as problem:
            return RoutePreview(value=valued.value, basis=valued.basis, problems=[str(problem)])
        route = route_for(
            policy=policy,
            stage=review.stage,
            value=valued.value,
            core_service=bool(review.project and review.project.is_core_service),
            high_value_or_complex=bool(review.project and review.project.is_high_value_or_complex),
            extension=review.stage == GatewayStage.G3 and review.contract_id is not None,
        )
        if not route.required:
            return RoutePreview(
                value=valued.value, basis=valued.basis, policy=policy, problems=route.reasons
            )
        tier = route.tier.code
        steps = [
            ReviewStep(review=review, order=order, **step_copy(step))
            for order, step in enumerate(route.steps, start=1)
        ]
    people, delegations = _deciders_and_delegations(on=on)
    return RoutePreview(
        tier=tier,
        value=valued.value,
        basis=valued.basis,
        policy=policy,
        steps=[
            (
                step,
                _asked_on_submission(review, step, people=people, delegations=delegations, on=on),
            )
            for step in steps
        ],
        problems=problems,
        rerouted=rerouted,
    )


# --- An author's own reports -----------------------------------------------------------------


def _this_round(review: GatewayReview) -> list[StepDecision]:
    return [
        decision
        for step in review.steps.all()
        for decision in step.decisions.all()
        if decision.round == review.round
    ]


def step_opened_at(review: GatewayReview, step: ReviewStep):
    """When ``step`` became the one waiting: when the step before it was done in this round,
    or when the report was submitted."""
    before = [
        d.decided_at
        for d in _this_round(review)
        if d.step.order < step.order and d.outcome in PASSING
    ]
    return max(before, default=review.submitted_at)


def review_outcome(review: GatewayReview) -> StepDecision | None:
    """The decision that returned, rejected or approved the report in its latest round."""
    wanted = {
        GatewayReview.State.RETURNED: "returned",
        GatewayReview.State.REJECTED: "rejected",
        GatewayReview.State.APPROVED: "approved",
    }.get(review.state)
    if wanted is None:
        return None
    found = [d for d in _this_round(review) if d.outcome == wanted]
    return max(found, key=lambda d: (d.decided_at, d.pk), default=None)


AUTHORS_DECIDED_SHOWN = 5


def reviews_of_author(*, user: User, decided_shown: int = AUTHORS_DECIDED_SHOWN) -> dict:
    """``user``'s gateway reports for their home page: drafts; those in review, with the step
    waiting, who is asked there and since when; those returned, with the reasons; and the latest
    decided, with the outcome. A fixed number of queries, however many reports."""
    today = timezone.localdate()
    states = GatewayReview.State
    theirs = GatewayReview.objects.filter(author=user)
    finished = [states.APPROVED, states.REJECTED]
    # Every open report, and only the latest decided ones: the rest are counted, not read.
    latest_decided = (
        theirs.filter(state__in=finished)
        .order_by(Coalesce("decided_at", "submitted_at").desc(), "-pk")
        .values("pk")[:decided_shown]
    )
    reviews = list(
        reviews_with_route()
        .filter(author=user)
        .exclude(state=states.WITHDRAWN)
        .filter(~Q(state__in=finished) | Q(pk__in=latest_decided))
        .order_by("-pk")
    )
    found = {"drafts": [], "in_review": [], "returned": [], "decided": [], "decided_total": 0}
    in_review = [r for r in reviews if r.state == states.IN_REVIEW]
    people, delegations = _deciders_and_delegations(on=today) if in_review else ([], [])
    for review in reviews:
        # The decisions know their step without another query.
        for step in review.steps.all():
            for decision in step.decisions.all():
                decision.step = step
        if review.state == states.DRAFT:
            found["drafts"].append({"review": review})
        elif review.state == states.IN_REVIEW:
            step = current_step(review)
            found["in_review"].append(
                {
                    "review": review,
                    "step": step,
                    "since": step_opened_at(review, step) if step else review.submitted_at,
                    "asked": _asked_now(
                        review, step, people=people, delegations=delegations, on=today
                    )
                    if step
                    else [],
                }
            )
        elif review.state == states.RETURNED:
            found["returned"].append({"review": review, "decision": review_outcome(review)})
        else:
            found["decided"].append({"review": review, "decision": review_outcome(review)})
    found["in_review"].sort(key=lambda row: (row["since"], row["review"].pk))
    found["decided"].sort(
        key=lambda row: (row["review"].decided_at or row["review"].submitted_at, row["review"].pk),
        reverse=True,
    )
    found["decided_total"] = theirs.filter(state__in=finished).count()
    found["any"] = any(found[key] for key in ("drafts", "in_review", "returned", "decided"))
    return found


def review_route_rows(*, review: GatewayReview, current: ReviewStep | None) -> list[dict]:
    """Each step of the route with its status in the latest round and the decisions taken at
    it, every round: a step the report never got to is "Not reached"."""
    rows = []
    for step in review.steps.all():
        decisions = list(step.decisions.all())
        this_round = {d.outcome for d in decisions if d.round == review.round}
        if not step.is_active:
            status = "Replaced by referral"
        elif current is not None and step.pk == current.pk:
            status = "Waiting"
        elif StepDecision.Outcome.REJECTED in this_round:
            status = "Rejected"
        elif StepDecision.Outcome.RETURNED in this_round:
            status = "Returned for changes"
        elif review.round and this_round & PASSING:
            status = "Completed"
        else:
            status = "Not reached"
        rows.append({"step": step, "status": status, "decisions": decisions})
    return rows


def review_trail(*, review: GatewayReview) -> list[dict]:
    """Everything recorded about a report, newest first: the report's own changes (drafting,
    submission, each move of its state, with why), the decisions at its steps, its documents and
    its proposed KPIs. One query for each kind of record, however long the history."""
    kinds = [
        ("The report", GatewayReview, review.history.all()),
        ("A decision", StepDecision, StepDecision.history.filter(step__review=review)),
        ("A document", ReportAttachment, ReportAttachment.history.filter(review_id=review.pk)),
        ("A proposed KPI", ProposedKpi, ProposedKpi.history.filter(review_id=review.pk)),
    ]
    entries = []
    for label, model, records in kinds:
        ordered = list(records.select_related("history_user").order_by("-history_date", "-pk"))
        entries += [{**entry, "label": label} for entry in changes_of(ordered, model)]
    entries.sort(key=lambda entry: entry["record"].history_date, reverse=True)
    return entries


def project_recommended_supplier_id(*, project: ProcurementProject) -> int | None:
    """The supplier the project's latest Gateway 2 report recommends, if any."""
    report = (
        project.reviews.filter(stage=GatewayStage.G2)
        .exclude(state=GatewayReview.State.WITHDRAWN)
        .order_by("-pk")
        .first()
    )
    return report.recommended_supplier_id if report else None


def projects_made_public(*, today: date) -> QuerySet[ProcurementProject]:
    """The procurements officers have published on the forward plan, from their day, over the
    council's figure, awarded or not: what the open data's planning releases tell."""
    return ProcurementProject.objects.filter(
        on_public_forward_plan=True, estimated_value__gt=forward_plan_publish_above()
    ).filter(Q(public_from__isnull=True) | Q(public_from__lte=today))


def projects_publicly_planned(*, today: date) -> QuerySet[ProcurementProject]:
    """The procurements made public and not yet awarded: what the public page and its CSV
    show."""
    awarded = GatewayReview.objects.filter(
        project=OuterRef("pk"), stage=GatewayStage.G2, state=GatewayReview.State.APPROVED
    )
    return (
        projects_made_public(today=today)
        .exclude(Exists(awarded))
        .select_related("category", "directorate")
        .order_by(F("planned_tender_date").asc(nulls_last=True), "reference")
    )
