"""The Gateway 1 evaluation weighting and the social value measures bidders are asked to commit
to: started from the weighting in force or the category's template, changed by the report's
author while it is a draft or returned (``gateways.rules.may_change_weighting``), and fixed once
bids are scored or offered against them."""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from gateways.evaluation import weighting_in_force
from gateways.models import (
    BidCommitment,
    ChosenMeasure,
    EvaluationCriterion,
    EvaluatorScore,
    GatewayReview,
    ProcurementProject,
)
from gateways.rules import is_author, is_editable, is_gateway_1, may_change_weighting
from procurement.history import save_with_history
from procurement.models import User
from socialvalue.models import MEASURES_AT_GATEWAY_1, Measure

from .common import GatewayError, WeightingError, locked, require_rule, save_review

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


def weighting_start(review: GatewayReview, *, by: User) -> None:
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
    review = locked(review)
    in_strategy = "The evaluation weighting is part of a Gateway 1 strategy."
    require_rule(
        may_change_weighting,
        by,
        review,
        (is_author, "Only the report's author can change its weighting."),
        (is_gateway_1, in_strategy),
        (is_editable, "The weighting can be changed only while the report is a draft or returned."),
    )
    if review.project_id is None:
        raise GatewayError(in_strategy)
    if _scoring_begun(review.project):
        raise GatewayError(
            "Bids have already been scored against the approved weighting, so it cannot change."
        )
    _check_terms(criteria, score_scale_max=score_scale_max, quality_threshold=quality_threshold)
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
    save_review(review, by=by, reason="Weighting changed")
    _write_criteria(review, criteria, by=by)
    return review


def _check_terms(
    criteria: Sequence[tuple[str, str, Decimal]],
    *,
    score_scale_max: int,
    quality_threshold: Decimal | None,
) -> None:
    """Each sub-criterion named and weighted, the scale and the threshold in range."""
    for group, name, weight in criteria:
        if group not in Group.values or not name.strip():
            raise GatewayError("Give each sub-criterion a name, under quality or social value.")
        if weight is None or weight <= 0:
            raise GatewayError(f"Give the sub-criterion '{name}' a weight above 0.")
    if not 1 <= score_scale_max <= 10:
        raise GatewayError("The scoring scale must run from 0 to between 1 and 10.")
    if quality_threshold is not None and not 0 <= quality_threshold <= 100:
        raise GatewayError("The quality threshold is a percentage between 0 and 100.")


def weighting_check(review: GatewayReview) -> None:
    """The weighting complete and consistent, and not yet scored against."""
    _refresh_template(review)
    problems = review.weighting_problems(list(review.criteria.all()))
    if problems:
        raise GatewayError(f"Complete the evaluation weighting: {'; '.join(problems)}.")
    if _scoring_begun(review.project):
        raise GatewayError(
            "Bids have already been scored against the approved weighting, so it cannot change."
        )


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
    review = locked(review)
    in_strategy = "Social value measures are chosen in a Gateway 1 strategy."
    require_rule(
        may_change_weighting,
        by,
        review,
        (is_author, "Only the report's author can choose its social value measures."),
        (is_gateway_1, in_strategy),
        (is_editable, "The measures can be changed only while the report is a draft or returned."),
    )
    if review.project_id is None:
        raise GatewayError(in_strategy)
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
