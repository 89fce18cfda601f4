"""Reads of the maturity self-assessment, shared by the pages, the home page, the published
framework and the reports.

Results come from the agreed levels: a key area's level is the mean of its behaviours' agreed
levels, and a theme's the mean of its key areas', so each key area counts the same however many
behaviours it has. Means are to one decimal place; a key area with nothing agreed has none.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median_low

from django.db.models import Count, Prefetch, Q, QuerySet

from procurement.models import User
from procurement.roles import Role

from .models import (
    NPS_2018,
    WIDE_SPREAD,
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
    Theme,
)
from .toolkit import LEVELS

TENTH = Decimal("0.1")


def mean(values: Iterable) -> Decimal | None:
    values = [Decimal(value) for value in values if value is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _difference(later: Decimal | int | None, earlier: Decimal | int | None):
    return None if later is None or earlier is None else later - earlier


def framework_default() -> Framework:
    return Framework.objects.get(slug=NPS_2018)


def framework_tree(framework: Framework) -> list[Theme]:
    """The framework's themes, each with its key areas and their behaviours (three queries)."""
    return list(
        Theme.objects.filter(framework=framework).prefetch_related(
            Prefetch(
                "key_areas",
                queryset=KeyArea.objects.order_by("number").prefetch_related(
                    Prefetch("behaviours", queryset=Behaviour.objects.order_by("number"))
                ),
            )
        )
    )


def framework_published(framework: Framework) -> dict:
    """The framework as ``/maturity/framework.json`` publishes it: themes, key areas with their
    high-level principle and behaviours, each with its five descriptors."""

    def descriptors(statement) -> dict[str, str]:
        return {level: getattr(statement, level) for level in LEVELS}

    return {
        "title": framework.title,
        "source": framework.source,
        "introduction": framework.introduction,
        "levels": [level.label for level in Level],
        "themes": [
            {
                "number": theme.number,
                "name": theme.name,
                "key_areas": [
                    {
                        "number": area.number,
                        "name": area.name,
                        "description": area.description,
                        "help": area.help,
                        "notes": area.notes.splitlines(),
                        "principle": descriptors(area),
                        "behaviours": [
                            {
                                "code": behaviour.code,
                                "name": behaviour.name,
                                "descriptors": descriptors(behaviour),
                            }
                            for behaviour in area.behaviours.all()
                        ],
                    }
                    for area in theme.key_areas.all()
                ],
            }
            for theme in framework_tree(framework)
        ],
    }


def assessments_listed() -> QuerySet[Assessment]:
    """Every assessment with how many take part and how many behaviours are agreed."""
    return Assessment.objects.select_related("framework").annotate(
        participant_count=Count("participants", distinct=True),
        agreed_count=Count("agreed", distinct=True),
        behaviour_count=Count("framework__themes__key_areas__behaviours", distinct=True),
    )


def assessment_with_participants(pk: int) -> Assessment:
    return (
        Assessment.objects.select_related("framework", "created_by", "closed_by")
        .prefetch_related(Prefetch("participants", queryset=_participants()))
        .get(pk=pk)
    )


def _participants() -> QuerySet[Participant]:
    return Participant.objects.select_related("user").annotate(scored=Count("scores"))


def assessment_previous(assessment: Assessment) -> Assessment | None:
    """The closed assessment of the same framework from the latest earlier year: what movement
    is measured from."""
    return (
        Assessment.objects.filter(
            framework_id=assessment.framework_id,
            status=Assessment.Status.CLOSED,
            year__lt=assessment.year,
        )
        .order_by("-year", "-closed_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Spread:
    """The participants' levels for one behaviour."""

    levels: tuple[int, ...]

    @property
    def lowest(self) -> int:
        return min(self.levels)

    @property
    def highest(self) -> int:
        return max(self.levels)

    @property
    def width(self) -> int:
        return self.highest - self.lowest

    @property
    def is_wide(self) -> bool:
        return self.width >= WIDE_SPREAD

    @property
    def suggested(self) -> int:
        """A starting point for the agreed level: the middle view (the lower of two middles)."""
        return median_low(self.levels)

    @property
    def text(self) -> str:
        if self.width == 0:
            return f"All {Level(self.lowest).label}"
        return f"{Level(self.lowest).label} to {Level(self.highest).label}"


def behaviour_spreads(assessment: Assessment) -> dict[int, Spread]:
    """Each scored behaviour's spread of participants' levels (one query)."""
    levels: dict[int, list[int]] = {}
    for behaviour_id, level in Score.objects.filter(participant__assessment=assessment).values_list(
        "behaviour_id", "level"
    ):
        levels.setdefault(behaviour_id, []).append(level)
    return {pk: Spread(tuple(sorted(found))) for pk, found in levels.items()}


def scores_for_key_area(assessment: Assessment, key_area: KeyArea) -> dict[int, list[Score]]:
    """Every participant's score and evidence on the key area's behaviours, by behaviour."""
    found: dict[int, list[Score]] = {}
    for score in (
        Score.objects.filter(participant__assessment=assessment, behaviour__key_area=key_area)
        .select_related("participant__user")
        .order_by("participant__user__last_name", "participant__user__first_name", "pk")
    ):
        found.setdefault(score.behaviour_id, []).append(score)
    return found


def scores_of(participant: Participant, key_area: KeyArea) -> dict[int, Score]:
    return {
        score.behaviour_id: score
        for score in Score.objects.filter(participant=participant, behaviour__key_area=key_area)
    }


def scored_counts(participant: Participant) -> dict[int, int]:
    """How many behaviours of each key area the participant has scored."""
    return dict(
        Score.objects.filter(participant=participant)
        .values_list("behaviour__key_area_id")
        .annotate(n=Count("pk"))
        .values_list("behaviour__key_area_id", "n")
    )


@dataclass
class BehaviourResult:
    behaviour: Behaviour
    agreed: AgreedLevel | None
    previous: int | None
    spread: Spread | None

    @property
    def current(self) -> int | None:
        return self.agreed.current if self.agreed else None

    @property
    def target(self) -> int | None:
        return self.agreed.target if self.agreed else None

    @property
    def gap(self) -> int | None:
        return self.agreed.gap if self.agreed else None

    @property
    def movement(self) -> int | None:
        return _difference(self.current, self.previous)


class _MeanOfParts:
    """Levels that are the means of its parts' levels (behaviours for a key area, key areas for a
    theme), and the gap and movement they give."""

    @property
    def parts(self) -> list:
        raise NotImplementedError

    @property
    def current(self) -> Decimal | None:
        return mean(part.current for part in self.parts)

    @property
    def target(self) -> Decimal | None:
        return mean(part.target for part in self.parts)

    @property
    def previous(self) -> Decimal | None:
        return mean(part.previous for part in self.parts)

    @property
    def gap(self) -> Decimal | None:
        return _difference(self.target, self.current)

    @property
    def movement(self) -> Decimal | None:
        return _difference(self.current, self.previous)


@dataclass
class AreaResult(_MeanOfParts):
    key_area: KeyArea
    behaviours: list[BehaviourResult]

    @property
    def parts(self) -> list[BehaviourResult]:
        return self.behaviours

    @property
    def agreed_count(self) -> int:
        return sum(1 for b in self.behaviours if b.agreed)

    @property
    def wide_spreads(self) -> int:
        return sum(1 for b in self.behaviours if b.spread and b.spread.is_wide)

    @property
    def principle_now(self) -> tuple[Level, str] | None:
        """The key area's high-level principle at the level it has (rounded): what it means."""
        if self.current is None:
            return None
        level = Level(int(self.current.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
        return level, self.key_area.descriptor(level)


@dataclass
class ThemeResult(_MeanOfParts):
    theme: Theme
    areas: list[AreaResult]

    @property
    def parts(self) -> list[AreaResult]:
        return self.areas


@dataclass
class Results:
    assessment: Assessment
    previous: Assessment | None
    themes: list[ThemeResult] = field(default_factory=list)

    @property
    def areas(self) -> list[AreaResult]:
        return [area for theme in self.themes for area in theme.areas]

    @property
    def behaviours(self) -> list[BehaviourResult]:
        return [b for area in self.areas for b in area.behaviours]

    @property
    def agreed_count(self) -> int:
        return sum(area.agreed_count for area in self.areas)

    @property
    def behaviour_count(self) -> int:
        return len(self.behaviours)

    @property
    def gaps(self) -> list[BehaviourResult]:
        """Behaviours short of their target, the widest gap first (then in framework order)."""
        short = [b for b in self.behaviours if b.gap]
        return sorted(short, key=lambda b: -b.gap)

    def area(self, key_area_id: int) -> AreaResult:
        return next(area for area in self.areas if area.key_area.pk == key_area_id)


def assessment_results(assessment: Assessment) -> Results:
    """Current against target for every behaviour, key area and theme, with the movement since
    the previous assessment and the spread between participants (a fixed number of queries)."""
    previous = assessment_previous(assessment)
    agreed = {row.behaviour_id: row for row in AgreedLevel.objects.filter(assessment=assessment)}
    before = (
        dict(AgreedLevel.objects.filter(assessment=previous).values_list("behaviour_id", "current"))
        if previous
        else {}
    )
    spreads = behaviour_spreads(assessment)
    results = Results(assessment=assessment, previous=previous)
    for theme in framework_tree(assessment.framework):
        areas = [
            AreaResult(
                key_area=area,
                behaviours=[
                    BehaviourResult(
                        behaviour=behaviour,
                        agreed=agreed.get(behaviour.pk),
                        previous=before.get(behaviour.pk),
                        spread=spreads.get(behaviour.pk),
                    )
                    for behaviour in area.behaviours.all()
                ],
            )
            for area in theme.key_areas.all()
        ]
        results.themes.append(ThemeResult(theme=theme, areas=areas))
    return results


def officers_eligible() -> QuerySet[User]:
    """Active officers who may take part: anyone with a council role other than auditor
    (auditors assure the assessment rather than make it)."""
    labels = [role.label for role in Role if role != Role.AUDITOR]
    return (
        User.objects.filter(is_active=True, groups__name__in=labels)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def assessments_to_score(*, user) -> QuerySet[Participant]:
    """The open assessments ``user`` takes part in, with how much they have scored."""
    return (
        Participant.objects.filter(user=user, assessment__status=Assessment.Status.OPEN)
        .select_related("assessment__framework")
        .annotate(
            behaviour_count=Count(
                "assessment__framework__themes__key_areas__behaviours", distinct=True
            ),
            scored=Count("scores", distinct=True),
        )
        .order_by("assessment__score_by", "assessment__pk")
    )


# The action filter's status for every action not yet delivered (those a person is asked about).
NOT_DELIVERED = "not_delivered"


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""
    key_area_id: int | None = None
    owner_id: int | None = None
    overdue: bool = False


def plans_listed() -> QuerySet[ActionPlan]:
    return ActionPlan.objects.select_related("assessment").annotate(
        item_count=Count("items", distinct=True),
        delivered=Count(
            "items", filter=Q(items__status=ActionItem.Status.DELIVERED), distinct=True
        ),
    )


def plan_items(
    plan: ActionPlan, *, today: date, filters: ActionFilters | None = None
) -> QuerySet[ActionItem]:
    """The plan's actions, filtered as the tracker asks, with their owner, key areas and
    progress notes (a fixed number of queries)."""
    filters = filters or ActionFilters()
    items = (
        ActionItem.objects.filter(plan=plan)
        .select_related("owner", "behaviour__key_area")
        .prefetch_related(
            Prefetch("key_areas", queryset=KeyArea.objects.order_by("number")),
            Prefetch("progress", queryset=ProgressNote.objects.select_related("written_by")),
        )
        .order_by("number")
    )
    if filters.status == NOT_DELIVERED:
        items = items.exclude(status=ActionItem.Status.DELIVERED)
    elif filters.status:
        items = items.filter(status=filters.status)
    if filters.key_area_id:
        items = items.filter(key_areas=filters.key_area_id)
    if filters.owner_id:
        items = items.filter(owner_id=filters.owner_id)
    if filters.overdue:
        items = items.filter(due_by__lt=today).exclude(status=ActionItem.Status.DELIVERED)
    return items


def plan_status_counts(plan: ActionPlan) -> dict[str, int]:
    counts = dict(
        ActionItem.objects.filter(plan=plan)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status.label: counts.get(status.value, 0) for status in ActionItem.Status}


def actions_owned(*, user) -> QuerySet[ActionItem]:
    """Actions ``user`` owns that are not yet delivered, the soonest due first."""
    return (
        ActionItem.objects.filter(owner=user)
        .exclude(status=ActionItem.Status.DELIVERED)
        .select_related("plan")
        .order_by("due_by", "pk")
    )
