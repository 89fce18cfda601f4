"""Assessments for tests, made through the services (which have their own tests)."""

from maturity.models import Behaviour, KeyArea
from maturity.selectors import framework_default
from maturity.services import (
    AgreedEntry,
    ScoreEntry,
    assessment_create,
    levels_agree,
    scores_record,
)


def key_area(number: int) -> KeyArea:
    return KeyArea.objects.get(number=number, theme__framework=framework_default())


def behaviours(number: int) -> list[Behaviour]:
    return list(key_area(number).behaviours.order_by("number"))


def assessment(*, by, participants, year=2026, name="NPS self-assessment", score_by=None):
    return assessment_create(
        framework=framework_default(),
        name=name,
        year=year,
        score_by=score_by,
        participants=participants,
        by=by,
    )


def score(assessment, user, area_number: int, levels: list[int], evidence="Seen in the register"):
    """``user`` scores key area ``area_number``'s behaviours at ``levels`` (in order)."""
    scores_record(
        assessment=assessment,
        key_area=key_area(area_number),
        entries={
            b.pk: ScoreEntry(level=level, evidence=evidence)
            for b, level in zip(behaviours(area_number), levels, strict=False)
        },
        by=user,
    )


def agree(assessment, by, area_number: int, levels: list[tuple[int, int]]):
    """The central team agrees (current, target) for key area ``area_number``'s behaviours."""
    levels_agree(
        assessment=assessment,
        key_area=key_area(area_number),
        entries={
            b.pk: AgreedEntry(current=current, target=target)
            for b, (current, target) in zip(behaviours(area_number), levels, strict=False)
        },
        by=by,
    )


def agree_all(assessment, by, current: int, target: int):
    for number in range(1, 10):
        agree(assessment, by, number, [(current, target)] * 10)
