"""Every write to a gateway review. The rules are here, so no page, API call or task can skip them:

- a review is routed by the policy in force on the day it is first submitted, and keeps that route;
- only a holder of the step's role acts at a step, and never the report's author;
- nobody acts at two steps of the same round (who checked it cannot also recommend or approve it);
- a decided step is not decided again, and two people acting at once cannot both succeed;
- returning or rejecting needs reasons; a board recommendation its meeting date and minute; a
  decision its key-decision reference, or the lead member consultation, where the policy asks.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition

from contracts.models import Contract
from contracts.services import (
    ContractError,
    attachment_problem,
    attachment_store,
    contract_create,
    contract_extend,
)
from performance.selectors import performance_summary
from performance.services import kpis_adopt
from procurement.history import save_with_history
from procurement.models import GatewayStage, PolicyStep, User
from procurement.roles import COLLECTIVE_ROLES
from procurement.services import DomainError, require
from socialvalue.models import MEASURES_AT_GATEWAY_1, Measure
from socialvalue.services import commitments_adopt

from . import notifications
from .authority import Authority, authorities, refusal
from .evaluation import evaluation_for, weighting_in_force
from .models import (
    Bid,
    BidCommitment,
    ChosenMeasure,
    Delegation,
    EvaluationCriterion,
    Evaluator,
    EvaluatorScore,
    GatewayReview,
    ModeratedScore,
    ProcurementProject,
    ProposedKpi,
    ReportAttachment,
    ReviewStep,
    StepDecision,
)
from .routing import RoutingValue, policy_on, route_for, routing_value

Kind = PolicyStep.Kind
Outcome = StepDecision.Outcome
State = GatewayReview.State

OUTCOMES_BY_KIND = {
    Kind.CHECK: {Outcome.APPROVED, Outcome.REFERRED, Outcome.RETURNED, Outcome.REJECTED},
    Kind.CONSULTATION: {Outcome.COMMENTED},
    Kind.RECOMMENDATION: {Outcome.RECOMMENDED, Outcome.RETURNED, Outcome.REJECTED},
    Kind.DECISION: {Outcome.APPROVED, Outcome.RETURNED, Outcome.REJECTED},
}
# Outcomes that move the report on: whoever gives one has acted on it.
PASSING = {Outcome.APPROVED, Outcome.RECOMMENDED, Outcome.REFERRED, Outcome.COMMENTED}
OPEN_STATES = {State.DRAFT, State.IN_REVIEW, State.RETURNED}
REPORT_FIELDS = {
    "summary",
    "options_appraised",
    "recommended_option",
    "strategy_route",
    "lots",
    "timetable",
    "risks",
    "social_value_approach",
    "tender_outcome",
    "recommended_supplier",
    "award_value",
    "contract_start",
    "contract_end",
    "contract_lead_director",
    "recommendation_justification",
    "kpis_not_applicable_reason",
    "extension_allowed_evidence",
    "savings_negotiated",
    "savings_evidence",
    "added_social_value",
    "performance_evidence",
    "exception_justification",
    "award_variance_explanation",
}
COLLECTIVE = {role.label for role in COLLECTIVE_ROLES}


class GatewayError(DomainError):
    """A gateway action the rules refuse, with a message for the person who tried it (and, where
    it concerns one, the form field it is about, for the page to show it beside)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotYourDecision(GatewayError):
    """The rules refuse this person the decision: segregation of duties, or another's step."""

    refuses_person = True


class WeightingError(GatewayError):
    """A weighting the rules refuse, with each of its problems for the error summary."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(". ".join(problems) + ".")


@transaction.atomic
def project_create(*, fields: Mapping[str, Any], by: User, reason: str) -> ProcurementProject:
    """Put a procurement on the forward plan."""
    project = ProcurementProject(**fields)
    require(by, "gateways.add_project")
    require(by, "gateways.change_project", project)
    project.full_clean()
    return save_with_history(project, by=by, reason=reason)


@transaction.atomic
def project_update(
    *, project: ProcurementProject, fields: Mapping[str, Any], by: User, reason: str
) -> ProcurementProject:
    """Change a planned procurement; its history keeps what it was and why."""
    require(by, "gateways.change_project", project)
    project = _locked_project(project)
    for name, value in fields.items():
        setattr(project, name, value)
    require(by, "gateways.change_project", project)
    project.full_clean()
    return save_with_history(project, by=by, reason=reason)


ROLLING_NOT_EXTENDED = (
    "This is a rolling contract with no end date: an extension option has no end to move."
)


@transaction.atomic
def review_create(
    *,
    author: User,
    stage: str,
    summary: str,
    project: ProcurementProject | None = None,
    contract=None,
    is_extension: bool = False,
    report: Mapping[str, Any] | None = None,
) -> GatewayReview:
    """Start a gateway report, as a draft. ``report`` holds the stage's own fields (for a
    Gateway 3 extension, the four tests' evidence or an exception)."""
    unknown = set(report or {}) - REPORT_FIELDS
    if unknown:
        raise GatewayError(
            f"These are not parts of a gateway report: {', '.join(sorted(unknown))}."
        )
    if project is None and contract is None:
        raise GatewayError("A gateway report is about a procurement project or a contract.")
    if is_extension and contract is not None and contract.is_rolling:
        raise GatewayError(ROLLING_NOT_EXTENDED)
    if project is not None:
        require(author, "gateways.change_project", project)
    else:
        require(author, "contracts.change_contract", contract)
    open_reports = GatewayReview.objects.filter(
        project=project, contract=contract, stage=stage, state__in=OPEN_STATES
    )
    if open_reports.exists():
        raise GatewayError(
            f"A {GatewayStage(stage).label} report is already open for this; continue that one."
        )
    report = dict(report or {})
    if stage == GatewayStage.G3 and contract is not None and not report.get("performance_evidence"):
        # Gateway 3 starts from the contract's own performance record.
        report["performance_evidence"] = performance_summary(
            contract, timezone.localdate()
        ).as_text()
    review = GatewayReview(
        author=author,
        stage=stage,
        summary=summary,
        project=project,
        contract=contract,
        is_extension=is_extension,
        **report,
    )
    save_with_history(review, by=author, reason="Report started")
    if stage == GatewayStage.G1 and project is not None:
        _weighting_start(review, by=author)
    return review


def _locked_project(project: ProcurementProject) -> ProcurementProject:
    """The project, re-read under a row lock: its evaluation changes one request at a time."""
    return ProcurementProject.objects.select_for_update().get(pk=project.pk)


def _locked(review: GatewayReview) -> GatewayReview:
    """The review, re-read under a row lock so that concurrent actions queue behind each other."""
    return GatewayReview.objects.select_for_update().get(pk=review.pk)


def _save(review: GatewayReview, *, by: User, reason: str) -> GatewayReview:
    try:
        return save_with_history(review, by=by, reason=reason)
    except ConcurrentTransition:
        raise GatewayError(
            "Someone else acted on this report at the same moment; it has changed. "
            "Reload it to see what happened."
        ) from None


@transaction.atomic
def review_submit(*, review: GatewayReview, by: User, today: date | None = None) -> GatewayReview:
    """Submit (or resubmit) a report. The first submission fixes its route for good."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can submit it.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError(
            f"This report cannot be submitted: it is {review.get_state_display().lower()}."
        )
    if review.is_extension and review.contract and review.contract.is_rolling:
        raise GatewayError(ROLLING_NOT_EXTENDED)
    if review.is_extension and review.contract and review.contract.extensions_remaining <= 0:
        raise GatewayError("This contract has no extension options left to extend it by.")
    missing = review.report_missing()
    if missing:
        raise GatewayError(f"Complete the report before submitting it: {'; '.join(missing)}.")
    if review.stage in {GatewayStage.G1, GatewayStage.G2} and review.without_competition:
        if not review.exception_justification.strip():
            raise GatewayError(
                f"The route is {review.procurement_route_label.lower()}, without competition: "
                "record the exception and its justification for the approver."
            )
    if review.stage == GatewayStage.G1 and review.project_id:
        _check_weighting(review)
    if review.stage == GatewayStage.G2 and review.project_id:
        _check_recommendation(review)
        _check_kpis(review)
    if review.stage == GatewayStage.G3 and review.is_extension:
        missing = review.extension_tests_missing()
        performance = performance_summary(review.contract, timezone.localdate())
        if not performance.is_satisfactory:
            label = "Satisfactory performance in the initial period"
            missing = [test for test in missing if test != label]
            missing.append(f"{label} (the contract's record shows: {performance.as_text()})")
        if missing and not review.exception_justification.strip():
            raise GatewayError(
                "Show the evidence for every extension test, or record an exception with its "
                f"justification for the approver. Missing: {'; '.join(missing).lower()}."
            )
    valued = routing_value(review)
    if review.stage == GatewayStage.G2 and review.project_id:
        _check_award_variance(review, today=today or timezone.localdate())
    if review.round == 0:
        _route(review, valued, policy=policy_on(today or timezone.localdate()))
    elif _tier_of(review, review.value) != _tier_of(review, valued.value):
        _reroute(review, valued, by=by)
    elif valued.value != review.value:
        review.value, review.value_basis = valued.value, valued.basis
    review.round += 1
    review.submitted_at = timezone.now()
    review.decided_at = None
    review.submit()
    reason = "Submitted" if review.round == 1 else f"Resubmitted (round {review.round})"
    review = _save(review, by=by, reason=reason)
    notifications.notify_step(review, current_step(review))
    return review


def _route(review: GatewayReview, valued: RoutingValue, *, policy) -> None:
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
    _copy_steps(review, route.steps, first_order=_next_order(review))


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
        review = _locked(review)
        if review.state != State.IN_REVIEW:
            continue
        valued = routing_value(review)
        if valued.value == review.value:
            continue
        before, after = _tier_of(review, review.value), _tier_of(review, valued.value)
        if before == after:
            change = f"£{review.value:,.2f} to £{valued.value:,.2f}"
            review.value, review.value_basis = valued.value, valued.basis
            _save(review, by=by, reason=f"Value changed within Tier {after}: {change}")
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
        _save(review, by=by, reason=f"Returned: {why}")
        notifications.notify_author(review, decision)
        returned.append(review)
    return returned


def _next_order(review: GatewayReview) -> int:
    if review.pk is None:
        return 1
    last = review.steps.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _tier_of(review: GatewayReview, value: Decimal | None) -> str | None:
    """The tier ``value`` falls in under the report's own policy (``None``: no gateway)."""
    if value is None or review.policy is None:
        return None
    tier = review.policy.tier_for(value)
    return tier.code if tier else None


def _reroute(review: GatewayReview, valued: RoutingValue, *, by: User) -> None:
    """The value has moved the report into another tier: the steps of the old route are set
    aside (their decisions stay on record) and the new tier's steps follow, under the same
    policy, which a report keeps for good."""
    for step in review.steps.filter(is_active=True):
        step.is_active = False
        save_with_history(step, by=by, reason="Set aside: the report's value changed its tier")
    _route(review, valued, policy=review.policy)


def _check_award_variance(review: GatewayReview, *, today: date) -> None:
    """An award more than the policy's tolerance above the estimate approved at Gateway 1 needs
    an explanation, which the approvers see beside the report."""
    excess = review.award_excess(policy=review.policy or policy_on(today))
    if excess and not review.award_variance_explanation.strip():
        raise GatewayError(f"The award is {excess}: explain why, for the approvers to see.")


def _copy_steps(review: GatewayReview, steps, *, first_order: int) -> None:
    review.save()  # the review needs its primary key and policy before its steps
    for order, step in enumerate(steps, start=first_order):
        ReviewStep.objects.create(
            review=review,
            order=order,
            name=step.name,
            kind=step.kind,
            roles=sorted(role.name for role in step.roles.all()),
            scoped_roles=sorted(role.name for role in step.scoped_roles.all()),
            consult_role=step.consult_role.name if step.consult_role else "",
            refer_to_tier=step.may_refer_to.code if step.may_refer_to else "",
            records_meeting=step.records_meeting,
            records_key_decision=step.records_key_decision,
            target_days=step.target_days,
        )


def current_step(review: GatewayReview) -> ReviewStep | None:
    """The first active step not yet complete in this round, or ``None``.

    Uses the review's steps and their decisions as prefetched (see ``selectors``), so a list of
    reviews costs no query per review.
    """
    steps = sorted((s for s in review.steps.all() if s.is_active), key=lambda s: s.order)
    for step in steps:
        done = [d for d in step.decisions.all() if d.round == review.round and d.outcome in PASSING]
        if step.kind == Kind.CONSULTATION:
            if not set(step.roles) <= {d.role for d in done}:
                return step
        elif not done:
            return step
    return None


def _why_not_yours(review: GatewayReview, step: ReviewStep, user: User) -> str:
    """Say plainly why ``user`` cannot act: most often, someone else has just done so."""
    held = {role.label for role in user.roles}
    earlier = (
        StepDecision.objects.filter(
            step__review=review, round=review.round, step__order__lt=step.order
        )
        .select_related("decided_by", "step")
        .order_by("-decided_at", "-pk")
    )
    for decision in earlier:
        if held & set(decision.step.roles):
            return (
                f"{decision.decided_by} has already acted at '{decision.step.name}' "
                f"({decision.get_outcome_display().lower()}); the report is now with "
                f"{' or '.join(step.roles).lower()}."
            )
    return refusal(user, review, step)


def _authority(
    review: GatewayReview, step: ReviewStep, *, by: User, on_behalf_of: User | None
) -> Authority:
    """The role ``by`` acts in at ``step``, and for whom: in their own right, or for the
    colleague named (or, where that is the only way they may act, the one colleague) who
    delegated them the step's role today."""
    today = timezone.localdate()
    received = delegations_active(delegate=by, on=today)
    found = authorities(by, review, step, delegations=received, on=today)
    if step.kind == Kind.CONSULTATION:
        # Each consultee's role comments once: act in one still to comment, where there is one.
        commented = set(
            StepDecision.objects.filter(
                step=step, round=review.round, outcome=Outcome.COMMENTED
            ).values_list("role", flat=True)
        )
        found.sort(key=lambda authority: authority.role in commented)
    own = [a for a in found if a.on_behalf_of is None]
    delegated = [a for a in found if a.on_behalf_of is not None]
    if on_behalf_of is not None:
        for authority in delegated:
            if authority.on_behalf_of.pk == on_behalf_of.pk:
                return authority
        raise NotYourDecision(
            f"{on_behalf_of} has not delegated to you today a role that can act at this step "
            "for this directorate."
        )
    if own:
        return own[0]
    if len({a.on_behalf_of.pk for a in delegated}) == 1:
        return delegated[0]
    if delegated:
        raise NotYourDecision(
            "You hold this step for more than one colleague: choose whom you act on behalf of."
        )
    raise NotYourDecision(_why_not_yours(review, step, by))


@dataclass(frozen=True)
class CheckedDecision:
    """A decision the rules allow at ``step``: in ``role``, for ``on_behalf_of`` if anyone, with
    the exceptions its approver accepts."""

    step: ReviewStep
    role: str
    on_behalf_of: User | None
    social_value_exception: bool
    direct_award_exception: bool


def review_decision_check(
    *,
    review: GatewayReview,
    by: User,
    outcome: str,
    reasons: str = "",
    meeting_date: date | None = None,
    minute_reference: str = "",
    key_decision_reference: str = "",
    consulted: str = "",
    consulted_on: date | None = None,
    consultation_notes: str = "",
    on_behalf_of: User | None = None,
    accept_social_value_exception: bool = False,
    accept_direct_award_exception: bool = False,
) -> CheckedDecision:
    """Every rule a decision must pass, writing nothing: the page checks a decision with it
    before asking the person to confirm, and ``review_decide`` again when they do."""
    if review.state != State.IN_REVIEW:
        state = review.get_state_display().lower()
        raise GatewayError(f"This report is not waiting for a decision: it is {state}.")
    step = current_step(review)
    if step is None:
        raise GatewayError("This report has no step waiting for a decision.")
    authority = _authority(review, step, by=by, on_behalf_of=on_behalf_of)
    role, on_behalf_of = authority.role, authority.on_behalf_of
    people = {by.pk} | ({on_behalf_of.pk} if on_behalf_of else set())
    if review.author_id in people:
        raise NotYourDecision("You wrote this report, so you cannot decide on it.")
    acted = StepDecision.objects.filter(step__review=review, round=review.round).filter(
        Q(decided_by__in=people) | Q(on_behalf_of__in=people)
    )
    if acted.exclude(step=step).exists():
        raise GatewayError(
            "You have already acted on this report at another step, so you cannot act at this one."
        )
    if acted.filter(step=step).exists():
        raise GatewayError("You have already acted at this step.")
    if outcome not in OUTCOMES_BY_KIND[step.kind]:
        raise GatewayError(f"'{outcome}' is not a decision that can be made at this step.")
    if outcome in PASSING:
        _refuse_a_stale_route(review)
    approving = outcome == Outcome.APPROVED and step.kind == Kind.DECISION
    if approving:
        _check_kpis(review)
    _require_what_the_step_records(
        review,
        step,
        role=role,
        outcome=outcome,
        reasons=reasons,
        meeting_date=meeting_date,
        minute_reference=minute_reference,
        key_decision_reference=key_decision_reference,
        consulted=consulted,
        consulted_on=consulted_on,
        consultation_notes=consultation_notes,
    )
    # Approving a Gateway 1 that weights social value below 10% (over £100,000), or a route
    # without competition, needs the approver's explicit acceptance of its justification.
    social_value_exception = (
        approving and review.stage == GatewayStage.G1 and review.social_value_below_minimum
    )
    if social_value_exception and not accept_social_value_exception:
        raise GatewayError(
            "Social value is weighted below 10%: accept the recorded justification to approve, "
            "or return the report.",
            field="accept_social_value_exception",
        )
    direct_award_exception = (
        approving
        and review.stage in {GatewayStage.G1, GatewayStage.G2}
        and review.without_competition
    )
    if direct_award_exception and not accept_direct_award_exception:
        raise GatewayError(
            f"The route is {review.procurement_route_label.lower()}, without competition: "
            "accept the recorded exception to approve, or return the report.",
            field="accept_direct_award_exception",
        )
    return CheckedDecision(step, role, on_behalf_of, social_value_exception, direct_award_exception)


@transaction.atomic
def review_decide(
    *,
    review: GatewayReview,
    by: User,
    outcome: str,
    reasons: str = "",
    meeting_date: date | None = None,
    minute_reference: str = "",
    key_decision_reference: str = "",
    consulted: str = "",
    consulted_on: date | None = None,
    consultation_notes: str = "",
    on_behalf_of: User | None = None,
    accept_social_value_exception: bool = False,
    accept_direct_award_exception: bool = False,
) -> StepDecision:
    """Record one person's decision at the review's current step, and move the review on.

    Who may act is decided in ``gateways.authority``: the step's roles, the policy's scope for
    each (own directorate or council-wide), and delegation of a named role (``on_behalf_of``: the
    colleague who delegated it; the rules then apply to both of them). The approver of a
    Gateway 1 weighting social value below 10%, or of a route without competition, accepts its
    recorded justification explicitly.
    """
    review = _locked(review)
    checked = review_decision_check(
        review=review,
        by=by,
        outcome=outcome,
        reasons=reasons,
        meeting_date=meeting_date,
        minute_reference=minute_reference,
        key_decision_reference=key_decision_reference,
        consulted=consulted,
        consulted_on=consulted_on,
        consultation_notes=consultation_notes,
        on_behalf_of=on_behalf_of,
        accept_social_value_exception=accept_social_value_exception,
        accept_direct_award_exception=accept_direct_award_exception,
    )
    step, role, on_behalf_of = checked.step, checked.role, checked.on_behalf_of
    approving = outcome == Outcome.APPROVED and step.kind == Kind.DECISION
    social_value_exception = checked.social_value_exception
    direct_award_exception = checked.direct_award_exception
    decision = save_with_history(
        StepDecision(
            step=step,
            round=review.round,
            outcome=outcome,
            role=role,
            decided_by=by,
            on_behalf_of=on_behalf_of,
            reasons=reasons,
            meeting_date=meeting_date,
            minute_reference=minute_reference,
            key_decision_reference=key_decision_reference.strip(),
            consulted=consulted,
            consulted_on=consulted_on,
            consultation_notes=consultation_notes,
            accepted_social_value_exception=social_value_exception,
            accepted_direct_award_exception=direct_award_exception,
        ),
        by=by,
        reason=f"{StepDecision.Outcome(outcome).label} at {step.name}",
    )
    if approving and decision.key_decision_reference:
        _key_decision_of_record(review, decision.key_decision_reference, by=by)
    _move_on(review, step=step, outcome=outcome, by=by, decision=decision)
    if review.state == State.IN_REVIEW:
        following = current_step(review)
        if following is not None and following.pk != step.pk:
            notifications.notify_step(review, following)
    else:
        notifications.notify_author(review, decision)
    return decision


def _refuse_a_stale_route(review: GatewayReview) -> None:
    """The last word on the route: whatever path changed the value (one that sent no signal),
    nobody moves on a report whose value has left the tier it was routed in."""
    valued = routing_value(review)
    before, after = _tier_of(review, review.value), _tier_of(review, valued.value)
    if before != after:
        moved = f"Tier {after}" if after else "no gateway"
        raise GatewayError(
            f"The value this report is routed on is now £{valued.value:,.2f}, not "
            f"£{review.value:,.2f}: that needs {moved}, not Tier {before}. Return it to its "
            "author, to be resubmitted on the new route."
        )


def is_key_decision(review: GatewayReview) -> bool:
    """The policy makes a procurement above its key-decision value a key decision, whatever
    its tier."""
    above = review.policy.key_decision_above if review.policy else None
    return above is not None and review.value is not None and review.value > above


def _require_what_the_step_records(
    review: GatewayReview, step: ReviewStep, *, role: str, outcome: str, **given
) -> None:
    if outcome in {Outcome.RETURNED, Outcome.REJECTED, Outcome.COMMENTED, Outcome.REFERRED}:
        if not given["reasons"].strip():
            raise GatewayError(
                "Give your reasons." if outcome != Outcome.COMMENTED else "Enter your comments.",
                field="reasons",
            )
    if outcome == Outcome.REFERRED and not step.refer_to_tier:
        raise GatewayError("This step cannot refer the report to another tier.")
    meeting = (step.records_meeting and outcome == Outcome.RECOMMENDED) or (
        role in COLLECTIVE and outcome in {Outcome.APPROVED, Outcome.RECOMMENDED}
    )
    if meeting and (given["meeting_date"] is None or not given["minute_reference"].strip()):
        body = "board" if step.kind == Kind.RECOMMENDATION else role
        raise GatewayError(
            f"Enter the {body} meeting's date and the minute reference.",
            field="meeting_date" if given["meeting_date"] is None else "minute_reference",
        )
    key_decision = step.records_key_decision or is_key_decision(review)
    if key_decision and outcome == Outcome.APPROVED and step.kind == Kind.DECISION:
        if not given["key_decision_reference"].strip():
            raise GatewayError(
                "Enter the key-decision reference."
                if step.records_key_decision
                else "Enter the key-decision reference: the policy makes a procurement over "
                f"£{review.policy.key_decision_above:,.2f} a key decision.",
                field="key_decision_reference",
            )
    if step.consult_role and outcome == Outcome.APPROVED:
        if (
            not given["consulted"].strip()
            or given["consulted_on"] is None
            or not given["consultation_notes"].strip()
        ):
            missing = next(
                name
                for name in ("consulted", "consulted_on", "consultation_notes")
                if not given[name] or not str(given[name]).strip()
            )
            raise GatewayError(
                f"Record the consultation with the {step.consult_role.lower()}: who, on what "
                "date, and what they said.",
                field=missing,
            )
        if given["consulted_on"] > timezone.localdate():
            raise GatewayError(
                "The consultation's date cannot be in the future.", field="consulted_on"
            )


def _key_decision_of_record(review: GatewayReview, reference: str, *, by: User) -> None:
    """The key-decision reference recorded at the decision is the reference of record: it goes
    onto the project, and so onto the forward plan, the dashboard and the contract the award
    creates."""
    project = review.project
    if project is None or project.key_decision_reference == reference:
        return
    project = _locked_project(project)
    project.key_decision_reference = reference
    save_with_history(
        project, by=by, reason=f"Key decision {reference} recorded at {review.get_stage_display()}"
    )
    review.project = project


def _move_on(
    review: GatewayReview, *, step: ReviewStep, outcome: str, by: User, decision: StepDecision
) -> None:
    if outcome == Outcome.RETURNED:
        review.return_for_changes()
        review.decided_at = timezone.now()
        _save(review, by=by, reason="Returned for changes")
    elif outcome == Outcome.REJECTED:
        review.reject()
        review.decided_at = timezone.now()
        _save(review, by=by, reason="Rejected")
    elif outcome == Outcome.REFERRED:
        _refer(review, step=step, by=by)
    elif step.kind == Kind.DECISION and outcome == Outcome.APPROVED:
        review.approve()
        review.decided_at = timezone.now()
        _save(review, by=by, reason="Approved")
        _act_on_the_register(review, by=by, decision=decision)


def _act_on_the_register(review: GatewayReview, *, by: User, decision: StepDecision) -> None:
    """An approved Gateway 2 puts the awarded contract on the register; an approved Gateway 3
    extension uses one of the contract's extension options."""
    if review.stage == GatewayStage.G2 and review.project_id:
        project = review.project
        try:
            contract = contract_create(
                fields={
                    "reference": project.reference,
                    "title": project.title,
                    "description": project.description,
                    "directorate": project.directorate,
                    "category": project.category,
                    "supplier": review.recommended_supplier,
                    "contract_manager": project.lead_officer,
                    "lead_director": review.contract_lead_director,
                    "whole_life_value": review.award_value,
                    "start_date": review.contract_start,
                    "end_date": review.contract_end,
                    "procurement_route": review.procurement_route or Contract.Route.TENDER,
                    "key_decision_reference": decision.key_decision_reference
                    or project.key_decision_reference,
                    "planned_savings": project.expected_savings,
                },
                by=by,
                reason=f"Awarded: Gateway 2 approved by {by} (report {review.pk})",
                gateway_approval=review,
            )
        except (ContractError, ValidationError) as error:
            raise GatewayError(
                f"The contract cannot be put on the register: {_message(error)}"
            ) from None
        kpis_adopt(
            contract=contract,
            kpis=review.proposed_kpis.all(),
            by=by,
            reason=f"Proposed in the Gateway 2 report (report {review.pk})",
        )
        winning_bid = project.bids.filter(supplier=review.recommended_supplier_id).first()
        if winning_bid is not None:
            commitments_adopt(
                contract=contract,
                offers=winning_bid.commitments.all(),
                by=by,
                reason=f"Offered in the winning bid (Gateway 2 report {review.pk})",
            )
    if review.stage == GatewayStage.G3 and review.is_extension and review.contract_id:
        try:
            contract_extend(
                contract=review.contract,
                reason=review.summary,
                approved_by=f"Gateway 3 approval by {by} (report {review.pk})",
                by=by,
                gateway_approval=review,
            )
        except ContractError as error:
            raise GatewayError(f"The extension cannot be made: {error}.") from None


def _refer(review: GatewayReview, *, step: ReviewStep, by: User) -> None:
    """Switch the rest of the route to the referral tier's steps (Tier A to the Officer Board).

    The referral tier's own first check is left out: the step that referred it was that check.
    The referral tier is read from the review's policy, which never changes once in force.
    """
    tier = review.policy.tiers.get(code=step.refer_to_tier)
    for later in review.steps.filter(is_active=True, order__gt=step.order):
        later.is_active = False
        save_with_history(later, by=by, reason="Replaced by the referral")
    last = review.steps.order_by("-order").values_list("order", flat=True).first()
    steps = [
        s for s in tier.steps.prefetch_related("roles", "scoped_roles") if s.kind != Kind.CHECK
    ]
    _copy_steps(review, steps, first_order=last + 1)
    review.tier_code = tier.code
    _save(review, by=by, reason=f"Referred to Tier {tier.code}")


@transaction.atomic
def review_update_report(
    *, review: GatewayReview, fields: Mapping[str, Any], by: User
) -> GatewayReview:
    """The author completes or corrects the report while it is a draft or returned."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can change it.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError("The report can be changed only while it is a draft or returned.")
    unknown = set(fields) - REPORT_FIELDS
    if unknown:
        raise GatewayError(
            f"These are not parts of a gateway report: {', '.join(sorted(unknown))}."
        )
    for name, value in fields.items():
        setattr(review, name, value)
    return _save(review, by=by, reason="Report updated")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@transaction.atomic
def review_withdraw(*, review: GatewayReview, by: User, reason: str) -> GatewayReview:
    """The author withdraws the report; it stays on record."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can withdraw it.")
    if not reason.strip():
        raise GatewayError("Say why the report is withdrawn.")
    if review.state not in {State.DRAFT, State.IN_REVIEW, State.RETURNED}:
        raise GatewayError(
            f"This report cannot be withdrawn: it is {review.get_state_display().lower()}."
        )
    review.withdraw()
    review.decided_at = timezone.now()
    return _save(review, by=by, reason=f"Withdrawn: {reason}")


# --- Delegation -------------------------------------------------------------------------------


def delegations_active(
    *, delegate: User | None = None, delegator: User | None = None, on: date
) -> list[Delegation]:
    """The delegations in force on ``on`` that ``delegate`` may act under, or that
    ``delegator`` has given, with both people and the delegator's portfolio."""
    found = Delegation.objects.filter(ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on)
    if delegate is not None:
        found = found.filter(delegate=delegate)
    if delegator is not None:
        found = found.filter(delegator=delegator)
    return list(
        found.select_related("delegator", "delegate").prefetch_related("delegator__portfolio")
    )


@transaction.atomic
def delegation_create(
    *,
    delegator: User,
    delegate: User,
    roles: Sequence[str],
    starts_on: date,
    ends_on: date,
    by: User,
    reason: str,
) -> Delegation:
    """Give ``delegate`` the named gateway ``roles`` of ``delegator`` for a period: the delegate
    must hold each role themselves, and acts in it for the delegator, in the delegator's scope."""
    if by.pk != delegator.pk and not by.has_perm("procurement.access_admin"):
        raise GatewayError("Only the person delegating (or an administrator) can delegate.")
    if delegate.pk == delegator.pk:
        raise GatewayError("Choose someone else to delegate to.")
    roles = sorted(set(roles))
    if not roles:
        raise GatewayError("Choose the role or roles you are delegating.")
    given = {role.label for role in delegator.roles}
    not_held = [role for role in roles if role not in given]
    if not_held:
        raise GatewayError(f"{delegator} does not hold the role {', '.join(not_held).lower()}.")
    delegate_holds = {role.label for role in delegate.roles} if delegate.is_active else set()
    missing = [role for role in roles if role not in delegate_holds]
    if missing:
        raise GatewayError(
            f"{delegate} cannot act as {', '.join(missing).lower()}: a delegate must hold each "
            "role delegated to them."
        )
    if ends_on < starts_on:
        raise GatewayError("The delegation must end on or after the day it starts.")
    if ends_on < timezone.localdate():
        raise GatewayError("The delegation would already have ended.")
    if not reason.strip():
        raise GatewayError("Say why, for example annual leave.")
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        roles=roles,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
    )
    return save_with_history(
        delegation, by=by, reason=f"Delegated {', '.join(roles).lower()}: {reason}"
    )


@transaction.atomic
def delegation_end(*, delegation: Delegation, by: User) -> Delegation:
    """End a delegation early; decisions already taken under it stand."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if by.pk != delegation.delegator_id and not by.has_perm("procurement.access_admin"):
        raise GatewayError("Only the person who delegated (or an administrator) can end it.")
    if delegation.ended_at is not None:
        raise GatewayError("This delegation has already ended.")
    delegation.ended_at = timezone.now()
    return save_with_history(delegation, by=by, reason="Delegation ended early")


@transaction.atomic
def review_attach(*, review: GatewayReview, upload, by: User) -> ReportAttachment:
    """The author attaches a document to the report while it is a draft or returned."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can attach documents to it.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError(
            "Documents can be attached only while the report is a draft or returned."
        )
    problem = attachment_problem(upload)
    if problem:
        raise GatewayError(problem)
    return attachment_store(
        attachment=ReportAttachment(review=review),
        upload=upload,
        by=by,
        reason="Document attached to the report",
    )


# --- Evaluation: the weighting at Gateway 1 -----------------------------------------------------

Group = EvaluationCriterion.Group


def _refresh_template(review: GatewayReview) -> None:
    """Measure the weighting against the project's category template as it is now."""
    category = review.project.category
    review.template_category = category
    review.template_quality_weight = category.quality_weight if category else None
    review.template_price_weight = category.price_weight if category else None
    review.template_social_value_weight = category.social_value_weight if category else None


WEIGHTING_FIELDS = (
    "quality_weight",
    "price_weight",
    "social_value_weight",
    "weighting_justification",
    "social_value_justification",
    "score_scale_max",
    "quality_threshold",
)


def _weighting_start(review: GatewayReview, *, by: User) -> None:
    """A new strategy starts from the weighting in force (a change needs Gateway 1 again), or
    else from the category's template, with one sub-criterion for each part."""
    _refresh_template(review)
    previous = weighting_in_force(project=review.project)
    if previous is not None:
        for name in WEIGHTING_FIELDS:
            setattr(review, name, getattr(previous, name))
        criteria = [(c.group, c.name, c.weight) for c in previous.criteria.all()]
        measures = [chosen.measure for chosen in previous.chosen_measures.all()]
    elif review.template_category is not None:
        review.quality_weight, review.price_weight, review.social_value_weight = (
            Decimal(w) for w in review.template_weights
        )
        criteria = [
            (group, group.label, weight)
            for group, weight in (
                (Group.QUALITY, review.quality_weight),
                (Group.SOCIAL_VALUE, review.social_value_weight),
            )
            if weight
        ]
    else:
        criteria = []
    save_with_history(review, by=by, reason="Weighting started from the category template")
    _write_criteria(review, criteria, by=by)
    if previous is not None:
        _write_chosen_measures(review, measures, by=by)


def _write_criteria(
    review: GatewayReview, criteria: Sequence[tuple[str, str, Decimal]], *, by: User
) -> None:
    existing = list(review.criteria.order_by("order"))
    for order, (group, name, weight) in enumerate(criteria, start=1):
        criterion = existing[order - 1] if order <= len(existing) else None
        if criterion is None:
            criterion = EvaluationCriterion(review=review, order=order)
        elif (criterion.group, criterion.name, criterion.weight) == (group, name, weight):
            continue
        criterion.group, criterion.name, criterion.weight = group, name, weight
        save_with_history(criterion, by=by, reason="Weighting changed")
    for criterion in existing[len(criteria) :]:
        criterion._history_user = by
        criterion._change_reason = "Sub-criterion removed from the weighting"
        criterion.delete()


def _scoring_begun(project: ProcurementProject) -> bool:
    return EvaluatorScore.objects.filter(bid__project=project).exists()


@transaction.atomic
def review_set_weighting(
    *,
    review: GatewayReview,
    quality: Decimal,
    price: Decimal,
    social_value: Decimal,
    criteria: Sequence[tuple[str, str, Decimal]],
    by: User,
    weighting_justification: str = "",
    social_value_justification: str = "",
    score_scale_max: int = 5,
    quality_threshold: Decimal | None = None,
) -> GatewayReview:
    """The author sets the Gateway 1 weighting: the split, its sub-criteria (group, name,
    weight, in order), the scoring scale and the optional quality threshold."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can change its weighting.")
    if review.stage != GatewayStage.G1 or review.project_id is None:
        raise GatewayError("The evaluation weighting is part of a Gateway 1 strategy.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError(
            "The weighting can be changed only while the report is a draft or returned."
        )
    if _scoring_begun(review.project):
        raise GatewayError(
            "Bids have already been scored against the approved weighting, so it cannot change."
        )
    for group, name, weight in criteria:
        if group not in Group.values or not name.strip():
            raise GatewayError("Give each sub-criterion a name, under quality or social value.")
        if weight is None or weight <= 0:
            raise GatewayError(f"Give the sub-criterion '{name}' a weight above 0.")
    if not 1 <= score_scale_max <= 10:
        raise GatewayError("The scoring scale must run from 0 to between 1 and 10.")
    if quality_threshold is not None and not 0 <= quality_threshold <= 100:
        raise GatewayError("The quality threshold is a percentage between 0 and 100.")
    review.quality_weight, review.price_weight, review.social_value_weight = (
        quality,
        price,
        social_value,
    )
    review.weighting_justification = weighting_justification
    review.social_value_justification = social_value_justification
    review.score_scale_max = score_scale_max
    review.quality_threshold = quality_threshold
    _refresh_template(review)
    unsaved = [EvaluationCriterion(group=g, name=n, weight=w) for g, n, w in criteria]
    problems = review.weighting_problems(unsaved)
    if problems:
        raise WeightingError(problems)
    _save(review, by=by, reason="Weighting changed")
    _write_criteria(review, criteria, by=by)
    return review


def _check_weighting(review: GatewayReview) -> None:
    _refresh_template(review)
    problems = review.weighting_problems(list(review.criteria.all()))
    if problems:
        raise GatewayError(f"Complete the evaluation weighting: {'; '.join(problems)}.")
    if _scoring_begun(review.project):
        raise GatewayError(
            "Bids have already been scored against the approved weighting, so it cannot change."
        )


def _check_recommendation(review: GatewayReview) -> None:
    """A scored evaluation must be complete, and a recommendation other than the top-ranked bid
    must say why; a bid below the quality threshold cannot be recommended at all."""
    evaluation = evaluation_for(project=review.project)
    if evaluation.weighting_review is None:
        return  # no approved weighting: the report's own account of the tender stands
    if not evaluation.rows:
        raise GatewayError("Record the bids received and their scores before submitting.")
    if not evaluation.is_complete:
        waiting = ", ".join(str(r.bid.supplier) for r in evaluation.rows if not r.is_moderated)
        raise GatewayError(f"Moderate the scores of every bid before submitting: {waiting}.")
    row = evaluation.row_for(review.recommended_supplier_id)
    if row is None:
        raise GatewayError(f"{review.recommended_supplier} did not bid: recommend a bidder.")
    if row.result.excluded:
        raise GatewayError(
            f"{row.bid.supplier} cannot be recommended: {row.result.excluded[0].lower()}"
            f"{row.result.excluded[1:]}."
        )
    if row.result.rank != 1 and not review.recommendation_justification.strip():
        raise GatewayError(
            f"{row.bid.supplier} is ranked {row.result.rank}, not first: say why it is "
            "recommended over the top-ranked bid."
        )


# --- Evaluation: the panel, the bids and their scores ------------------------------------------


def _check_kpis(review: GatewayReview) -> None:
    problem = review.kpis_missing(review.proposed_kpis.count())
    if problem:
        raise GatewayError(f"{problem}.")


# --- KPIs proposed for the contract at Gateway 2 ----------------------------------------------


def _editable_report(review: GatewayReview, by: User) -> GatewayReview:
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can change it.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError("The report can be changed only while it is a draft or returned.")
    if review.stage != GatewayStage.G2:
        raise GatewayError("KPIs are proposed in a Gateway 2 report.")
    return review


@transaction.atomic
def proposed_kpi_add(*, review: GatewayReview, fields: Mapping[str, Any], by: User) -> ProposedKpi:
    review = _editable_report(review, by)
    kpi = ProposedKpi(review=review, **fields)
    kpi.full_clean()
    return save_with_history(kpi, by=by, reason="KPI proposed for the contract")


@transaction.atomic
def proposed_kpi_remove(*, kpi: ProposedKpi, by: User) -> None:
    _editable_report(kpi.review, by)
    kpi._history_user = by
    kpi._change_reason = "KPI no longer proposed"
    kpi.delete()


# --- Social value: the measures chosen at Gateway 1 and the bids' offers ----------------------


def _write_chosen_measures(review: GatewayReview, measures: Sequence[Measure], *, by: User) -> None:
    existing = {chosen.measure_id: chosen for chosen in review.chosen_measures.all()}
    wanted = [measure.pk for measure in measures]
    for chosen in existing.values():
        if chosen.measure_id not in wanted:
            chosen._history_user = by
            chosen._change_reason = "Measure no longer chosen"
            chosen.delete()
    for order, measure_id in enumerate(wanted, start=1):
        chosen = existing.get(measure_id) or ChosenMeasure(review=review, measure_id=measure_id)
        if chosen.pk and chosen.order == order:
            continue
        chosen.order = order
        save_with_history(chosen, by=by, reason="Measure chosen for bidders to commit to")


@transaction.atomic
def measures_choose(*, review: GatewayReview, measures: Sequence[Measure], by: User) -> None:
    """The author of a Gateway 1 strategy chooses the short list of social value measures that
    bidders will be asked to commit to."""
    review = _locked(review)
    if by.pk != review.author_id:
        raise GatewayError("Only the report's author can choose its social value measures.")
    if review.stage != GatewayStage.G1 or review.project_id is None:
        raise GatewayError("Social value measures are chosen in a Gateway 1 strategy.")
    if review.state not in {State.DRAFT, State.RETURNED}:
        raise GatewayError(
            "The measures can be changed only while the report is a draft or returned."
        )
    if len(measures) > MEASURES_AT_GATEWAY_1:
        raise GatewayError(
            f"Choose at most {MEASURES_AT_GATEWAY_1} measures: a short list bidders can "
            "answer well."
        )
    if len({m.library_id for m in measures}) > 1:
        raise GatewayError("Choose the measures from one library, so they are valued alike.")
    if BidCommitment.objects.filter(bid__project=review.project).exists():
        raise GatewayError(
            "Bids have already offered commitments against the approved measures, so they "
            "cannot change."
        )
    _write_chosen_measures(review, measures, by=by)


@transaction.atomic
def bid_offers_set(
    *,
    bid: Bid,
    offers: Mapping[int, tuple[Decimal, date] | None],
    by: User,
) -> list[BidCommitment]:
    """Record what a bid offers against each measure chosen at Gateway 1 (quantity and date, or
    ``None`` where it offers nothing); the winning bid's offers become the contract's plan."""
    require(by, "gateways.record_bids", bid.project)
    _locked_project(bid.project)
    weighting = _evaluation_open(bid.project)
    if bid.moderated_scores.exists():
        raise GatewayError(
            "This bid's scores have been moderated, so its offer can no longer change."
        )
    chosen = {c.measure_id: c.measure for c in weighting.chosen_measures.select_related("measure")}
    unknown = set(offers) - set(chosen)
    if unknown:
        raise GatewayError("Offers can be made only against the measures chosen at Gateway 1.")
    existing = {offer.measure_id: offer for offer in bid.commitments.all()}
    saved = []
    for measure_id, measure in chosen.items():
        terms = offers.get(measure_id)
        offer = existing.get(measure_id)
        if terms is None:
            if offer is not None:
                offer._history_user = by
                offer._change_reason = "Offer withdrawn"
                offer.delete()
            continue
        quantity, target_date = terms
        if quantity is None or quantity <= 0 or target_date is None:
            raise GatewayError(
                f"Give both a quantity above 0 and a date for {measure.code}, or leave both blank."
            )
        offer = offer or BidCommitment(bid=bid, measure=measure)
        if offer.pk and (offer.quantity, offer.target_date) == (quantity, target_date):
            saved.append(offer)
            continue
        offer.quantity, offer.target_date = quantity, target_date
        offer.full_clean()
        saved.append(save_with_history(offer, by=by, reason="Social value offered in the bid"))
    return saved


def _evaluation_open(project: ProcurementProject) -> GatewayReview:
    """The weighting in force, so long as the bids may still change: not once a Gateway 2
    report is with the approvers or the contract is awarded."""
    weighting = weighting_in_force(project=project)
    if weighting is None:
        raise GatewayError(
            "The bids are scored against the weighting approved at Gateway 1, which this "
            "procurement does not have yet."
        )
    if project.reviews.filter(
        stage=GatewayStage.G2, state__in=[State.IN_REVIEW, State.APPROVED]
    ).exists():
        raise GatewayError(
            "The evaluation is with the Gateway 2 approvers or awarded, so it cannot change."
        )
    return weighting


@transaction.atomic
def evaluator_add(*, project: ProcurementProject, user: User, by: User) -> Evaluator:
    """Name someone to the evaluation panel; they declare any conflict before seeing the bids."""
    require(by, "gateways.manage_panel", project)
    project = _locked_project(project)
    if not user.is_active:
        raise GatewayError(f"{user} can no longer sign in, so cannot evaluate.")
    if project.evaluators.filter(user=user).exists():
        raise GatewayError(f"{user} is already named on this panel.")
    if project.reviews.filter(stage=GatewayStage.G2, state=State.APPROVED).exists():
        raise GatewayError("The contract has been awarded: the panel is closed.")
    return save_with_history(
        Evaluator(project=project, user=user, added_by=by),
        by=by,
        reason="Named to the evaluation panel",
    )


@transaction.atomic
def evaluator_declare(
    *, project: ProcurementProject, by: User, conflict: bool, details: str = ""
) -> Evaluator:
    """A panel member declares no conflict of interest (and may then see the bids), or declares
    one, which removes them from the panel for good."""
    Declaration = Evaluator.Declaration
    evaluator = Evaluator.objects.select_for_update().filter(project=project, user=by).first()
    if evaluator is None:
        raise GatewayError("You are not on this procurement's evaluation panel.")
    if evaluator.declaration == Declaration.CONFLICT:
        raise GatewayError("You have declared a conflict of interest and left the panel.")
    if not conflict and evaluator.declaration == Declaration.NO_CONFLICT:
        raise GatewayError("You have already declared that you have no conflict of interest.")
    if conflict and not details.strip():
        raise GatewayError("Describe the conflict of interest.")
    evaluator.declaration = Declaration.CONFLICT if conflict else Declaration.NO_CONFLICT
    evaluator.conflict_details = details.strip() if conflict else ""
    evaluator.declared_at = timezone.now()
    reason = "Declared a conflict of interest: removed" if conflict else "Declared no conflict"
    return save_with_history(evaluator, by=by, reason=reason)


@transaction.atomic
def bid_create(*, project: ProcurementProject, supplier, price: Decimal, by: User) -> Bid:
    """Record a tender received: the supplier and its whole-life price."""
    require(by, "gateways.record_bids", project)
    project = _locked_project(project)
    _evaluation_open(project)
    if price is None or price <= 0:
        raise GatewayError("Enter the bid's price, more than £0.")
    if project.bids.filter(supplier=supplier).exists():
        raise GatewayError(f"A bid from {supplier} is already recorded.")
    try:
        with transaction.atomic():
            return save_with_history(
                Bid(project=project, supplier=supplier, price=price, recorded_by=by),
                by=by,
                reason="Bid recorded",
            )
    except IntegrityError:
        raise GatewayError(f"A bid from {supplier} is already recorded.") from None


def _checked_scores(
    weighting: GatewayReview, scores: Mapping[int, tuple[int, str]]
) -> list[tuple[EvaluationCriterion, int, str]]:
    """Every criterion of the weighting, each with a whole score on its scale."""
    criteria = list(weighting.criteria.all())
    if set(scores) != {c.pk for c in criteria}:
        raise GatewayError("Score the bid against every criterion of the weighting.")
    checked = []
    for criterion in criteria:
        score, text = scores[criterion.pk]
        if not isinstance(score, int) or not 0 <= score <= weighting.score_scale_max:
            raise GatewayError(
                f"Score '{criterion.name}' as a whole number from 0 to {weighting.score_scale_max}."
            )
        checked.append((criterion, score, (text or "").strip()))
    return checked


@transaction.atomic
def bid_score(*, bid: Bid, by: User, scores: Mapping[int, tuple[int, str]]) -> list[EvaluatorScore]:
    """An evaluator's own scores of a bid, with a comment each, before moderation."""
    require(by, "gateways.score_bids", bid.project)
    _locked_project(bid.project)
    weighting = _evaluation_open(bid.project)
    if bid.moderated_scores.exists():
        raise GatewayError("This bid's scores have been moderated, so yours can no longer change.")
    saved = []
    for criterion, score, comment in _checked_scores(weighting, scores):
        record = EvaluatorScore.objects.filter(bid=bid, criterion=criterion, evaluator=by).first()
        if record is None:
            record = EvaluatorScore(bid=bid, criterion=criterion, evaluator=by)
        elif (record.score, record.comment) == (score, comment):
            saved.append(record)
            continue
        record.score, record.comment = score, comment
        saved.append(save_with_history(record, by=by, reason="Scored by the evaluator"))
    return saved


@transaction.atomic
def bid_moderate(
    *, bid: Bid, by: User, scores: Mapping[int, tuple[int, str]]
) -> list[ModeratedScore]:
    """The panel's agreed scores of a bid, once every evaluator has scored it; where the agreed
    score differs from an evaluator's, a note says why."""
    require(by, "gateways.moderate_bids", bid.project)
    _locked_project(bid.project)
    weighting = _evaluation_open(bid.project)
    checked = _checked_scores(weighting, scores)
    evaluation = evaluation_for(project=bid.project)
    waiting = evaluation.unscored_by(bid)
    if waiting:
        raise GatewayError(f"Waiting for scores from {', '.join(waiting)}.")
    row = next(r for r in evaluation.rows if r.bid.pk == bid.pk)
    individual = {c.criterion.pk: c.individual for c in row.criteria}
    saved = []
    for criterion, score, note in checked:
        given = individual[criterion.pk]
        if not given:
            raise GatewayError("No evaluator has scored this bid yet.")
        changed = [s for s in given if s.score != score]
        if changed and not note:
            who = ", ".join(f"{s.evaluator} gave {s.score}" for s in changed)
            raise GatewayError(
                f"Give a note for '{criterion.name}': moderation changed the score ({who})."
            )
        record = ModeratedScore.objects.filter(bid=bid, criterion=criterion).first()
        if record is None:
            record = ModeratedScore(bid=bid, criterion=criterion, moderated_by=by)
        elif (record.score, record.note) == (score, note):
            saved.append(record)
            continue
        record.score, record.note, record.moderated_by = score, note, by
        saved.append(save_with_history(record, by=by, reason="Moderated"))
    return saved
