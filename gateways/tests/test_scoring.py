"""The evaluation arithmetic, checked against examples worked by hand.

Weighting: quality 50 (method statement 30, staffing 20), price 40, social value 10 (local
employment 10); scores 0 to 5.
"""

from decimal import Decimal

import pytest

from gateways.scoring import BidScores, Criterion, Weighting, criterion_points, evaluate

D = Decimal
CRITERIA = (
    Criterion("method", "quality", "Method statement", D(30)),
    Criterion("staff", "quality", "Staffing", D(20)),
    Criterion("local", "social_value", "Local employment", D(10)),
)
WEIGHTING = Weighting(quality=D(50), price=D(40), social_value=D(10), criteria=CRITERIA)


def bid(name, price, method, staff, local):
    return BidScores(name, name, D(price), {"method": method, "staff": staff, "local": local})


def by_name(results):
    return {r.name: r for r in results}


def test_worked_example_with_a_bid_exactly_five_percent_above_the_lowest():
    results = evaluate(
        WEIGHTING,
        [
            # Lowest price: all 40 price points. Quality 30*4/5 + 20*3/5 = 24 + 12 = 36;
            # social value 10*5/5 = 10; total 86.
            bid("Xenon", "100000.00", 4, 3, 5),
            # 5% above the lowest: 40 * 100,000 / 105,000 = 38.0952... = 38.10.
            # Quality 30 + 16 = 46; social value 10*3/5 = 6; total 90.10.
            bid("Yarrow", "105000.00", 5, 4, 3),
            # 40 * 100,000 / 120,000 = 33.33; quality 18 + 12 = 30; social value 4; total 67.33.
            bid("Zephyr", "120000.00", 3, 3, 2),
        ],
    )
    assert [(r.name, r.rank, r.total) for r in results] == [
        ("Yarrow", 1, D("90.10")),
        ("Xenon", 2, D("86.00")),
        ("Zephyr", 3, D("67.33")),
    ]
    yarrow = by_name(results)["Yarrow"]
    assert (yarrow.price_points, yarrow.quality, yarrow.social_value) == (
        D("38.10"),
        D("46.00"),
        D("6.00"),
    )
    assert yarrow.criterion_points == {
        "method": D("30.00"),
        "staff": D("16.00"),
        "local": D("6.00"),
    }
    assert not any(r.tied for r in results)


def test_equal_totals_are_a_tie_sharing_the_rank():
    results = evaluate(
        WEIGHTING,
        [
            bid("Xenon", "100000.00", 4, 3, 5),  # 40 + 36 + 10 = 86
            # 40 * 100,000 / 125,000 = 32; quality 30 + 16 = 46; social value 8: total 86.
            bid("Walnut", "125000.00", 5, 4, 4),
            bid("Zephyr", "120000.00", 3, 3, 2),  # 33.33 + 30 + 4 = 67.33
        ],
    )
    assert [(r.name, r.rank, r.tied, r.total) for r in results] == [
        ("Walnut", 1, True, D("86.00")),
        ("Xenon", 1, True, D("86.00")),
        ("Zephyr", 3, False, D("67.33")),
    ]


def test_a_bid_below_the_quality_threshold_is_excluded_and_does_not_set_the_lowest_price():
    weighting = Weighting(
        quality=D(50),
        price=D(40),
        social_value=D(10),
        criteria=CRITERIA,
        quality_threshold=D(60),  # 60% of 50 = 30 quality points
    )
    results = evaluate(
        weighting,
        [
            # Cheapest, but quality 30*2/5 + 20*2/5 = 12 + 8 = 20: below 30, so excluded.
            bid("Vetch", "80000.00", 2, 2, 5),
            bid("Xenon", "100000.00", 4, 3, 5),
            bid("Zephyr", "120000.00", 3, 3, 2),  # quality exactly 30: at the threshold, kept
        ],
    )
    vetch, xenon, zephyr = (by_name(results)[n] for n in ("Vetch", "Xenon", "Zephyr"))
    assert vetch.excluded == "Quality 20.00 is below the threshold of 30.00 (60% of 50)"
    assert (vetch.rank, vetch.price_points, vetch.total) == (None, None, None)
    # Xenon's £100,000 is the lowest price in the evaluation, not Vetch's £80,000.
    assert (xenon.rank, xenon.price_points, xenon.total) == (1, D("40.00"), D("86.00"))
    assert (zephyr.rank, zephyr.total) == (2, D("67.33"))
    assert results[-1] is vetch


def test_scores_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="between 0 and 5"):
        criterion_points(CRITERIA[0], 6, 5)
    assert criterion_points(CRITERIA[0], 7, 10) == D("21.00")


def test_a_missing_score_is_refused_not_counted_as_nought():
    with pytest.raises(ValueError, match="Xenon has no score for Staffing"):
        evaluate(WEIGHTING, [BidScores("x", "Xenon", D(1), {"method": 3, "local": 1})])
