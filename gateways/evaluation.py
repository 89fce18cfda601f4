"""Reads of a procurement's evaluation: the weighting in force, the panel, the bids and their
scores, fed to the arithmetic in ``scoring.py``. Pages, the services' checks and the reports share
them; each costs a fixed number of queries whatever the number of bids, criteria or evaluators."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch

from . import scoring
from .models import (
    Bid,
    BidCommitment,
    ChosenMeasure,
    EvaluationCriterion,
    Evaluator,
    EvaluatorScore,
    GatewayReview,
    ModeratedScore,
    ProcurementProject,
)


def weighting_in_force(*, project: ProcurementProject) -> GatewayReview | None:
    """The Gateway 1 report whose weighting the bids are scored against: the latest approved."""
    return (
        GatewayReview.objects.filter(
            project=project, stage="G1", state=GatewayReview.State.APPROVED
        )
        .select_related("template_category")
        .prefetch_related(
            Prefetch("criteria", queryset=EvaluationCriterion.objects.all()),
            Prefetch("chosen_measures", queryset=ChosenMeasure.objects.select_related("measure")),
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def as_weighting(review: GatewayReview) -> scoring.Weighting:
    """A Gateway 1 report's weighting, in the terms of the arithmetic."""
    return scoring.Weighting(
        quality=review.quality_weight,
        price=review.price_weight,
        social_value=review.social_value_weight,
        criteria=tuple(
            scoring.Criterion(key=c.pk, group=c.group, name=c.name, weight=c.weight)
            for c in review.criteria.all()
        ),
        scale_max=review.score_scale_max,
        quality_threshold=review.quality_threshold,
    )


@dataclass
class CriterionScores:
    criterion: EvaluationCriterion
    moderated: ModeratedScore | None
    individual: list[EvaluatorScore]
    points: Decimal | None = None

    @property
    def evaluators_agree(self) -> bool:
        return len({s.score for s in self.individual}) == 1


@dataclass
class BidRow:
    bid: Bid
    criteria: list[CriterionScores]
    result: scoring.BidResult | None = None

    @property
    def is_moderated(self) -> bool:
        return all(c.moderated is not None for c in self.criteria)

    @property
    def has_moderation(self) -> bool:
        return any(c.moderated is not None for c in self.criteria)

    def scores_by(self, user_id: int) -> dict:
        """One evaluator's scores of the bid so far, with their comments, by criterion."""
        return {
            c.criterion.pk: (s.score, s.comment)
            for c in self.criteria
            for s in c.individual
            if s.evaluator_id == user_id
        }

    def moderation_start(self) -> dict:
        """Where moderation starts, by criterion: the moderated score and note once there is one;
        before that, the score every evaluator gave where they agree."""
        return {
            c.criterion.pk: (c.moderated.score, c.moderated.note)
            if c.moderated
            else (c.individual[0].score if c.evaluators_agree else None, "")
            for c in self.criteria
        }


@dataclass
class Evaluation:
    project: ProcurementProject
    weighting_review: GatewayReview | None
    panel: list[Evaluator]
    rows: list[BidRow] = field(default_factory=list)

    @property
    def chosen_measures(self) -> list:
        """The social value measures bidders were asked to commit to, with their offers."""
        if self.weighting_review is None:
            return []
        return [chosen.measure for chosen in self.weighting_review.chosen_measures.all()]

    @property
    def criteria(self) -> list[EvaluationCriterion]:
        return list(self.weighting_review.criteria.all()) if self.weighting_review else []

    @property
    def cleared(self) -> list[Evaluator]:
        return [e for e in self.panel if e.may_evaluate]

    @property
    def is_complete(self) -> bool:
        """Every bid has a moderated score for every criterion, so the ranking can be shown."""
        return bool(self.rows) and all(row.is_moderated for row in self.rows)

    @property
    def ranking(self) -> list[BidRow]:
        """The bids in ranking order (the excluded last), once the evaluation is complete."""
        if not self.is_complete:
            return []
        return sorted(
            self.rows,
            key=lambda r: (r.result.rank is None, r.result.rank or 0, r.bid.supplier.name),
        )

    def named_ranking(self, names: dict | None = None) -> list[tuple[BidRow, str]]:
        """The ranking with each bidder's name, or the name given in ``names`` (by bid id)."""
        names = names or {}
        return [(row, names.get(row.bid.pk, str(row.bid.supplier))) for row in self.ranking]

    def criteria_table(self, rows: list[BidRow]) -> list[tuple[EvaluationCriterion, list]]:
        """Each criterion with its scores for ``rows``, in their order: the scores behind a
        ranking, a criterion to a line."""
        return [
            (criterion, [row.criteria[index] for row in rows])
            for index, criterion in enumerate(self.criteria)
        ]

    def row_for(self, supplier_id: int | None) -> BidRow | None:
        return next((r for r in self.rows if r.bid.supplier_id == supplier_id), None)

    def row_of(self, bid_id: int | None) -> BidRow | None:
        """The row of the bid ``bid_id``, if it is one of this evaluation's."""
        return next((r for r in self.rows if r.bid.pk == bid_id), None)

    def ranking_sent_to(self, recipient: BidRow | None) -> list[tuple[BidRow, str]]:
        """The ranking as published (``recipient`` ``None``), or as sent to one bidder: they see
        their own name and the others as Bidder A, Bidder B, ... in ranking order."""
        if recipient is None:
            return self.named_ranking()
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        names = {
            row.bid.pk: str(row.bid.supplier)
            if row is recipient
            else f"Bidder {next(letters, '?')}"
            for row in self.ranking
        }
        return self.named_ranking(names)

    def declaration_of(self, user) -> Evaluator | None:
        return next((e for e in self.panel if e.user_id == user.pk), None)

    def unscored_by(self, bid: Bid) -> list[str]:
        """The cleared evaluators who have not yet scored every criterion of ``bid``."""
        row = next(r for r in self.rows if r.bid.pk == bid.pk)
        missing = []
        for evaluator in self.cleared:
            scored = {
                c.criterion.pk
                for c in row.criteria
                for s in c.individual
                if s.evaluator_id == evaluator.user_id
            }
            if len(scored) < len(row.criteria):
                missing.append(str(evaluator.user))
        return missing


def evaluation_for(*, project: ProcurementProject) -> Evaluation:
    """The project's evaluation: weighting in force, panel, bids with every score, and (once all
    bids are moderated) their points and ranking."""
    review = weighting_in_force(project=project)
    panel = list(Evaluator.objects.filter(project=project).select_related("user").order_by("pk"))
    evaluation = Evaluation(project=project, weighting_review=review, panel=panel)
    if review is None:
        return evaluation
    cleared = {e.user_id for e in evaluation.cleared}
    bids = (
        Bid.objects.filter(project=project)
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "evaluator_scores",
                queryset=EvaluatorScore.objects.select_related("evaluator").order_by(
                    "evaluator_id"
                ),
            ),
            Prefetch(
                "moderated_scores", queryset=ModeratedScore.objects.select_related("moderated_by")
            ),
            Prefetch("commitments", queryset=BidCommitment.objects.select_related("measure")),
        )
    )
    criteria = evaluation.criteria
    for bid in bids:
        moderated = {s.criterion_id: s for s in bid.moderated_scores.all()}
        row = BidRow(bid=bid, criteria=[])
        for criterion in criteria:
            row.criteria.append(
                CriterionScores(
                    criterion=criterion,
                    moderated=moderated.get(criterion.pk),
                    # An evaluator who later declared a conflict no longer counts.
                    individual=[
                        s
                        for s in bid.evaluator_scores.all()
                        if s.criterion_id == criterion.pk and s.evaluator_id in cleared
                    ],
                )
            )
        evaluation.rows.append(row)
    if evaluation.is_complete:
        results = scoring.evaluate(
            as_weighting(review),
            [
                scoring.BidScores(
                    key=row.bid.pk,
                    name=row.bid.supplier.name,
                    price=row.bid.price,
                    scores={c.criterion.pk: c.moderated.score for c in row.criteria},
                )
                for row in evaluation.rows
            ],
        )
        by_bid = {result.key: result for result in results}
        for row in evaluation.rows:
            row.result = by_bid[row.bid.pk]
            for scores in row.criteria:
                scores.points = row.result.criterion_points[scores.criterion.pk]
    return evaluation


def contract_years(start: date, end: date) -> Decimal:
    """The term in years, counted in whole months: 1/4/2027 to 31/3/2030 is 3."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day < start.day:
        months -= 1
    return Decimal(max(months, 0)) / 12


@dataclass(frozen=True)
class Savings:
    baseline_per_year: Decimal
    years: Decimal
    baseline: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.baseline - self.price

    @property
    def percent(self) -> Decimal | None:
        if not self.baseline:
            return None
        return scoring.points(self.amount * 100 / self.baseline)


def savings_against_baseline(*, review: GatewayReview, price: Decimal | None) -> Savings | None:
    """The recommended price against what the need costs now over the same term, or ``None``
    where the baseline, the term or the price is not known."""
    project = review.project
    if (
        project is None
        or project.baseline_cost is None
        or price is None
        or not (review.contract_start and review.contract_end)
    ):
        return None
    years = contract_years(review.contract_start, review.contract_end)
    baseline = scoring.points(project.baseline_cost * years)
    return Savings(
        baseline_per_year=project.baseline_cost, years=years, baseline=baseline, price=price
    )
