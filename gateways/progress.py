"""Where a gateway report is on its route: which step waits, and which outcomes move it on.

Pure reads of the steps and decisions as prefetched, shared by the services, the selectors, the
pages and the other apps, so they all name the same step.
"""

from procurement.models import PolicyStep, WhoActs

from .models import GatewayReview, ReviewStep, StepDecision

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


def current_step(review: GatewayReview) -> ReviewStep | None:
    """The first active step not yet complete in this round, or ``None``.

    Uses the review's steps and their decisions as prefetched (see ``selectors``), so a list of
    reviews costs no query per review.
    """
    steps = sorted((s for s in review.steps.all() if s.is_active), key=lambda s: s.order)
    for step in steps:
        done = [d for d in step.decisions.all() if d.round == review.round and d.outcome in PASSING]
        if step.who_acts.must == WhoActs.ALL:
            if not set(step.roles) <= {d.role for d in done}:
                return step
        elif not done:
            return step
    return None
