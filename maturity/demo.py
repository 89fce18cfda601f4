"""Demo self-assessments: last year's, closed, and this year's, open, with movement between them,
a few behaviours where the participants disagree, and an improvement action plan.

Last year's levels follow Worcestershire's "where we are today" for each key area (Appendix 1) and
the targets its "where we want to be"; this year some behaviours have moved up a level.
"""

import random
from datetime import timedelta

from django.utils import timezone

from performance.models import financial_year_of
from procurement.models import User

from .models import ActionItem, Assessment, Behaviour, Level
from .selectors import assessment_results, framework_default
from .services import (
    ActionTerms,
    AgreedEntry,
    ScoreEntry,
    action_item_add,
    action_plan_create,
    assessment_close,
    assessment_create,
    levels_agree,
    progress_add,
    scores_record,
)

# Key area number: (where we are today, where we want to be), from Worcestershire Appendix 1.
POSITIONS = {
    1: (Level.DEVELOPING, Level.LEADER),
    2: (Level.DEVELOPING, Level.MATURE),
    3: (Level.MINIMUM, Level.MATURE),
    4: (Level.DEVELOPING, Level.LEADER),
    5: (Level.DEVELOPING, Level.INNOVATOR),
    6: (Level.MATURE, Level.INNOVATOR),
    7: (Level.DEVELOPING, Level.INNOVATOR),
    8: (Level.DEVELOPING, Level.INNOVATOR),
    9: (Level.DEVELOPING, Level.INNOVATOR),
}
# Behaviours that have moved up a level since last year.
MOVED = {"1.2", "3.1", "3.3", "4.1", "4.6", "5.1", "5.3", "7.5", "7.7"}
# Behaviours the participants see very differently this year.
DISPUTED = {"2.1", "6.4", "8.5"}
EVIDENCE = (
    "Seen in the contract register, the forward plan and this year's gateway reports.",
    "Discussed at the procurement board; examples in the minutes.",
    "Based on the last two tenders I ran and the feedback from suppliers.",
    "The policy exists but is not yet followed across every directorate.",
)

RECOMMENDATIONS = [
    (
        "Every contract over £50,000 has a named contract manager and lead director, recorded "
        "on the register (R24).",
        "Contract managers named for all running contracts; the register's data-quality view "
        "reviewed monthly by the business partners.",
        "head",
        120,
        (5,),
        [
            (
                150,
                "Register checked: 14 contracts without a manager found and assigned.",
                "ongoing",
            ),
            (40, "All running contracts over £50,000 now have a named manager.", "delivered"),
        ],
    ),
    (
        "Publish the forward plan of procurements for the next 18 months, with key decisions, "
        "so suppliers, SMEs and VCSEs can prepare.",
        "Forward plan kept in the service and published quarterly on the council's website.",
        "partner",
        60,
        (4, 8, 9),
        [(30, "First quarterly plan published; market engagement events booked.", "ongoing")],
    ),
    (
        "Train contract managers in commercial skills and relationship management.",
        "A contract management course for every contract manager of a key contract.",
        "manager",
        -20,
        (5,),
        [],
    ),
]


def build(*, options: dict) -> str:
    if Assessment.objects.exists():
        return "Maturity: the demo assessments are already there."
    people = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@northmere.example")
    }
    if not {"partner", "head", "officer", "manager"} <= set(people):
        return "Maturity: skipped (the demo council's people are missing)."
    framework = framework_default()
    behaviours = list(
        Behaviour.objects.filter(key_area__theme__framework=framework)
        .select_related("key_area")
        .order_by("key_area__number", "number")
    )
    rng = random.Random(2018)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    this_year = financial_year_of(today)
    head = people["head"]
    scorers = [people["partner"], people["head"], people["officer"]]

    last = assessment_create(
        framework=framework,
        name="NPS self-assessment",
        year=this_year - 1,
        score_by=None,
        participants=scorers,
        by=head,
    )
    _score_and_agree(last, behaviours, scorers, rng, head, moved=set())
    assessment_close(assessment=last, by=head)

    current = assessment_create(
        framework=framework,
        name="NPS self-assessment",
        year=this_year,
        score_by=today + timedelta(days=30),
        participants=[*scorers, people["manager"]],
        by=head,
    )
    _score_and_agree(current, behaviours, scorers, rng, head, moved=MOVED)
    # The contract manager has started: the first key area only.
    _score(
        current, [b for b in behaviours if b.key_area.number == 1], people["manager"], rng, MOVED
    )
    items = _action_plan(current, people, today)
    return (
        f"Maturity: the {last.year_label} assessment (closed) and {current.year_label} (open), "
        f"and an action plan of {items} actions."
    )


def _level(behaviour: Behaviour, moved: set[str]) -> int:
    today_level = POSITIONS[behaviour.key_area.number][0]
    return min(today_level + (1 if behaviour.code in moved else 0), Level.INNOVATOR)


def _score(assessment, behaviours, user, rng, moved) -> None:
    areas: dict = {}
    for behaviour in behaviours:
        areas.setdefault(behaviour.key_area, []).append(behaviour)
    for area, in_area in areas.items():
        entries = {}
        for behaviour in in_area:
            level = _level(behaviour, moved) + rng.choice((0, 0, 0, -1, 1))
            if moved and behaviour.code in DISPUTED:
                level = Level.MINIMUM if user.email.startswith("officer") else Level.LEADER
            level = max(Level.MINIMUM, min(Level.INNOVATOR, level))
            entries[behaviour.pk] = ScoreEntry(level=level, evidence=rng.choice(EVIDENCE))
        scores_record(assessment=assessment, key_area=area, entries=entries, by=user)


def _score_and_agree(assessment, behaviours, scorers, rng, head, moved) -> None:
    for user in scorers:
        _score(assessment, behaviours, user, rng, moved)
    areas: dict = {}
    for behaviour in behaviours:
        areas.setdefault(behaviour.key_area, []).append(behaviour)
    for area, in_area in areas.items():
        if assessment.year == financial_year_of(timezone.localdate()) and area.number >= 8:
            continue  # this year's last two key areas are still to be agreed
        target = POSITIONS[area.number][1]
        entries = {
            b.pk: AgreedEntry(current=_level(b, moved), target=max(target, _level(b, moved)))
            for b in in_area
        }
        levels_agree(assessment=assessment, key_area=area, entries=entries, by=head)


def _action_plan(assessment: Assessment, people: dict, today) -> int:
    head = people["head"]
    plan = action_plan_create(
        name=f"Procurement improvement plan {assessment.year_label}",
        assessment=assessment,
        description=(
            "The actions agreed by the procurement board in response to the self-assessment and "
            "to the Commissioning Select Committee's recommendations."
        ),
        by=head,
    )
    results = assessment_results(assessment)
    added = 0
    owners = [people["partner"], people["head"], people["officer"]]
    for number, gap in enumerate(results.gaps[:4]):
        behaviour = gap.behaviour
        item = action_item_add(
            plan=plan,
            terms=ActionTerms(
                kind=ActionItem.Kind.GAP,
                recommendation=(
                    f"Move {behaviour.code} {behaviour.name} ({behaviour.key_area.name}) from "
                    f"{Level(gap.current).label} to {Level(gap.target).label}."
                ),
                behaviour=behaviour,
                key_areas=[],
                actions=f"Plan the steps to reach: {behaviour.descriptor(gap.current + 1)}",
                owner=owners[number % len(owners)],
                due_by=today + timedelta(days=90 + 30 * number),
            ),
            by=head,
        )
        if number == 0:
            progress_add(
                item=item,
                noted_on=today - timedelta(days=10),
                text="Working group set up; first meeting held.",
                status=ActionItem.Status.ONGOING,
                by=item.owner,
            )
        added += 1
    areas = {area.key_area.number: area.key_area for area in results.areas}
    for text, actions, owner, due_in, numbers, notes in RECOMMENDATIONS:
        item = action_item_add(
            plan=plan,
            terms=ActionTerms(
                kind=ActionItem.Kind.RECOMMENDATION,
                recommendation=text,
                behaviour=None,
                key_areas=[areas[n] for n in numbers],
                actions=actions,
                owner=people[owner],
                due_by=today + timedelta(days=due_in),
            ),
            by=head,
        )
        for days_ago, note, status in notes:
            progress_add(
                item=item,
                noted_on=today - timedelta(days=days_ago),
                text=note,
                status=status,
                by=people[owner],
            )
        added += 1
    return added
