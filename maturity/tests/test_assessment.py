"""Self-assessments: scoring with evidence, the spread between participants, the agreed levels,
results by key area and theme, movement since the previous year, and closing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from maturity.models import AgreedLevel, Assessment, KeyArea, Score
from maturity.selectors import assessment_previous, assessment_results, behaviour_spreads
from maturity.services import (
    AgreedEntry,
    MaturityError,
    ScoreEntry,
    assessment_close,
    levels_agree,
    participant_add,
    scores_record,
)
from procurement.roles import Role

from .factories import agree, agree_all, assessment, behaviours, key_area, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


@pytest.fixture
def officer(make_user):
    return make_user(Role.PROCUREMENT_OFFICER)


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)


def test_the_framework_is_loaded_with_every_behaviour():
    assert KeyArea.objects.count() == 9
    assert [len(behaviours(n)) for n in range(1, 10)] == [4, 3, 3, 6, 5, 5, 10, 7, 8]
    assert key_area(4).descriptor(3).startswith("Clear understanding of the ways")


def test_only_the_central_team_starts_an_assessment(officer, head):
    with pytest.raises(PermissionDenied):
        assessment(by=officer, participants=[officer])
    made = assessment(by=head, participants=[officer, head])
    assert made.is_open
    assert made.year_label == "2026/27"
    assert sorted(p.user_id for p in made.participants.all()) == sorted([officer.pk, head.pk])
    assert made.history.get().history_user == head


def test_auditors_and_people_without_a_role_cannot_take_part(head, make_user):
    made = assessment(by=head, participants=[head])
    for person in (make_user(Role.AUDITOR), make_user()):
        with pytest.raises(MaturityError, match="cannot take part"):
            participant_add(assessment=made, user=person, by=head)
    with pytest.raises(MaturityError, match="already takes part"):
        participant_add(assessment=made, user=head, by=head)


def test_a_score_needs_a_level_and_evidence_and_nothing_is_half_written(head, officer):
    made = assessment(by=head, participants=[officer])
    first, second, *_ = behaviours(1)
    entries = {
        first.pk: ScoreEntry(level=3, evidence="Board minutes"),
        second.pk: ScoreEntry(level=2, evidence="  "),
    }
    with pytest.raises(MaturityError) as refused:
        scores_record(assessment=made, key_area=key_area(1), entries=entries, by=officer)
    assert refused.value.field == f"evidence_{second.pk}"
    assert not Score.objects.exists()
    entries[second.pk] = ScoreEntry(level=None, evidence="We have a strategy")
    with pytest.raises(MaturityError, match="Choose the level") as refused:
        scores_record(assessment=made, key_area=key_area(1), entries=entries, by=officer)
    assert refused.value.field == f"level_{second.pk}"
    entries[second.pk] = ScoreEntry(level=None, evidence="")  # left to score later
    assert scores_record(assessment=made, key_area=key_area(1), entries=entries, by=officer) == 1


def test_only_participants_score_and_only_while_it_is_open(head, officer, partner):
    made = assessment(by=head, participants=[officer])
    with pytest.raises(PermissionDenied):
        score(made, partner, 1, [2, 2, 2, 2])
    score(made, officer, 1, [2, 2, 2, 2])
    agree_all(made, head, 2, 3)
    assessment_close(assessment=made, by=head)
    made.refresh_from_db()
    with pytest.raises(PermissionDenied):
        score(made, officer, 1, [3, 3, 3, 3])


def test_a_score_that_changes_keeps_its_history(head, officer):
    made = assessment(by=head, participants=[officer])
    score(made, officer, 1, [2], evidence="First view")
    score(made, officer, 1, [2], evidence="First view")  # unchanged: nothing written
    score(made, officer, 1, [3], evidence="Second view")
    found = Score.objects.get()
    assert (found.level, found.evidence) == (3, "Second view")
    history = list(found.history.order_by("history_date"))
    assert [h.history_change_reason for h in history] == ["Scored", "Score changed"]
    assert {h.history_user for h in history} == {officer}


def test_the_spread_between_participants_and_the_suggested_level(head, officer, partner):
    made = assessment(by=head, participants=[officer, partner, head])
    score(made, officer, 1, [1, 3, 3, 3])
    score(made, partner, 1, [3, 3, 4, 3])
    score(made, head, 1, [2, 3, 5, 3])
    first, second, third, _ = behaviours(1)
    spreads = behaviour_spreads(made)
    assert spreads[first.pk].levels == (1, 2, 3)
    assert spreads[first.pk].is_wide
    assert spreads[first.pk].suggested == 2
    assert spreads[first.pk].text == "Minimum to Mature"
    assert not spreads[second.pk].is_wide
    assert spreads[second.pk].text == "All Mature"
    assert spreads[third.pk].suggested == 4
    results = assessment_results(made)
    assert results.area(key_area(1).pk).wide_spreads == 2
    assert results.area(key_area(2).pk).wide_spreads == 0


def test_the_target_cannot_be_below_the_current_level(head):
    made = assessment(by=head, participants=[head])
    first = behaviours(1)[0]
    with pytest.raises(MaturityError, match="cannot be below") as refused:
        levels_agree(
            assessment=made,
            key_area=key_area(1),
            entries={first.pk: AgreedEntry(current=3, target=2)},
            by=head,
        )
    assert refused.value.field == f"target_{first.pk}"
    with pytest.raises(MaturityError, match="Choose the target"):
        levels_agree(
            assessment=made,
            key_area=key_area(1),
            entries={first.pk: AgreedEntry(current=3, target=None)},
            by=head,
        )
    assert not AgreedLevel.objects.exists()


def test_only_the_central_team_agrees_levels(head, officer):
    made = assessment(by=head, participants=[officer])
    with pytest.raises(PermissionDenied):
        agree(made, officer, 1, [(2, 3)])


def test_results_by_key_area_and_theme_with_movement_and_gaps(head):
    last_year = assessment(by=head, participants=[head], year=2025)
    agree_all(last_year, head, 2, 4)
    assessment_close(assessment=last_year, by=head)
    this_year = assessment(by=head, participants=[head], year=2026)
    agree(this_year, head, 1, [(2, 4), (3, 4), (3, 5), (2, 2)])
    agree(this_year, head, 2, [(1, 3), (1, 3), (2, 3)])

    results = assessment_results(this_year)
    assert results.previous == last_year
    first, second, third = results.areas[:3]
    # Key area 1: current (2+3+3+2)/4 = 2.5, target (4+4+5+2)/4 = 3.75, shown as 3.8.
    assert (first.current, first.target, first.gap) == (
        Decimal("2.5"),
        Decimal("3.8"),
        Decimal("1.3"),
    )
    assert (first.previous, first.movement) == (Decimal("2.0"), Decimal("0.5"))
    # Key area 2: current 4/3 = 1.3, target 3.0; it has gone down since last year.
    assert (second.current, second.target, second.movement) == (
        Decimal("1.3"),
        Decimal("3.0"),
        Decimal("-0.7"),
    )
    assert (third.current, third.target, third.agreed_count) == (None, None, 0)
    # Theme 1 is the mean of its key areas that have levels: (2.5 + 1.3) / 2 = 1.9.
    theme = results.themes[0]
    assert (theme.current, theme.target) == (Decimal("1.9"), Decimal("3.4"))
    assert results.agreed_count == 7
    assert results.behaviour_count == 51
    # Gaps, widest first, then in the framework's order.
    assert [(row.behaviour.code, row.gap) for row in results.gaps] == [
        ("1.1", 2),
        ("1.3", 2),
        ("2.1", 2),
        ("2.2", 2),
        ("1.2", 1),
        ("2.3", 1),
    ]
    assert results.gaps[0].movement == 0
    assert results.gaps[2].movement == -1
    assert first.principle_now[0].label == "Mature"  # 2.5 rounds to 3


def test_movement_is_from_the_latest_earlier_closed_assessment(head):
    older = assessment(by=head, participants=[head], year=2024)
    agree_all(older, head, 1, 2)
    assessment_close(assessment=older, by=head)
    closed = assessment(by=head, participants=[head], year=2025)
    agree_all(closed, head, 2, 3)
    assessment_close(assessment=closed, by=head)
    assessment(by=head, participants=[head], year=2025, name="Still open")
    current = assessment(by=head, participants=[head], year=2026)
    assert assessment_previous(current) == closed
    assert assessment_previous(older) is None


def test_closing_needs_every_behaviour_agreed_and_makes_the_levels_final(head):
    made = assessment(by=head, participants=[head])
    agree(made, head, 1, [(2, 3)] * 4)
    with pytest.raises(MaturityError, match="47 behaviours have no agreed levels"):
        assessment_close(assessment=made, by=head)
    agree_all(made, head, 2, 3)
    assessment_close(assessment=made, by=head)
    made.refresh_from_db()
    assert made.status == Assessment.Status.CLOSED
    assert made.closed_by == head
    assert made.history.latest().history_change_reason == "Assessment closed: levels final"
    with pytest.raises(MaturityError, match="is closed"):
        agree(made, head, 1, [(3, 3)])
