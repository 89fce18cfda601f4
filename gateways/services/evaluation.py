"""The evaluation of the bids at Gateway 2: the panel and its declarations, the bids received,
what they offer against the measures chosen at Gateway 1, each evaluator's scores and the panel's
moderated ones. The bids may change only until a Gateway 2 report goes to the approvers."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from gateways.evaluation import evaluation_for, weighting_in_force
from gateways.models import (
    Bid,
    BidCommitment,
    EvaluationCriterion,
    Evaluator,
    EvaluatorScore,
    GatewayReview,
    ModeratedScore,
    ProcurementProject,
)
from gateways.progress import State
from procurement.history import save_with_history
from procurement.models import GatewayStage, User
from procurement.services import require

from .common import GatewayError, locked_project


def recommendation_check(review: GatewayReview) -> None:
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
    project = locked_project(project)
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
def bid_offers_set(
    *,
    bid: Bid,
    offers: Mapping[int, tuple[Decimal, date] | None],
    by: User,
) -> list[BidCommitment]:
    """Record what a bid offers against each measure chosen at Gateway 1 (quantity and date, or
    ``None`` where it offers nothing); the winning bid's offers become the contract's plan."""
    require(by, "gateways.record_bids", bid.project)
    locked_project(bid.project)
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


@transaction.atomic
def bid_create(*, project: ProcurementProject, supplier, price: Decimal, by: User) -> Bid:
    """Record a tender received: the supplier and its whole-life price."""
    require(by, "gateways.record_bids", project)
    project = locked_project(project)
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
    locked_project(bid.project)
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
    locked_project(bid.project)
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
