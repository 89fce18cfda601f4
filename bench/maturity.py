"""Maturity pages on the full register: the results page, a key area's page with the live
evidence the register gives (aggregates over every contract) and the action plan, with their
query counts before and after the assessment grows to twelve participants scoring every behaviour.
"""

from datetime import date

from django.test import Client

from bench.timing import page, table
from maturity.models import Behaviour, KeyArea
from maturity.selectors import framework_default
from maturity.services import (
    ActionTerms,
    AgreedEntry,
    ScoreEntry,
    action_item_add,
    action_plan_create,
    assessment_create,
    levels_agree,
    participant_add,
    scores_record,
)
from procurement.models import User
from procurement.roles import Role
from procurement.services import user_set_roles

REASON = "Benchmark"
PARTICIPANTS = 12


def _person(number: int, role: Role) -> User:
    user = User.objects.create_user(email=f"bench-maturity-{number}@council.example")
    user_set_roles(user=user, roles=[role], by=None, reason=REASON)
    return user


def _score_everything(assessment, user) -> None:
    for area in KeyArea.objects.filter(theme__framework=assessment.framework):
        behaviours = list(area.behaviours.all())
        scores_record(
            assessment=assessment,
            key_area=area,
            entries={
                b.pk: ScoreEntry(level=(b.pk + user.pk) % 5 + 1, evidence="Benchmark evidence")
                for b in behaviours
            },
            by=user,
        )


def _gap_action(plan, behaviour: Behaviour, by: User) -> None:
    action_item_add(
        plan=plan,
        terms=ActionTerms(
            kind="gap",
            recommendation=f"Close the gap in {behaviour.name}",
            behaviour=behaviour,
            key_areas=[],
            actions="Benchmark actions",
            owner=by,
            due_by=date(2027, 3, 31),
        ),
        by=by,
    )


def run() -> list[str]:
    head = _person(0, Role.HEAD_OF_PROCUREMENT)
    framework = framework_default()
    assessment = assessment_create(
        framework=framework,
        name="Benchmark assessment",
        year=2026,
        score_by=None,
        participants=[head],
        by=head,
    )
    _score_everything(assessment, head)
    for area in KeyArea.objects.filter(theme__framework=framework):
        levels_agree(
            assessment=assessment,
            key_area=area,
            entries={b.pk: AgreedEntry(current=2, target=4) for b in area.behaviours.all()},
            by=head,
        )
    plan = action_plan_create(name="Benchmark plan", assessment=assessment, description="", by=head)
    client = Client()
    client.force_login(head)
    contracts_area = KeyArea.objects.get(theme__framework=framework, number=5)
    paths = [
        f"/maturity/assessments/{assessment.pk}/",
        f"/maturity/assessments/{assessment.pk}/key-areas/{contracts_area.pk}/",
        f"/maturity/assessments/{assessment.pk}/key-areas/{contracts_area.pk}/agree/",
        f"/maturity/plans/{plan.pk}/",
    ]
    behaviours = list(Behaviour.objects.filter(key_area__theme__framework=framework)[:20])
    _gap_action(plan, behaviours[0], head)  # one action to begin with, twenty at the end
    small = {path: page(client, path, requests=10) for path in paths}
    for number in range(1, PARTICIPANTS):
        user = _person(number, Role.PROCUREMENT_OFFICER)
        participant_add(assessment=assessment, user=user, by=head)
        _score_everything(assessment, user)
    for behaviour in behaviours[1:]:
        _gap_action(plan, behaviour, head)
    large = {path: page(client, path, requests=10) for path in paths}
    rows, failures = [], []
    for path in paths:
        rows.append(
            (path, small[path]["queries"], large[path]["queries"], f"{large[path]['median']:.1f}")
        )
        if large[path]["queries"] != small[path]["queries"]:
            failures.append(
                f"{path}: {small[path]['queries']} queries with one participant, "
                f"{large[path]['queries']} with {PARTICIPANTS}"
            )
    print("Maturity pages (live evidence over the whole register)")
    table(
        rows,
        (
            "page",
            "queries @1 participant, 1 action",
            f"@{PARTICIPANTS}, 20 actions",
            "median ms after",
        ),
    )
    return failures
