"""Every write to a gateway review. The rules are here, so no page, API call or task can skip them:

- a review is routed by the policy in force on the day it is first submitted, and keeps that route;
- only a holder of the step's role acts at a step, and never the report's author;
- nobody acts at two steps of the same round (who checked it cannot also recommend or approve it);
- a decided step is not decided again, and two people acting at once cannot both succeed;
- returning or rejecting needs reasons; a board recommendation its meeting date and minute; a
  decision its key-decision reference, or the lead member consultation, where the policy asks.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
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
from procurement.history import save_with_history
from procurement.models import GatewayStage, PolicyStep, User
from procurement.services import require

from . import notifications
from .models import (
    Delegation,
    GatewayReview,
    ProcurementProject,
    ReportAttachment,
    ReviewStep,
    StepDecision,
)
from .routing import policy_on, route_for

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
    "extension_allowed_evidence",
    "savings_negotiated",
    "savings_evidence",
    "added_social_value",
    "performance_evidence",
    "exception_justification",
}


class GatewayError(Exception):
    """A gateway action the rules refuse, with a message for the person who tried it."""


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
    project = ProcurementProject.objects.select_for_update().get(pk=project.pk)
    for name, value in fields.items():
        setattr(project, name, value)
    require(by, "gateways.change_project", project)
    project.full_clean()
    return save_with_history(project, by=by, reason=reason)


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
    review = GatewayReview(
        author=author,
        stage=stage,
        summary=summary,
        project=project,
        contract=contract,
        is_extension=is_extension,
        **(report or {}),
    )
    return save_with_history(review, by=author, reason="Report started")


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
    if review.is_extension and review.contract and review.contract.extensions_remaining <= 0:
        raise GatewayError("This contract has no extension options left to extend it by.")
    missing = review.report_missing()
    if missing:
        raise GatewayError(f"Complete the report before submitting it: {'; '.join(missing)}.")
    if review.stage == GatewayStage.G3 and review.is_extension:
        missing = review.extension_tests_missing()
        if missing and not review.exception_justification.strip():
            raise GatewayError(
                "Show the evidence for every extension test, or record an exception with its "
                f"justification for the approver. Missing: {'; '.join(missing).lower()}."
            )
    if review.round == 0:
        _route(review, today=today or timezone.localdate())
    review.round += 1
    review.submitted_at = timezone.now()
    review.decided_at = None
    review.submit()
    reason = "Submitted" if review.round == 1 else f"Resubmitted (round {review.round})"
    review = _save(review, by=by, reason=reason)
    notifications.notify_step(review, current_step(review))
    return review


def _route(review: GatewayReview, *, today: date) -> None:
    project, contract = review.project, review.contract
    value = project.estimated_value if project else contract.whole_life_value
    route = route_for(
        policy=policy_on(today),
        stage=review.stage,
        value=value,
        core_service=bool(project and project.is_core_service),
        high_value_or_complex=bool(project and project.is_high_value_or_complex),
        # A Gateway 3 on a contract is an extension or a key contract's performance review.
        extension=review.stage == GatewayStage.G3 and review.contract_id is not None,
    )
    if not route.required:
        raise GatewayError(" ".join(route.reasons))
    review.policy = route.policy
    review.tier_code = route.tier.code
    review.value = value
    _copy_steps(review, route.steps, first_order=1)


def _copy_steps(review: GatewayReview, steps, *, first_order: int) -> None:
    review.save()  # the review needs its primary key and policy before its steps
    for order, step in enumerate(steps, start=first_order):
        ReviewStep.objects.create(
            review=review,
            order=order,
            name=step.name,
            kind=step.kind,
            roles=sorted(role.name for role in step.roles.all()),
            consult_role=step.consult_role.name if step.consult_role else "",
            refer_to_tier=step.may_refer_to.code if step.may_refer_to else "",
            records_meeting=step.records_meeting,
            records_key_decision=step.records_key_decision,
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
    return f"You cannot act at this step: it is for {' or '.join(step.roles)}."


def _acting_role(user: User, step: ReviewStep) -> str | None:
    held = {role.label for role in user.roles}
    return next((role for role in step.roles if role in held), None)


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
    consultation_notes: str = "",
    on_behalf_of: User | None = None,
) -> StepDecision:
    """Record one person's decision at the review's current step, and move the review on.

    ``on_behalf_of``: the colleague whose approvals ``by`` holds by delegation today; the rules
    then apply to both of them.
    """
    review = _locked(review)
    if review.state != State.IN_REVIEW:
        state = review.get_state_display().lower()
        raise GatewayError(f"This report is not waiting for a decision: it is {state}.")
    step = current_step(review)
    if step is None:
        raise GatewayError("This report has no step waiting for a decision.")
    if on_behalf_of is not None and on_behalf_of.pk not in {
        d.delegator_id for d in delegations_active(delegate=by, on=timezone.localdate())
    }:
        raise GatewayError(f"You do not hold {on_behalf_of}'s approvals today.")
    role = _acting_role(on_behalf_of or by, step)
    if role is None:
        raise GatewayError(_why_not_yours(review, step, by))
    people = {by.pk} | ({on_behalf_of.pk} if on_behalf_of else set())
    if review.author_id in people:
        raise GatewayError("You wrote this report, so you cannot decide on it.")
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
    _require_what_the_step_records(
        step,
        outcome=outcome,
        reasons=reasons,
        meeting_date=meeting_date,
        minute_reference=minute_reference,
        key_decision_reference=key_decision_reference,
        consulted=consulted,
        consultation_notes=consultation_notes,
    )
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
            key_decision_reference=key_decision_reference,
            consulted=consulted,
            consultation_notes=consultation_notes,
        ),
        by=by,
        reason=f"{StepDecision.Outcome(outcome).label} at {step.name}",
    )
    _move_on(review, step=step, outcome=outcome, by=by)
    if review.state == State.IN_REVIEW:
        following = current_step(review)
        if following is not None and following.pk != step.pk:
            notifications.notify_step(review, following)
    else:
        notifications.notify_author(review, decision)
    return decision


def _require_what_the_step_records(step: ReviewStep, *, outcome: str, **given) -> None:
    if outcome in {Outcome.RETURNED, Outcome.REJECTED, Outcome.COMMENTED, Outcome.REFERRED}:
        if not given["reasons"].strip():
            raise GatewayError(
                "Give your reasons." if outcome != Outcome.COMMENTED else "Enter your comments."
            )
    if outcome == Outcome.REFERRED and not step.refer_to_tier:
        raise GatewayError("This step cannot refer the report to another tier.")
    if step.records_meeting and outcome == Outcome.RECOMMENDED:
        if given["meeting_date"] is None or not given["minute_reference"].strip():
            raise GatewayError("Enter the board meeting's date and the minute reference.")
    if step.records_key_decision and outcome == Outcome.APPROVED:
        if not given["key_decision_reference"].strip():
            raise GatewayError("Enter the key-decision reference.")
    if step.consult_role and outcome == Outcome.APPROVED:
        if not given["consulted"].strip() or not given["consultation_notes"].strip():
            raise GatewayError(
                f"Record the consultation with the {step.consult_role.lower()}: who, when and "
                "what they said."
            )


def _move_on(review: GatewayReview, *, step: ReviewStep, outcome: str, by: User) -> None:
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
        _act_on_the_register(review, by=by)


def _act_on_the_register(review: GatewayReview, *, by: User) -> None:
    """An approved Gateway 2 puts the awarded contract on the register; an approved Gateway 3
    extension uses one of the contract's extension options."""
    if review.stage == GatewayStage.G2 and review.project_id:
        project = review.project
        try:
            contract_create(
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
                    "procurement_route": project.planned_route or Contract.Route.TENDER,
                    "key_decision_reference": project.key_decision_reference,
                },
                by=by,
                reason=f"Awarded: Gateway 2 approved by {by} (report {review.pk})",
                gateway_approval=str(review.pk),
            )
        except (ContractError, ValidationError) as error:
            raise GatewayError(
                f"The contract cannot be put on the register: {_message(error)}"
            ) from None
    if review.stage == GatewayStage.G3 and review.is_extension and review.contract_id:
        try:
            contract_extend(
                contract=review.contract,
                reason=review.summary,
                approved_by=f"Gateway 3 approval by {by} (report {review.pk})",
                by=by,
                gateway_approval=str(review.pk),
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
    steps = [s for s in tier.steps.prefetch_related("roles") if s.kind != Kind.CHECK]
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


def delegations_active(*, delegate: User, on: date) -> list[Delegation]:
    """The delegations ``delegate`` may act under on ``on``."""
    return list(
        Delegation.objects.filter(
            delegate=delegate, ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        ).select_related("delegator")
    )


@transaction.atomic
def delegation_create(
    *, delegator: User, delegate: User, starts_on: date, ends_on: date, by: User, reason: str
) -> Delegation:
    """Give ``delegator``'s gateway approvals to ``delegate`` for a period."""
    if by.pk != delegator.pk and not by.has_perm("procurement.access_admin"):
        raise GatewayError("Only the person delegating (or an administrator) can delegate.")
    if delegate.pk == delegator.pk:
        raise GatewayError("Choose someone else to delegate to.")
    if not delegate.is_active or not (delegator.roles & delegate.roles):
        raise GatewayError(f"{delegate} does not hold any of {delegator}'s roles.")
    if ends_on < starts_on:
        raise GatewayError("The delegation must end on or after the day it starts.")
    if ends_on < timezone.localdate():
        raise GatewayError("The delegation would already have ended.")
    if not reason.strip():
        raise GatewayError("Say why, for example annual leave.")
    delegation = Delegation(
        delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    return save_with_history(delegation, by=by, reason=f"Delegated: {reason}")


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
