"""Every figure of the dashboard and the annual report against the hand-worked council in
``world.py``, and each figure against the list behind it."""

from datetime import date
from decimal import Decimal

import pytest

from reporting.annual import annual_figures
from reporting.dashboard import dashboard
from reporting.selectors import (
    FIGURES,
    Scope,
    contract_counts,
    contract_figures,
    figure_rows,
    key_rating_counts,
    project_counts,
    review_counts,
    savings_totals,
)

from . import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return world.build()


@pytest.fixture
def scope():
    return Scope(year=world.YEAR, today=world.TODAY)


def refs(rows) -> list[str]:
    return sorted(getattr(row, "reference", None) or str(row.pk) for row in rows)


def test_the_year_runs_from_1_april_to_31_march_and_positions_are_on_its_last_day(scope):
    assert (scope.start, scope.end, scope.as_at, scope.label) == (
        date(2025, 4, 1),
        date(2026, 3, 31),
        date(2026, 3, 31),
        "2025/26",
    )
    running = Scope(year=2026, today=world.TODAY)
    assert (running.as_at, running.in_progress) == (world.TODAY, True)


def test_contract_figures_by_hand(council, scope):
    counts = contract_counts(scope)
    expected = {
        "running": {"count": 4, "value": "2920000", "annual": "660000"},
        "key": {"count": 2},
        "sme": {"count": 1, "annual": "400000"},
        "vcse": {"count": 1, "annual": "50000"},
        "no_plan": {"count": 1},
        "overdue_reviews": {"count": 1},
        "past_end": {"count": 1},
        "no_manager": {"count": 2},
        "awarded": {"count": 2, "value": "800000"},
        "awarded_sme": {"count": 0, "value": "0"},
        "awarded_vcse": {"count": 1, "value": "200000"},
        "direct_awards": {"count": 1, "value": "200000"},
        "planned_savings": {"count": 1, "savings": "100000"},
    }
    assert counts == {
        key: {part: int(v) if part == "count" else Decimal(v) for part, v in parts.items()}
        for key, parts in expected.items()
    }
    assert refs(figure_rows("running", scope)) == ["C1", "C2", "C3", "C6"]
    assert refs(figure_rows("no_manager", scope)) == ["C3", "C6"]
    assert refs(figure_rows("awarded", scope)) == ["C2", "C3"]  # 01/04/2025 and 31/03/2026


def test_running_by_directorate_and_category(council, scope):
    figures = contract_figures(scope)
    adults, place = council["adults"].pk, council["place"].pk
    assert figures.running_by("directorate") == [
        (adults, 3, Decimal("2320000")),
        (place, 1, Decimal("600000")),
    ]
    assert sum(n for _, n, _ in figures.running_by("category")) == 4


def test_the_directorate_filter(council, scope):
    adults = Scope(year=world.YEAR, today=world.TODAY, directorate_id=council["adults"].pk)
    assert contract_counts(adults)["running"]["count"] == 3
    assert review_counts(adults) == {
        "awaiting": 1,
        "decided": 3,
        "approved": 3,
        "rejected": 0,
        "returned": 1,
        "withdrawn": 1,
        "extensions_approved": 2,
    }
    assert project_counts(adults)["forward_plan"]["count"] == 0


def test_gateway_figures_and_the_31_march_boundary(council, scope):
    assert review_counts(scope) == {
        "awaiting": 1,
        "decided": 4,
        "approved": 3,
        "rejected": 1,
        "returned": 1,
        "withdrawn": 1,
        "extensions_approved": 2,
    }
    reviews = council["reviews"]
    decided = set(figure_rows("decided", scope).values_list("pk", flat=True))
    # 23:30 on 31 March counts in the year; 00:30 on 1 April (23:30 UTC on 31 March) does not.
    assert reviews["R2"].pk in decided
    assert reviews["R3"].pk not in decided
    next_year = Scope(year=2026, today=world.TODAY)
    assert list(figure_rows("approved", next_year).values_list("pk", flat=True)) == [
        reviews["R3"].pk
    ]


def test_forward_plan_figures(council, scope):
    counts = project_counts(scope)
    assert (counts["forward_plan"]["count"], counts["forward_plan"]["value"]) == (
        2,
        Decimal("2300000"),
    )
    assert counts["key_decisions"]["count"] == 1
    assert refs(figure_rows("forward_plan", scope)) == ["P2", "P3"]
    assert (counts["planned_in_year"]["count"], counts["delivered_in_year"]["count"]) == (2, 1)
    assert refs(figure_rows("delivered_in_year", scope)) == ["P1"]


def test_key_contracts_by_their_latest_rating_on_the_last_day(council, scope):
    ratings = key_rating_counts(scope)
    assert ratings["requires_improvement"] == 1  # C1, reviewed on 31/03/2026
    assert ratings["none"] == 1  # C3, first reviewed on 01/04/2026
    assert sum(ratings.values()) == 2
    assert refs(figure_rows("key_none", scope)) == ["C3"]


def test_savings_figures(council, scope):
    assert savings_totals(scope) == {
        "cashable": Decimal("40000"),
        "non_cashable": Decimal("5000"),
        "total": Decimal("45000"),
        "contracts": 2,
        "delivered_on_planned": Decimal("55000"),
    }


def test_every_dashboard_figure_is_the_count_of_its_list(council, scope):
    board = dashboard(scope)
    listed = {key: figure_rows(key, scope).count() for key in FIGURES}
    for tile in [*board.tiles.values(), *board.ratings]:
        assert int(tile.number.replace(",", "")) == listed[tile.key], tile.key
        assert tile.url.startswith(f"/dashboard/figures/{tile.key}/?year=2025")
    assert [(row.label, row.number) for row in board.by_directorate] == [
        ("Adults", 3),
        ("Place", 1),
    ]
    assert board.tiles["open_exceptions"].number == "2"
    assert board.tiles["sme"].detail == ("61% of the annual value (£400,000 of £660,000 a year)")
    assert board.tiles["awarded_vcse"].detail == (
        "50% of the contracts starting, 25% of their value"
    )
    assert board.tiles["savings"].detail == (
        "£45,000 delivered (£40,000 cashable, £5,000 non-cashable)"
    )
    assert board.tiles["planned_savings"].detail == (
        "£100,000 planned over their life, £55,000 delivered on them to the end of the year"
    )
    assert (board.social_value.committed, board.social_value.delivered) == (
        Decimal("1000.00"),
        Decimal("400.00"),
    )
    assert board.maturity.assessment == council["assessment"]
    assert [t.current for t in board.maturity.themes] == [Decimal("2.0")] * 3


def _section(figures: dict, slug: str) -> dict:
    return next(s for s in figures["sections"] if s["slug"] == slug)


def test_the_annual_report_figures_by_hand(council, scope):
    figures = annual_figures(scope)
    assert (figures["label"], figures["as_at"], figures["in_progress"]) == (
        "2025/26",
        "2026-03-31",
        False,
    )
    plan = _section(figures, "forward-plan")
    assert plan["figures"] == {"planned": 2, "awarded": 1}
    assert plan["tables"][1]["rows"][0][0] == "P2"  # planned in the year, not yet awarded
    gateways = _section(figures, "gateways")
    assert gateways["figures"]["median_working_days"] == "7.5"
    # A closed year's report describes that year: not what awaits a decision today.
    assert "awaiting" not in gateways["figures"]
    assert not any("await" in paragraph for paragraph in gateways["narrative"])
    assert gateways["tables"][0]["rows"] == [
        ["Gateway 0: business case and options", "0", "0", "0", "0", "No decisions"],
        ["Gateway 1: procurement strategy", "0", "0", "1", "1", "No decisions"],
        ["Gateway 2: permission to award", "1", "1", "0", "0", "13"],
        ["Gateway 3: performance review and extension", "2", "0", "0", "0", "7.5"],
    ]
    compliance = _section(figures, "compliance")
    assert compliance["narrative"][2] == (
        "On 31 March 2026: 2 contracts over £50,000 with no current contract manager; 1 running "
        "contract with a performance review overdue; 1 contract past its end date and not ended "
        "on the register; and 2 performance exceptions open."
    )
    assert compliance["figures"] == {
        "extensions_recorded": 0,
        "extensions_approved": 2,
        "extensions_all_four_tests": 1,
        "direct_awards": 1,
        "direct_awards_value": "200000.00",
        "exceptions_approved": 1,
        "social_value_exceptions": 0,
        "no_manager": 2,
        "overdue_reviews": 1,
        "past_end": 1,
        "open_exceptions": 2,
        "weighting_departures": 0,
    }
    assert sorted(compliance["tables"][1]["rows"]) == [
        ["C1", "15 Sep 2025", "4 of 4", "none", "no"],
        [
            "C2",
            "1 Oct 2025",
            "2 of 4",
            "the cashable/efficiency savings secured through negotiation; the ability to increase "
            "social value benefit through the extension period",
            "yes",
        ],
    ]
    social_value = _section(figures, "social-value")
    assert (social_value["figures"]["committed"], social_value["figures"]["delivered"]) == (
        "1000.00",
        "400.00",
    )
    assert social_value["narrative"][0].startswith(
        "Social value worth £1,000 was due to be delivered in 2025/26, and £400 (40%)"
    )
    savings = _section(figures, "savings")
    assert savings["figures"]["total"] == "45000.00"
    assert savings["tables"][0]["rows"] == [
        ["Adults", "2", "£40,000", "£5,000", "£45,000"],
    ]
    suppliers = _section(figures, "sme-vcse")
    assert suppliers["tables"][0]["rows"] == [
        ["SMEs", "0", "0%", "£0", "0%"],
        ["VCSE organisations", "1", "50%", "£200,000", "25%"],
    ]
    assert "SMEs hold 61% and VCSE organisations 8%" in suppliers["narrative"][1]
    performance = _section(figures, "performance")
    assert performance["figures"] == {
        "reviews": 2,
        "contracts_reviewed": 1,
        "key_running": 2,
        "not_reviewed": 1,
        "rated_good": 1,
        "rated_requires_improvement": 1,
    }
    maturity = _section(figures, "maturity")
    assert maturity["figures"]["assessment"] == "NPS 2025"
    assert set(maturity["figures"]["themes"].values()) == {"2.0"}
    assert maturity["tables"][0]["rows"][0][1:] == ["2.0", "3.0", "1.0", "+1.0"]
    assert (
        maturity["figures"]["actions"],
        maturity["figures"]["actions_overdue"],
        maturity["figures"]["actions_delivered"],
    ) == (3, 1, 1)


def test_a_year_still_running_is_a_report_of_the_year_so_far(council):
    figures = annual_figures(Scope(year=2026, today=world.TODAY))
    assert (figures["as_at"], figures["in_progress"]) == ("2026-06-01", True)
    # C4 started on 01/04/2026, the first day of 2026/27.
    assert _section(figures, "sme-vcse")["figures"]["awarded"] == 1
    gateways = _section(figures, "gateways")
    assert gateways["narrative"][-1] == "1 report awaits a decision now."
