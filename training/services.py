"""Every write to the training records: atomic, permission-checked and kept in history."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from procurement.dates import long_date
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require

from .models import Attendance, Course, TrainingRule, add_months

# The oldest attendance recorded: a date further back is taken for a mistake in the year.
OLDEST_ATTENDANCE_YEARS = 10


class TrainingError(DomainError):
    """A change to the training records that its rules refuse, with a message for the person."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _validated(instance):
    instance.full_clean()
    return instance


def _refuse_loosening_a_rule(course: Course, fields: Mapping[str, Any], *, by: User) -> None:
    """How often a course an enforced rule names must be refreshed, and whether it runs, are the
    rule's own terms: only those who set the rules may change them."""
    changes = any(
        name in fields and fields[name] != getattr(course, name)
        for name in ("refresh_months", "is_active")
    )
    if changes and course.rules.filter(is_enforced=True).exists():
        require(by, "training.set_rules")


@transaction.atomic
def course_save(
    *,
    course: Course | None,
    fields: Mapping[str, Any],
    mandatory_for: list[Group],
    by: User,
    reason: str,
) -> Course:
    """Add a course, or change one; the history keeps what it was, who changed it and why."""
    require(by, "training.manage_courses")
    if not reason.strip():
        raise TrainingError("Say why", field="reason")
    if course is None:
        course = Course()
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        _refuse_loosening_a_rule(course, fields, by=by)
    for name, value in fields.items():
        setattr(course, name, value)
    if Course.objects.filter(name__iexact=course.name).exclude(pk=course.pk).exists():
        raise TrainingError(f"A course called {course.name} already exists", field="name")
    save_with_history(_validated(course), by=by, reason=reason)
    wanted = {group.pk for group in mandatory_for}
    if {group.pk for group in course.mandatory_for.all()} != wanted:
        course._history_user, course._change_reason = by, reason
        course.mandatory_for.set(wanted)
    return course


@transaction.atomic
def attendance_record(
    *, person: User, course: Course, attended_on: date, evidence: str, by: User
) -> Attendance:
    """Record that ``person`` attended ``course`` on a day, with the evidence of it."""
    require(by, "training.record_attendance")
    if person.pk == by.pk:
        # The courses gate what a person may do: someone else records that they attended.
        raise TrainingError(
            "Someone else in the central team must record your own attendance", field="person"
        )
    today = timezone.localdate()
    if attended_on > today:
        raise TrainingError("The date attended cannot be in the future", field="attended_on")
    earliest = add_months(today, -12 * OLDEST_ATTENDANCE_YEARS)
    if attended_on < earliest:
        raise TrainingError(
            f"The date attended must be within the last {OLDEST_ATTENDANCE_YEARS} years: "
            f"{long_date(attended_on)} is more than {OLDEST_ATTENDANCE_YEARS} years ago. Enter "
            f"a date on or after {long_date(earliest)}",
            field="attended_on",
        )
    if not evidence.strip():
        raise TrainingError("Describe the evidence of attendance", field="evidence")
    if not person.is_active:
        raise TrainingError(f"{person} no longer uses the service", field="person")
    attendance = Attendance(
        person=person,
        course=course,
        attended_on=attended_on,
        evidence=evidence.strip(),
        recorded_by=by,
    )
    already = TrainingError(
        f"{person}'s attendance at {course} on {long_date(attended_on)} is already recorded: "
        "enter another date, or another course",
        field="attended_on",
    )
    if Attendance.objects.filter(person=person, course=course, attended_on=attended_on).exists():
        raise already
    try:
        with transaction.atomic():
            return save_with_history(attendance, by=by, reason=f"Attendance at {course} recorded")
    except IntegrityError:
        raise already from None


@transaction.atomic
def training_rule_set(
    *, activity: str, fields: Mapping[str, Any], by: User, reason: str
) -> TrainingRule:
    """Set the policy's rule for an activity: which course, over what value, switched on or
    off. The history keeps every setting, who made it and why."""
    require(by, "training.set_rules")
    if not reason.strip():
        raise TrainingError("Say why", field="reason")
    rule = TrainingRule.objects.select_for_update().filter(
        activity=activity
    ).first() or TrainingRule(activity=activity)
    for name, value in fields.items():
        setattr(rule, name, value)
    return save_with_history(_validated(rule), by=by, reason=reason)
