"""Reads of the training records: who is current, due or overdue for a mandatory course, whether
a person may take a step the policy makes conditional on a course, and the programme a year
delivered. The list, the home panel, the digest, the gates and the annual report all read these.
Each runs a fixed number of queries, whatever the number of people or records."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db.models import Count, Max, Prefetch

from procurement.dates import long_date
from procurement.models import User
from procurement.roles import Role
from procurement.thresholds import pounds

from .models import Attendance, Course, TrainingRule

# An attendance that lapses within this many days is "due": time to book the next course.
DUE_SOON_DAYS = 60


class Status:
    NOT_TAKEN = "not_taken"
    EXPIRED = "expired"
    DUE = "due"
    CURRENT = "current"

    LABELS = {
        NOT_TAKEN: "Not taken",
        EXPIRED: "Expired",
        DUE: "Due soon",
        CURRENT: "Current",
    }
    # Most urgent first.
    ORDER = [NOT_TAKEN, EXPIRED, DUE, CURRENT]
    # Overdue: the person may not be current now.
    OVERDUE = {NOT_TAKEN, EXPIRED}


@dataclass(frozen=True)
class Standing:
    """Where ``person`` stands with a mandatory ``course`` on a day."""

    person: User
    course: Course
    last_attended: date | None
    current_until: date | None
    status: str

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def is_overdue(self) -> bool:
        return self.status in Status.OVERDUE

    @property
    def detail(self) -> str:
        """One line: "Expired on 3 March 2026", "Due by 1 May 2026", "Never taken"."""
        if self.status == Status.NOT_TAKEN:
            return "No attendance recorded"
        if self.status == Status.EXPIRED:
            return f"Expired on {long_date(self.current_until)}"
        if self.current_until is None:
            return f"Attended {long_date(self.last_attended)}"
        word = "Due by" if self.status == Status.DUE else "Current until"
        return f"{word} {long_date(self.current_until)}"


def standing_of(person: User, course: Course, last_attended: date | None, *, on: date) -> Standing:
    """Where a person who last attended ``course`` on ``last_attended`` stands on ``on``."""
    if last_attended is None:
        return Standing(person, course, None, None, Status.NOT_TAKEN)
    until = course.current_until(last_attended)
    if until is None:
        status = Status.CURRENT
    elif until < on:
        status = Status.EXPIRED
    elif until < on + timedelta(days=DUE_SOON_DAYS):
        status = Status.DUE
    else:
        status = Status.CURRENT
    return Standing(person, course, last_attended, until, status)


def courses_mandatory() -> list[Course]:
    """The running courses mandatory for any role, with those roles (two queries)."""
    return list(
        Course.objects.filter(is_active=True, mandatory_for__isnull=False)
        .distinct()
        .prefetch_related(Prefetch("mandatory_for", queryset=Group.objects.order_by("name")))
        .order_by("name")
    )


def last_attended(
    *, courses: Iterable[int], people: Iterable[int] | None = None
) -> dict[tuple[int, int], date]:
    """Each (person, course)'s latest attendance, of ``courses`` (and ``people``)."""
    rows = Attendance.objects.filter(course_id__in=list(courses))
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    return {
        (person, course): day
        for person, course, day in rows.values("person_id", "course_id")
        .annotate(last=Max("attended_on"))
        .values_list("person_id", "course_id", "last")
        .order_by()
    }


@dataclass(frozen=True)
class DueFilters:
    directorate: int | None = None
    course: int | None = None
    status: str | None = None
    overdue_only: bool = False
    include_current: bool = False


def mandatory_standings(
    *, on: date, person: User | None = None, filters: DueFilters | None = None
) -> list[Standing]:
    """Every active person's standing with each running course mandatory for a role they hold
    (or ``person``'s alone), most urgent first, then by name: five queries."""
    filters = filters or DueFilters()
    courses = [c for c in courses_mandatory() if filters.course in (None, c.pk)]
    if not courses:
        return []
    groups = {g.pk for c in courses for g in c.mandatory_for.all()}
    people = User.objects.filter(is_active=True, groups__in=groups).distinct()
    if person is not None:
        people = people.filter(pk=person.pk)
    if filters.directorate is not None:
        people = people.filter(directorate_id=filters.directorate)
    people = {
        user.pk: user
        for user in people.select_related("directorate").prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(pk__in=groups))
        )
    }
    latest = last_attended(courses=[c.pk for c in courses], people=people)
    found = []
    for user in people.values():
        held = {g.pk for g in user.groups.all()}
        for course in courses:
            if held & {g.pk for g in course.mandatory_for.all()}:
                standing = standing_of(user, course, latest.get((user.pk, course.pk)), on=on)
                if _wanted(standing, filters):
                    found.append(standing)
    found.sort(
        key=lambda s: (
            Status.ORDER.index(s.status),
            s.person.last_name.lower(),
            s.person.first_name.lower(),
            s.person.pk,
            s.course.name,
        )
    )
    return found


def _wanted(standing: Standing, filters: DueFilters) -> bool:
    if filters.status is not None:
        return standing.status == filters.status
    if filters.overdue_only:
        return standing.is_overdue
    return filters.include_current or standing.status != Status.CURRENT


def training_due(*, on: date, filters: DueFilters | None = None) -> list[Standing]:
    """People due or overdue for a mandatory course: the central team's list."""
    return mandatory_standings(on=on, filters=filters)


def person_standings(*, person: User, on: date) -> list[Standing]:
    """Every mandatory course of ``person``'s roles, current or not."""
    return mandatory_standings(on=on, person=person, filters=DueFilters(include_current=True))


def attendances_of(person: User) -> list[Attendance]:
    return list(Attendance.objects.filter(person=person).select_related("course", "recorded_by"))


def courses_listed() -> list[Course]:
    """Every course, with its mandatory roles and how many have attended it."""
    return list(
        Course.objects.annotate(attended=Count("attendances"))
        .prefetch_related(Prefetch("mandatory_for", queryset=Group.objects.order_by("name")))
        .order_by("-is_active", "name")
    )


def rules_listed() -> dict[str, TrainingRule | None]:
    """Each activity the policy may make conditional on a course, with its rule if set."""
    rules = {rule.activity: rule for rule in TrainingRule.objects.select_related("course")}
    return {activity: rules.get(activity) for activity in TrainingRule.Activity.values}


# --- The gates --------------------------------------------------------------------------------


def _lapse(person: User, rule: TrainingRule, latest: date | None, *, on: date) -> str:
    """Why ``person`` is not current with the rule's course ("training in … expired on 3 March
    2026"), or "" if they are."""
    standing = standing_of(person, rule.course, latest, on=on)
    if standing.status == Status.NOT_TAKEN:
        return f"has no record of the course {rule.course}"
    if standing.status == Status.EXPIRED:
        return f"training in {rule.course} expired on {long_date(standing.current_until)}"
    return ""


class Gate:
    """The policy's rule for an activity, read once, answering for any number of people: the
    register import asks it of every row in a fixed number of queries."""

    def __init__(self, activity: str, *, on: date, people: Iterable[int] | None = None) -> None:
        self.on = on
        self.people = None if people is None else list(people)
        self.rule = (
            TrainingRule.objects.select_related("course")
            .filter(activity=activity, is_enforced=True)
            .first()
        )
        self._latest: dict[tuple[int, int], date] | None = None

    def applies(self, value: Decimal | None) -> bool:
        return self.rule is not None and value is not None and value > self.rule.value_above

    def lapse(self, person: User, value: Decimal | None) -> str:
        """Why ``person`` may not take the activity on something of ``value``, or ""."""
        if person is None or not self.applies(value):
            return ""
        if self._latest is None:
            self._latest = last_attended(courses=[self.rule.course_id], people=self.people)
        latest = self._latest.get((person.pk, self.rule.course_id))
        return _lapse(person, self.rule, latest, on=self.on)


def manager_gate(*, on: date) -> Gate:
    return Gate(TrainingRule.Activity.CONTRACT_MANAGEMENT, on=on)


def _lapse_of(person: User, lapse: str) -> tuple[str, str]:
    """The person's name, and the sentence's subject: "Priya Shah has no record of…" or "Priya
    Shah's course … lapsed"."""
    name = person.get_full_name() or person.email
    return name, f"{name} {lapse}" if lapse.startswith("has ") else f"{name}'s {lapse}"


def contract_manager_refusal(
    *, person: User | None, value: Decimal | None, on: date, gate: Gate | None = None
) -> str:
    """Why ``person`` may not be made the manager of a contract of ``value``, or "" if they
    may: the policy's rule for managing a contract, where it is switched on."""
    gate = gate or manager_gate(on=on)
    lapse = gate.lapse(person, value)
    if not lapse:
        return ""
    name, subject = _lapse_of(person, lapse)
    return (
        f"{subject}: record a current course before making {name} the manager of a contract "
        f"over {pounds(gate.rule.value_above)}"
    )


def central_team_for(person: User) -> list[User]:
    """Who records ``person``'s attendance: their directorate's business partner, or where it
    has none the heads of procurement (two queries at most)."""
    directorate = person.directorate
    partner = directorate.business_partner if directorate else None
    if partner is not None and partner.is_active and partner.pk != person.pk:
        return [partner]
    return list(
        User.objects.filter(is_active=True, groups__name=Role.HEAD_OF_PROCUREMENT.label)
        .exclude(pk=person.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _central_team_named(person: User) -> str:
    names = [user.get_full_name() or user.email for user in central_team_for(person)]
    return f"the central team ({', '.join(names)})" if names else "the central team"


@dataclass(frozen=True)
class GatewayTrainingLapse:
    """Why the policy's rule refuses ``person`` a gateway decision, for the page that warns
    them before they fill in the form."""

    course: Course
    lapse: str
    value_above: Decimal
    central_team: str

    @property
    def warning(self) -> str:
        return (
            f"You cannot take this step until you have a current record of {self.course}: "
            f"{self.lapse}. The policy asks for it to decide or recommend at a gateway step on "
            f"a procurement over {pounds(self.value_above)}."
        )


def contract_manager_warning(*, person: User | None, value: Decimal | None, on: date) -> str:
    """On a running contract's page: why its manager, named before the rule or before their
    course lapsed, is not current with the course the policy asks of them; "" if they are. Two
    queries, whoever the manager."""
    if person is None:
        return ""
    gate = Gate(TrainingRule.Activity.CONTRACT_MANAGEMENT, on=on, people=[person.pk])
    lapse = gate.lapse(person, value)
    if not lapse:
        return ""
    _, subject = _lapse_of(person, lapse)
    return (
        f"{subject}: the policy asks the manager of a contract over "
        f"{pounds(gate.rule.value_above)} for a current course"
    )


def gateway_decision_lapse(
    *, person: User, value: Decimal | None, on: date
) -> GatewayTrainingLapse | None:
    """Where the policy's rule for gateway decisions would refuse ``person`` on a procurement
    of ``value``: the course, why they are not current and who records it; else None."""
    gate = Gate(TrainingRule.Activity.GATEWAY_DECISION, on=on)
    lapse = gate.lapse(person, value)
    if not lapse:
        return None
    own = (
        "no attendance at it is recorded for you"
        if lapse.startswith("has ")
        else f"your {lapse.replace(f'training in {gate.rule.course} ', 'training ')}"
    )
    return GatewayTrainingLapse(
        gate.rule.course, own, gate.rule.value_above, _central_team_named(person)
    )


def gateway_decision_refusal(*, person: User, value: Decimal | None, on: date) -> str:
    """Why ``person`` may not decide or recommend at a gateway step on a procurement of
    ``value``, or "" if they may: the policy's rule for gateway decisions, where switched on.
    It names who records the course, and that the step may be handed to a colleague (the
    gateway service says where)."""
    found = gateway_decision_lapse(person=person, value=value, on=on)
    if found is None:
        return ""
    return (
        f"{found.warning} Ask {found.central_team} to record your attendance at a current "
        "course, or delegate your approvals to a colleague who holds one."
    )


# --- The programme a year delivered (the annual report) ---------------------------------------


@dataclass(frozen=True)
class AudienceRow:
    audience: str
    sessions: int
    attendances: int
    people: int


@dataclass(frozen=True)
class CoverageRow:
    course: str
    required: int
    current: int

    @property
    def percent(self) -> int:
        return round(100 * self.current / self.required) if self.required else 100


@dataclass(frozen=True)
class Programme:
    sessions: int
    attendances: int
    people: int
    members_trained: int
    by_audience: list[AudienceRow]
    coverage: list[CoverageRow]


def programme_delivered(*, start: date, end: date) -> Programme:
    """The training delivered from ``start`` to ``end``: sessions (a course on a day), the
    attendances and people by audience, the members trained, and at ``end`` how many of those
    a mandatory course applies to are current with it."""
    attended = Attendance.objects.filter(attended_on__gte=start, attended_on__lte=end)
    by_audience = defaultdict(lambda: {"sessions": set(), "attendances": 0, "people": set()})
    for audience, course, day, person in attended.values_list(
        "course__audience", "course_id", "attended_on", "person_id"
    ):
        row = by_audience[audience]
        row["sessions"].add((course, day))
        row["attendances"] += 1
        row["people"].add(person)
    rows = [
        AudienceRow(
            label,
            len(by_audience[value]["sessions"]),
            by_audience[value]["attendances"],
            len(by_audience[value]["people"]),
        )
        for value, label in Course.Audience.choices
    ]
    members = attended.filter(person__groups__name=Role.LEAD_MEMBER.label).aggregate(
        people=Count("person", distinct=True)
    )["people"]
    return Programme(
        sessions=sum(r.sessions for r in rows),
        attendances=sum(r.attendances for r in rows),
        people=len({p for row in by_audience.values() for p in row["people"]}),
        members_trained=members,
        by_audience=rows,
        coverage=_coverage(on=end),
    )


def _coverage(*, on: date) -> list[CoverageRow]:
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    names = {}
    for standing in mandatory_standings(on=on, filters=DueFilters(include_current=True)):
        names[standing.course.pk] = standing.course.name
        counts = found[standing.course.pk]
        counts[0] += 1
        counts[1] += standing.status in {Status.CURRENT, Status.DUE}
    return [CoverageRow(names[pk], *found[pk]) for pk in sorted(found, key=names.get)]
