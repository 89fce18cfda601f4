"""The arithmetic of a tender evaluation (DESIGN §2.3), in ``Decimal``, so that it can be checked
by hand:

- price: ``price weight * lowest price / bid price``, where the lowest price is the lowest of the
  bids still in the evaluation (a bid below the quality threshold does not set it);
- each quality or social value criterion: ``its weight * score / top of the scale``;
- every part is rounded to two decimal places (half up) as the evaluation shows it, and each total
  is the sum of its rounded parts, so the figures on the page add up;
- a bid whose quality points fall below the threshold (a percentage of the quality weight) is
  excluded and not ranked;
- bids are ranked by total, highest first; equal totals share a rank (1, 1, 3) and are shown as
  tied.

Nothing here reads the database: the selectors feed it and the tests check it by worked examples.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from procurement.numbers import figure

POINTS = Decimal("0.01")
HUNDRED = Decimal(100)
QUALITY = "quality"
SOCIAL_VALUE = "social_value"


def points(value: Decimal) -> Decimal:
    """Round to the two decimal places every figure of an evaluation is shown with."""
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Criterion:
    key: Hashable
    group: str  # QUALITY or SOCIAL_VALUE
    name: str
    weight: Decimal


@dataclass(frozen=True)
class Weighting:
    quality: Decimal
    price: Decimal
    social_value: Decimal
    criteria: tuple[Criterion, ...]
    scale_max: int = 5
    quality_threshold: Decimal | None = None  # % of the quality weight a bid must reach

    @property
    def threshold_points(self) -> Decimal | None:
        if self.quality_threshold is None:
            return None
        return points(self.quality * self.quality_threshold / HUNDRED)


@dataclass(frozen=True)
class BidScores:
    key: Hashable
    name: str
    price: Decimal
    scores: Mapping[Hashable, int]  # the moderated score for each criterion's key


@dataclass
class BidResult:
    key: Hashable
    name: str
    price: Decimal
    criterion_points: dict[Hashable, Decimal] = field(default_factory=dict)
    quality: Decimal = Decimal(0)
    social_value: Decimal = Decimal(0)
    price_points: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None
    tied: bool = False
    excluded: str = ""  # why the bid is out of the ranking, if it is


def criterion_points(criterion: Criterion, score: int, scale_max: int) -> Decimal:
    """A criterion's points: its weight in the proportion the score bears to the scale."""
    if not 0 <= score <= scale_max:
        raise ValueError(f"A score must be between 0 and {scale_max}; {score} is not.")
    return points(criterion.weight * Decimal(score) / Decimal(scale_max))


def price_points(weight: Decimal, lowest: Decimal, price: Decimal) -> Decimal:
    """``weight * lowest / price``: the lowest price earns every price point."""
    if price <= 0:
        raise ValueError("A bid's price must be more than £0.")
    return points(weight * lowest / price)


def evaluate(weighting: Weighting, bids: Iterable[BidScores]) -> list[BidResult]:
    """Score, exclude and rank ``bids``: ranked bids first (by rank), then the excluded."""
    results = []
    for bid in bids:
        result = BidResult(key=bid.key, name=bid.name, price=bid.price)
        for criterion in weighting.criteria:
            if criterion.key not in bid.scores:
                raise ValueError(f"{bid.name} has no score for {criterion.name}.")
            earned = criterion_points(criterion, bid.scores[criterion.key], weighting.scale_max)
            result.criterion_points[criterion.key] = earned
            if criterion.group == QUALITY:
                result.quality += earned
            else:
                result.social_value += earned
        threshold = weighting.threshold_points
        if threshold is not None and result.quality < threshold:
            result.excluded = (
                f"Quality {result.quality} is below the threshold of {threshold} "
                f"({figure(weighting.quality_threshold)}% of {figure(weighting.quality)})"
            )
        results.append(result)

    ranked = [r for r in results if not r.excluded]
    if ranked:
        lowest = min(r.price for r in ranked)
        for result in ranked:
            result.price_points = price_points(weighting.price, lowest, result.price)
            result.total = result.quality + result.social_value + result.price_points
        totals = [r.total for r in ranked]
        for result in ranked:
            result.rank = 1 + sum(1 for other in totals if other > result.total)
            result.tied = totals.count(result.total) > 1
    ranked.sort(key=lambda r: (r.rank, r.name))
    return ranked + [r for r in results if r.excluded]
