"""What every gateway service shares: the errors it raises, the row locks it takes and the save
that turns a concurrent transition into a message."""

from django_fsm import ConcurrentTransition
from rules import Predicate

from gateways.models import GatewayReview, ProcurementProject
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError


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


def locked_project(project: ProcurementProject) -> ProcurementProject:
    """The project, re-read under a row lock: its evaluation changes one request at a time."""
    return ProcurementProject.objects.select_for_update().get(pk=project.pk)


def locked(review: GatewayReview) -> GatewayReview:
    """The review, re-read under a row lock so that concurrent actions queue behind each other."""
    return GatewayReview.objects.select_for_update().get(pk=review.pk)


def save_review(review: GatewayReview, *, by: User, reason: str) -> GatewayReview:
    """Save the review with its history; a transition someone else made first is a refusal."""
    try:
        return save_with_history(review, by=by, reason=reason)
    except ConcurrentTransition:
        raise GatewayError(
            "Someone else acted on this report at the same moment; it has changed. "
            "Reload it to see what happened."
        ) from None


def require_rule(
    rule: Predicate, by: User, review: GatewayReview, *why: tuple[Predicate, str]
) -> None:
    """Go on only where ``rule`` (a predicate of ``gateways.rules``) allows ``by`` this report;
    where it does not, refuse with the message of the first part of the rule in ``why`` that
    fails (the last message if none does)."""
    if rule(by, review):
        return
    message = next((text for part, text in why if not part(by, review)), why[-1][1])
    raise GatewayError(message)
