"""Demo training: the council's courses, two years of attendance, a few people overdue or due
soon, and the two training rules set but switched off (the head of procurement switches them
on)."""

import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from procurement.dates import long_date
from procurement.models import User
from procurement.roles import Role
from procurement.thresholds import TRAINING_REQUIRED_ABOVE

from .models import Course, TrainingRule, add_months
from .services import attendance_record, course_save, training_rule_set

REASON = "Demo training programme"

# Name: (audience, roles it is mandatory for, refresh months, description).
COURSES = {
    "Contract management": (
        Course.Audience.CONTRACT_MANAGERS,
        [Role.CONTRACT_MANAGER],
        36,
        "Managing a contract after award: performance, KPIs, variations, exit and the register.",
    ),
    "Gateway approvals": (
        Course.Audience.APPROVERS,
        [
            Role.EXECUTIVE_DIRECTOR,
            Role.OFFICER_BOARD_MEMBER,
            Role.BUSINESS_PARTNER,
            Role.HEAD_OF_PROCUREMENT,
        ],
        24,
        "The gateways, the tiers and what an approver checks before deciding.",
    ),
    "Procurement essentials": (
        Course.Audience.OFFICERS,
        [Role.PROCUREMENT_OFFICER],
        24,
        "The Contract Procedure Rules and the Procurement Act 2023 for commissioning officers.",
    ),
    "Members' procurement briefing": (
        Course.Audience.MEMBERS,
        [Role.LEAD_MEMBER],
        12,
        "For members: the council's procurement strategy, key decisions and scrutiny.",
    ),
    "Social value in commissioning": (
        Course.Audience.OFFICERS,
        [],
        None,
        "Setting social value measures, weighting them and checking delivery.",
    ),
}
# Demo people (by the part of their email before the @) left out of a mandatory course, and
# how: never taken it, lapsed, or due within weeks.
EXCEPTIONS = {"manager": "lapsed", "deputy": "never", "director": "due", "officer": "due"}


def build(*, options: dict) -> str:
    if Course.objects.exists():
        return "Training: the demo courses are already there."
    partner = User.objects.filter(email="partner@northmere.example").first()
    head = User.objects.filter(email="head@northmere.example").first()
    if partner is None or head is None:
        return "Training: skipped (the demo council's people are missing)."
    courses = _courses(partner)
    written = _attendance(courses, partner, head)
    for activity, course in (
        (TrainingRule.Activity.CONTRACT_MANAGEMENT, courses["Contract management"]),
        (TrainingRule.Activity.GATEWAY_DECISION, courses["Gateway approvals"]),
    ):
        training_rule_set(
            activity=activity,
            fields={
                "course": course,
                "value_above": TRAINING_REQUIRED_ABOVE,
                "is_enforced": False,
            },
            by=head,
            reason=REASON,
        )
    return f"Training: added {len(courses)} courses and {written} attendances."


def _courses(by: User) -> dict[str, Course]:
    groups = {group.name: group for group in Group.objects.all()}
    made = {}
    for name, (audience, roles, months, description) in COURSES.items():
        made[name] = course_save(
            course=None,
            fields={
                "name": name,
                "audience": audience,
                "refresh_months": months,
                "description": description,
                "is_active": True,
            },
            mandatory_for=[groups[role.label] for role in roles if role.label in groups],
            by=by,
            reason=REASON,
        )
    return made


def _attendance(courses: dict[str, Course], partner: User, head: User) -> int:
    """Each person holding a mandatory role attended its course at a session in the last two
    years, but for the demo's exceptions; some also took the optional course. The business
    partner records them all, but their own, which the head of procurement records."""
    rng = random.Random(32)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    # A session a month, on the second Tuesday, over the last 26 months.
    sessions = []
    for back in range(1, 27):
        first = add_months(today.replace(day=1), -back)
        tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
        sessions.append(tuesday)
    written = 0
    people = User.objects.filter(is_active=True).prefetch_related("groups").order_by("email")
    for person in people:
        by = head if person.pk == partner.pk else partner
        held = {group.name for group in person.groups.all()}
        local = person.email.split("@")[0] if person.email.endswith("@northmere.example") else ""
        for course in courses.values():
            roles = {group.name for group in course.mandatory_for.all()}
            if not roles & held:
                continue
            day = _day_for(course, EXCEPTIONS.get(local), sessions, rng, today)
            if day is None:
                continue
            attendance_record(
                person=person,
                course=course,
                attended_on=day,
                evidence=f"Signed the register at the session of {long_date(day)}",
                by=by,
            )
            written += 1
        if rng.random() < 0.3 and held:
            day = rng.choice(sessions)
            attendance_record(
                person=person,
                course=courses["Social value in commissioning"],
                attended_on=day,
                evidence="Certificate of completion",
                by=by,
            )
            written += 1
    return written


def _day_for(course: Course, exception, sessions, rng, today):
    """The session a person attended: a recent one, or one that makes them lapsed or due."""
    months = course.refresh_months or 24
    if exception == "never":
        return None
    if exception == "lapsed":
        return add_months(today, -(months + 2))
    if exception == "due":
        return add_months(today, -months) + timedelta(days=30)
    recent = [day for day in sessions if day > add_months(today, -(months - 3))]
    return rng.choice(recent or sessions[:1])
