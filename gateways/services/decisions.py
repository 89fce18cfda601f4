"""Decisions at a report's steps: who acts, what a decision must record, and what follows it
(the next step, the outcome, the register). The rules a decision passes:

- only a holder of the step's role acts at a step, in scope, or their delegate; never the
  report's author, and nobody at two steps of one round (``gateways.authority.may_act_at``);
- a decided step is not decided again, and two people acting at once cannot both succeed;
- returning or rejecting needs reasons; a board recommendation its meeting date and minute; a
  decision its key-decision reference, or the lead member consultation, where the policy asks;
- approving an exception (social value below the minimum, a route without competition) needs
  the approver's explicit acceptance (``gateways.rules``).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from contracts.models import Contract
from contracts.services import ContractError, contract_create, contract_extend
from gateways import notifications
from gateways.authority import (
    AUTHOR_NEVER_DECIDES,
    Authority,
    authorities,
    authorities_open,
    delegations_active,
    duty_conflict,
    refusal,
)
from gateways.models import GatewayReview, ReviewStep, StepDecision
from gateways.progress import OUTCOMES_BY_KIND, PASSING, Kind, Outcome, State, current_step
from gateways.rules import needs_direct_award_exception, needs_social_value_exception
from performance.services import kpis_adopt
from procurement.history import save_with_history
from procurement.models import GatewayStage, User
from procurement.roles import COLLECTIVE_ROLES
from procurement.thresholds import SOCIAL_VALUE_MINIMUM_PERCENT
from socialvalue.services import commitments_adopt
from training.selectors import gateway_decision_refusal

from .common import GatewayError, NotYourDecision, locked, locked_project, save_review
from .reports import kpis_check
from .routing import copy_steps, refuse_a_stale_route

COLLECTIVE = {role.label for role in COLLECTIVE_ROLES}


@dataclass(frozen=True)
class DecisionGiven:
    """What a person gives with a decision: the outcome, the reasons, what the step records, for
    whom they act, and the exceptions they accept."""

    outcome: str
    reasons: str = ""
    meeting_date: date | None = None
    minute_reference: str = ""
    key_decision_reference: str = ""
    consulted: str = ""
    consulted_on: date | None = None
    consultation_notes: str = ""
    on_behalf_of: User | None = None
    accept_social_value_exception: bool = False
    accept_direct_award_exception: bool = False


@dataclass(frozen=True)
class CheckedDecision:
    """A decision the rules allow at ``step``: in ``role``, for ``on_behalf_of`` if anyone, with
    the exceptions its approver accepts."""

    step: ReviewStep
    role: str
    on_behalf_of: User | None
    social_value_exception: bool
    direct_award_exception: bool


# --- Who acts ----------------------------------------------------------------------------------


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


def _chosen(found: list[Authority], *, on_behalf_of: User | None) -> Authority | None:
    """Of the ways ``found`` to act, the one used: for the colleague named; else in one's own
    right; else for the one colleague who delegated the step's role."""
    if on_behalf_of is not None:
        return next(
            (a for a in found if a.on_behalf_of and a.on_behalf_of.pk == on_behalf_of.pk), None
        )
    own = [a for a in found if a.on_behalf_of is None]
    if own:
        return own[0]
    delegators = {a.on_behalf_of.pk for a in found}
    if len(delegators) > 1:
        raise NotYourDecision(
            "You hold this step for more than one colleague: choose whom you act on behalf of."
        )
    return found[0] if found else None


def _authority(
    review: GatewayReview, step: ReviewStep, *, by: User, on_behalf_of: User | None
) -> Authority:
    """The role ``by`` acts in at ``step``, and for whom, among the ways open to them now
    (``gateways.authority.authorities_open``, as the pages ask): in their own right, or for
    the colleague named (or, where that is the only way they may act, the one colleague) who
    delegated them the step's role today."""
    today = timezone.localdate()
    received = delegations_active(delegate=by, on=today)
    chosen = _chosen(
        authorities_open(by, review, step, delegations=received, on=today),
        on_behalf_of=on_behalf_of,
    )
    if chosen is not None:
        return chosen
    # Refused: say why, as plainly as the case allows.
    chosen = _chosen(
        authorities(by, review, step, delegations=received, on=today), on_behalf_of=on_behalf_of
    )
    if chosen is None and on_behalf_of is not None:
        raise NotYourDecision(
            f"{on_behalf_of} has not delegated to you today a role that can act at this step "
            "for this directorate."
        )
    if chosen is None:
        raise NotYourDecision(_why_not_yours(review, step, by))
    people = {by.pk} | ({chosen.on_behalf_of.pk} if chosen.on_behalf_of else set())
    conflict = duty_conflict(review, step, people)
    if conflict == AUTHOR_NEVER_DECIDES:
        raise NotYourDecision(conflict)
    if conflict:
        raise GatewayError(conflict)
    raise GatewayError(f"The {chosen.role.lower()} has already commented at this step.")


# --- Checking a decision -----------------------------------------------------------------------


def review_decision_check(*, review: GatewayReview, by: User, **given: Any) -> CheckedDecision:
    """Every rule a decision must pass, writing nothing: the page checks a decision with it
    before asking the person to confirm, and ``review_decide`` again when they do. ``given``:
    the fields of ``DecisionGiven``."""
    return _check(review, by=by, given=DecisionGiven(**given))


def _check(review: GatewayReview, *, by: User, given: DecisionGiven) -> CheckedDecision:
    """The rules ``review_decision_check`` and ``review_decide`` both apply."""
    if not can_proceed(review.reject):
        state = review.get_state_display().lower()
        raise GatewayError(f"This report is not waiting for a decision: it is {state}.")
    step = current_step(review)
    if step is None:
        raise GatewayError("This report has no step waiting for a decision.")
    authority = _authority(review, step, by=by, on_behalf_of=given.on_behalf_of)
    _refuse_without_training(review, step, by=by)
    outcome = given.outcome
    if outcome not in OUTCOMES_BY_KIND[step.kind]:
        raise GatewayError(f"'{outcome}' is not a decision that can be made at this step.")
    if outcome in PASSING:
        refuse_a_stale_route(review)
    approving = outcome == Outcome.APPROVED and step.kind == Kind.DECISION
    if approving:
        kpis_check(review)
    _require_what_the_step_records(review, step, role=authority.role, given=given)
    social_value_exception = approving and needs_social_value_exception(review, step)
    if social_value_exception and not given.accept_social_value_exception:
        raise GatewayError(
            f"Social value is weighted below {SOCIAL_VALUE_MINIMUM_PERCENT}%: accept the recorded "
            "justification to approve, or return the report.",
            field="accept_social_value_exception",
        )
    direct_award_exception = approving and needs_direct_award_exception(review, step)
    if direct_award_exception and not given.accept_direct_award_exception:
        raise GatewayError(
            f"The route is {review.procurement_route_label.lower()}, without competition: "
            "accept the recorded exception to approve, or return the report.",
            field="accept_direct_award_exception",
        )
    return CheckedDecision(
        step,
        authority.role,
        authority.on_behalf_of,
        social_value_exception,
        direct_award_exception,
    )


def _refuse_without_training(review: GatewayReview, step: ReviewStep, *, by: User) -> None:
    """Who recommends or decides at a step over the policy's training rule's value holds a
    current course (decision record 0056); a review or a consultee's comment needs none."""
    if step.kind not in {Kind.DECISION, Kind.RECOMMENDATION}:
        return
    refusal = gateway_decision_refusal(person=by, value=review.value, on=timezone.localdate())
    if refusal:
        raise NotYourDecision(f"{refusal} Delegate them at {reverse('gateways:delegations')}.")


def is_key_decision(review: GatewayReview) -> bool:
    """The policy makes a procurement above its key-decision value a key decision, whatever
    its tier."""
    above = review.policy.key_decision_above if review.policy else None
    return above is not None and review.value is not None and review.value > above


def _require_what_the_step_records(
    review: GatewayReview, step: ReviewStep, *, role: str, given: DecisionGiven
) -> None:
    """What the decision must record at this step: reasons, a meeting, a key-decision
    reference, a consultation."""
    outcome = given.outcome
    if outcome in {Outcome.RETURNED, Outcome.REJECTED, Outcome.COMMENTED, Outcome.REFERRED}:
        if not given.reasons.strip():
            raise GatewayError(
                "Give your reasons." if outcome != Outcome.COMMENTED else "Enter your comments.",
                field="reasons",
            )
    if outcome == Outcome.REFERRED and not step.refer_to_tier:
        raise GatewayError("This step cannot refer the report to another tier.")
    meeting = (step.records_meeting and outcome == Outcome.RECOMMENDED) or (
        role in COLLECTIVE and outcome in {Outcome.APPROVED, Outcome.RECOMMENDED}
    )
    if meeting and (given.meeting_date is None or not given.minute_reference.strip()):
        body = "board" if step.kind == Kind.RECOMMENDATION else role
        raise GatewayError(
            f"Enter the {body} meeting's date and the minute reference.",
            field="meeting_date" if given.meeting_date is None else "minute_reference",
        )
    if outcome == Outcome.APPROVED and step.kind == Kind.DECISION:
        _require_key_decision(review, step, given=given)
    if step.consult_role and outcome == Outcome.APPROVED:
        _require_consultation(step, given=given)


def _require_key_decision(review: GatewayReview, step: ReviewStep, *, given: DecisionGiven) -> None:
    """A decision the policy or the step makes a key decision records its reference."""
    key_decision = step.records_key_decision or is_key_decision(review)
    if key_decision and not given.key_decision_reference.strip():
        raise GatewayError(
            "Enter the key-decision reference."
            if step.records_key_decision
            else "Enter the key-decision reference: the policy makes a procurement over "
            f"£{review.policy.key_decision_above:,.2f} a key decision.",
            field="key_decision_reference",
        )


CONSULTATION_FIELDS = ("consulted", "consulted_on", "consultation_notes")


def _require_consultation(step: ReviewStep, *, given: DecisionGiven) -> None:
    """An approval after a consultation records who was consulted, when, and what they said."""
    missing = [
        name
        for name in CONSULTATION_FIELDS
        if not getattr(given, name) or not str(getattr(given, name)).strip()
    ]
    if missing:
        raise GatewayError(
            f"Record the consultation with the {step.consult_role.lower()}: who, on what "
            "date, and what they said.",
            field=missing[0],
        )
    if given.consulted_on > timezone.localdate():
        raise GatewayError("The consultation's date cannot be in the future.", field="consulted_on")


# --- Recording a decision and moving on --------------------------------------------------------


@transaction.atomic
def review_decide(*, review: GatewayReview, by: User, **given: Any) -> StepDecision:
    """Record one person's decision at the review's current step, and move the review on.

    ``given``: the fields of ``DecisionGiven``. Who may act is decided in
    ``gateways.authority``: the step's roles, the policy's scope for each (own directorate or
    council-wide), and delegation of a named role (``on_behalf_of``: the colleague who
    delegated it; the rules then apply to both of them). The approver of a Gateway 1 weighting
    social value below 10%, or of a route without competition, accepts its recorded
    justification explicitly.
    """
    review = locked(review)
    given = DecisionGiven(**given)
    checked = _check(review, by=by, given=given)
    step, outcome = checked.step, given.outcome
    decision = save_with_history(
        StepDecision(
            step=step,
            round=review.round,
            outcome=outcome,
            role=checked.role,
            decided_by=by,
            on_behalf_of=checked.on_behalf_of,
            reasons=given.reasons,
            meeting_date=given.meeting_date,
            minute_reference=given.minute_reference,
            key_decision_reference=given.key_decision_reference.strip(),
            consulted=given.consulted,
            consulted_on=given.consulted_on,
            consultation_notes=given.consultation_notes,
            accepted_social_value_exception=checked.social_value_exception,
            accepted_direct_award_exception=checked.direct_award_exception,
        ),
        by=by,
        reason=f"{StepDecision.Outcome(outcome).label} at {step.name}",
    )
    approving = outcome == Outcome.APPROVED and step.kind == Kind.DECISION
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


def _key_decision_of_record(review: GatewayReview, reference: str, *, by: User) -> None:
    """The key-decision reference recorded at the decision is the reference of record: it goes
    onto the project, and so onto the forward plan, the dashboard and the contract the award
    creates."""
    project = review.project
    if project is None or project.key_decision_reference == reference:
        return
    project = locked_project(project)
    project.key_decision_reference = reference
    save_with_history(
        project, by=by, reason=f"Key decision {reference} recorded at {review.get_stage_display()}"
    )
    review.project = project


def _move_on(
    review: GatewayReview, *, step: ReviewStep, outcome: str, by: User, decision: StepDecision
) -> None:
    """The report's next state after ``outcome`` at ``step``, through its transitions."""
    if outcome == Outcome.RETURNED:
        review.return_for_changes()
        review.decided_at = timezone.now()
        save_review(review, by=by, reason="Returned for changes")
    elif outcome == Outcome.REJECTED:
        review.reject()
        review.decided_at = timezone.now()
        save_review(review, by=by, reason="Rejected")
    elif outcome == Outcome.REFERRED:
        _refer(review, step=step, by=by)
    elif step.kind == Kind.DECISION and outcome == Outcome.APPROVED:
        review.approve()
        review.decided_at = timezone.now()
        save_review(review, by=by, reason="Approved")
        _act_on_the_register(review, by=by, decision=decision)


def _act_on_the_register(review: GatewayReview, *, by: User, decision: StepDecision) -> None:
    """An approved Gateway 2 puts the awarded contract on the register; an approved Gateway 3
    extension uses one of the contract's extension options."""
    if review.stage == GatewayStage.G2 and review.project_id:
        _award(review, by=by, decision=decision)
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


def _award(review: GatewayReview, *, by: User, decision: StepDecision) -> None:
    """The awarded contract on the register, with the KPIs the report proposed and the social
    value the winning bid offered."""
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
                # The law and thresholds the contract is under are those of the day its
                # procurement began, not of its start (decision record 0050).
                "procurement_began_on": project.procurement_began_on,
                # What is bought: the procurement's CPV code goes with it onto the register.
                "cpv_code": project.cpv_code,
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


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


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
    copy_steps(review, steps, first_order=last + 1)
    review.tier_code = tier.code
    save_review(review, by=by, reason=f"Referred to Tier {tier.code}")
