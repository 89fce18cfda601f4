"""Every write to the maturity self-assessment and the action plans: keyword-only, atomic,
checked against the rules, and kept in history with who, when and why."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from procurement.fsm import require_transition
from procurement.history import save_with_history
from procurement.models import User
from procurement.roles import Role
from procurement.services import DomainError, require

from .models import (
    ActionItem,
    ActionPlan,
    AgreedLevel,
    Assessment,
    Behaviour,
    Framework,
    KeyArea,
    Level,
    Participant,
    ProgressNote,
    Score,
)


class MaturityError(DomainError):
    """A record the rules of the self-assessment refuse, with a message for the person."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ScoreEntry:
    level: int | None
    evidence: str


@dataclass(frozen=True)
class AgreedEntry:
    current: int | None
    target: int | None
    rationale: str = ""


def _check_level(level: int | None, field: str, what: str) -> None:
    if level is None:
        raise MaturityError(f"Choose the {what}.", field=field)
    if level not in Level.values:
        raise MaturityError(f"The {what} must be one of the five levels.", field=field)


def _open(assessment: Assessment) -> None:
    if not assessment.is_open:
        raise MaturityError(_closed(assessment))


def _closed(assessment: Assessment) -> str:
    return f"{assessment} is closed: its levels can no longer change."


def may_take_part(user: User) -> bool:
    """As ``selectors.officers_eligible``: an active officer with a role other than auditor."""
    return user.is_active and bool(user.roles - {Role.AUDITOR})


# --- Assessments ------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    framework: Framework,
    name: str,
    year: int,
    score_by: date | None,
    participants: Iterable[User],
    by: User,
) -> Assessment:
    """Start a year's self-assessment and ask officers to score it."""
    require(by, "maturity.manage_assessment")
    name = name.strip()
    if not name:
        raise MaturityError("Enter a name for the assessment.", field="name")
    if Assessment.objects.filter(name=name, year=year).exists():
        raise MaturityError(
            f"There is already an assessment called {name!r} for that year.", field="name"
        )
    assessment = save_with_history(
        Assessment(framework=framework, name=name, year=year, score_by=score_by, created_by=by),
        by=by,
        reason="Assessment started",
    )
    people = list(participants)
    if not people:
        raise MaturityError("Choose at least one officer to take part.", field="participants")
    for user in people:
        participant_add(assessment=assessment, user=user, by=by)
    return assessment


@transaction.atomic
def participant_add(*, assessment: Assessment, user: User, by: User) -> Participant:
    """Ask one more officer to score the assessment."""
    require(by, "maturity.manage_assessment")
    _open(assessment)
    if not may_take_part(user):
        raise MaturityError(
            f"{user} cannot take part: choose an active officer (auditors assure the "
            "assessment rather than score it).",
            field="user",
        )
    if Participant.objects.filter(assessment=assessment, user=user).exists():
        raise MaturityError(f"{user} already takes part.", field="user")
    return save_with_history(
        Participant(assessment=assessment, user=user, added_by=by),
        by=by,
        reason="Asked to take part",
    )


def _behaviours(key_area: KeyArea) -> dict[int, Behaviour]:
    return {b.pk: b for b in key_area.behaviours.order_by("number")}


@transaction.atomic
def scores_record(
    *,
    assessment: Assessment,
    key_area: KeyArea,
    entries: Mapping[int, ScoreEntry],
    by: User,
) -> int:
    """Record a participant's levels and evidence for a key area's behaviours; a behaviour left
    blank is left unscored. Returns how many scores were written."""
    require(by, "maturity.score_assessment", assessment)
    _open(assessment)
    participant = Participant.objects.get(assessment=assessment, user=by)
    behaviours = _behaviours(key_area)
    if key_area.theme.framework_id != assessment.framework_id or set(entries) - set(behaviours):
        raise MaturityError("Those behaviours are not in this assessment's framework.")
    existing = {
        score.behaviour_id: score
        for score in Score.objects.select_for_update().filter(
            participant=participant, behaviour__key_area=key_area
        )
    }
    written = 0
    for pk, entry in entries.items():
        behaviour = behaviours[pk]
        evidence = entry.evidence.strip()
        if entry.level is None and not evidence:
            continue
        field = f"level_{pk}"
        _check_level(entry.level, field, f"level for {behaviour.name}")
        if not evidence:
            raise MaturityError(
                f"Say what shows {behaviour.name} is at {Level(entry.level).label}.",
                field=f"evidence_{pk}",
            )
        score = existing.get(pk) or Score(participant=participant, behaviour=behaviour)
        if score.pk and score.level == entry.level and score.evidence == evidence:
            continue
        score.level = entry.level
        score.evidence = evidence
        save_with_history(score, by=by, reason="Scored" if not score.pk else "Score changed")
        written += 1
    return written


@transaction.atomic
def levels_agree(
    *,
    assessment: Assessment,
    key_area: KeyArea,
    entries: Mapping[int, AgreedEntry],
    by: User,
) -> int:
    """Record the central team's agreed current and target level for a key area's behaviours;
    a behaviour left blank is left to agree later. Returns how many were written."""
    require(by, "maturity.manage_assessment")
    _open(assessment)
    behaviours = _behaviours(key_area)
    if key_area.theme.framework_id != assessment.framework_id or set(entries) - set(behaviours):
        raise MaturityError("Those behaviours are not in this assessment's framework.")
    existing = {
        row.behaviour_id: row
        for row in AgreedLevel.objects.select_for_update().filter(
            assessment=assessment, behaviour__key_area=key_area
        )
    }
    written = 0
    for pk, entry in entries.items():
        behaviour = behaviours[pk]
        if entry.current is None and entry.target is None:
            if pk in existing:
                raise MaturityError(
                    f"{behaviour.name} has agreed levels: choose them rather than clear them.",
                    field=f"current_{pk}",
                )
            continue
        _check_level(entry.current, f"current_{pk}", f"current level for {behaviour.name}")
        _check_level(entry.target, f"target_{pk}", f"target level for {behaviour.name}")
        if entry.target < entry.current:
            raise MaturityError(
                f"The target for {behaviour.name} cannot be below its current level "
                f"({Level(entry.current).label}).",
                field=f"target_{pk}",
            )
        row = existing.get(pk) or AgreedLevel(assessment=assessment, behaviour=behaviour)
        rationale = entry.rationale.strip()
        unchanged = (row.current, row.target, row.rationale) == (
            entry.current,
            entry.target,
            rationale,
        )
        if row.pk and unchanged:
            continue
        row.current, row.target, row.rationale, row.agreed_by = (
            entry.current,
            entry.target,
            rationale,
            by,
        )
        save_with_history(row, by=by, reason="Levels agreed" if not row.pk else "Levels changed")
        written += 1
    return written


@transaction.atomic
def assessment_close(*, assessment: Assessment, by: User) -> Assessment:
    """Close an assessment whose every behaviour is agreed: its results are then final and the
    next year's movement is measured from it."""
    require_transition(by, assessment.close)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not can_proceed(assessment.close, check_conditions=False):
        raise MaturityError(_closed(assessment))
    if missing := assessment.unagreed_count():
        raise MaturityError(
            f"{missing} behaviours have no agreed levels yet: agree every behaviour before "
            "closing the assessment."
        )
    assessment.close(by=by)
    return save_with_history(assessment, by=by, reason="Assessment closed: levels final")


# --- Action plans -----------------------------------------------------------------------------


@transaction.atomic
def action_plan_create(
    *, name: str, assessment: Assessment | None, description: str, by: User
) -> ActionPlan:
    """Start an improvement plan: a committee's recommendations or an assessment's gaps."""
    require(by, "maturity.manage_plans")
    name = name.strip()
    if not name:
        raise MaturityError("Enter a name for the action plan.", field="name")
    if ActionPlan.objects.filter(name=name).exists():
        raise MaturityError(f"There is already an action plan called {name!r}.", field="name")
    return save_with_history(
        ActionPlan(
            name=name, assessment=assessment, description=description.strip(), created_by=by
        ),
        by=by,
        reason="Action plan started",
    )


@dataclass(frozen=True)
class ActionTerms:
    kind: str
    recommendation: str
    behaviour: Behaviour | None
    key_areas: list[KeyArea]
    actions: str
    owner: User
    due_by: date


def _check_terms(terms: ActionTerms) -> None:
    if not terms.recommendation.strip():
        raise MaturityError("Enter the recommendation or gap.", field="recommendation")
    if not terms.actions.strip():
        raise MaturityError("Enter the proposed actions.", field="actions")
    if terms.due_by is None:
        raise MaturityError("Enter the date the action is due by.", field="due_by")
    if terms.kind == ActionItem.Kind.GAP and terms.behaviour is None:
        raise MaturityError("Choose the behaviour whose gap this action closes.", field="behaviour")
    if not terms.owner.is_active or not terms.owner.roles:
        raise MaturityError("Choose an active officer to own the action.", field="owner")


def _key_areas(terms: ActionTerms) -> list[KeyArea]:
    """The key areas chosen, and always the key area of the behaviour a gap is about."""
    areas = {area.pk: area for area in terms.key_areas}
    if terms.behaviour is not None:
        areas.setdefault(terms.behaviour.key_area_id, terms.behaviour.key_area)
    return list(areas.values())


@transaction.atomic
def action_item_add(*, plan: ActionPlan, terms: ActionTerms, by: User) -> ActionItem:
    """Add a recommendation or a maturity gap to a plan, with the actions proposed."""
    require(by, "maturity.manage_plans")
    _check_terms(terms)
    ActionPlan.objects.select_for_update().get(pk=plan.pk)
    last = plan.items.order_by("-number").values_list("number", flat=True).first() or 0
    item = ActionItem(
        plan=plan,
        number=last + 1,
        kind=terms.kind,
        recommendation=terms.recommendation.strip(),
        behaviour=terms.behaviour if terms.kind == ActionItem.Kind.GAP else None,
        actions=terms.actions.strip(),
        owner=terms.owner,
        due_by=terms.due_by,
    )
    save_with_history(item, by=by, reason="Action added")
    item._history_user = by
    item._change_reason = "Key areas linked"
    item.key_areas.set(_key_areas(terms))
    return item


@transaction.atomic
def action_item_change(
    *, item: ActionItem, terms: ActionTerms, reason: str, by: User
) -> ActionItem:
    """Change what an action says, who owns it or when it is due; why is kept in history."""
    require(by, "maturity.manage_plans")
    _check_terms(terms)
    if not reason.strip():
        raise MaturityError("Say why the action is changing.", field="reason")
    item.kind = terms.kind
    item.recommendation = terms.recommendation.strip()
    item.behaviour = terms.behaviour if terms.kind == ActionItem.Kind.GAP else None
    item.actions = terms.actions.strip()
    item.owner = terms.owner
    item.due_by = terms.due_by
    save_with_history(item, by=by, reason=reason.strip())
    item._history_user = by
    item._change_reason = reason.strip()
    item.key_areas.set(_key_areas(terms))
    return item


@transaction.atomic
def progress_add(
    *, item: ActionItem, noted_on: date, text: str, status: str, by: User
) -> ProgressNote:
    """Record progress on an action, dated, and where it now stands."""
    require_transition(by, item.move_to)
    text = text.strip()
    if not text:
        raise MaturityError("Say what progress has been made.", field="text")
    if status not in ActionItem.Status.values:
        raise MaturityError("Choose where the action stands.", field="status")
    if noted_on > timezone.localdate():
        raise MaturityError("The progress date cannot be in the future.", field="noted_on")
    note = save_with_history(
        ProgressNote(item=item, noted_on=noted_on, text=text, status=status, written_by=by),
        by=by,
        reason="Progress recorded",
    )
    if item.status != status:
        item.move_to(status)
        save_with_history(
            item, by=by, reason=f"Progress recorded: now {ActionItem.Status(status).label}"
        )
    return note
