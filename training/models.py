"""Training and capability (RBKC §8a, §8b, §9; Kent R26; Worcestershire §5.6, §5.8): the courses
the council runs, who attended each and when, and the rules that make a current course a
condition of managing a contract or deciding at a gateway (decision record 0056)."""

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from procurement.dates import long_date
from procurement.models import MONEY
from procurement.thresholds import TRAINING_REQUIRED_ABOVE

# The longest a course may go before it is taken again: ten years.
LONGEST_REFRESH_MONTHS = 120


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, kept within the month: 31/01 + 1 → 28/02."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class Course(models.Model):
    """A course the council runs, for whom, whether a role must have taken it, and how often it
    must be taken again."""

    class Audience(models.TextChoices):
        OFFICERS = "officers", "Officers"
        CONTRACT_MANAGERS = "contract_managers", "Contract managers"
        MEMBERS = "members", "Members"
        APPROVERS = "approvers", "Approvers"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    mandatory_for = models.ManyToManyField(
        Group,
        blank=True,
        related_name="mandatory_courses",
        verbose_name="mandatory for",
        help_text="Everyone holding one of these roles must have a current attendance.",
    )
    refresh_months = models.PositiveSmallIntegerField(
        "refresh every (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REFRESH_MONTHS)],
        help_text="How long an attendance stays current. Blank: once is enough.",
    )
    is_active = models.BooleanField(
        "running", default=True, help_text="A course no longer run is due for nobody."
    )
    history = HistoricalRecords(m2m_fields=["mandatory_for"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_until(self, attended_on: date) -> date | None:
        """The last day an attendance on ``attended_on`` is current; None if it never lapses."""
        if self.refresh_months is None:
            return None
        return date.fromordinal(add_months(attended_on, self.refresh_months).toordinal() - 1)


class Attendance(models.Model):
    """One person's attendance at a course on a day, with the evidence of it, recorded by the
    central team."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attendances")
    attended_on = models.DateField("date attended")
    evidence = models.TextField(
        help_text="What shows they attended: the register signed, the certificate's number."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-attended_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "attended_on"],
                name="attendance_once_a_day",
                violation_error_message="This attendance is already recorded.",
            ),
        ]
        indexes = [models.Index(fields=["course", "person", "attended_on"])]

    def __str__(self) -> str:
        return f"{self.course} on {long_date(self.attended_on)}"


class TrainingRule(models.Model):
    """A condition the policy may switch on: who takes ``activity`` on something over
    ``value_above`` must have a current attendance at ``course``."""

    class Activity(models.TextChoices):
        CONTRACT_MANAGEMENT = "contract_management", "Managing a contract"
        GATEWAY_DECISION = "gateway_decision", "Deciding or recommending at a gateway step"

    activity = models.CharField(max_length=30, choices=Activity.choices, unique=True)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="rules")
    value_above = models.DecimalField(
        **MONEY,
        default=TRAINING_REQUIRED_ABOVE,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The rule applies to contracts or procurements over this whole-life value.",
    )
    is_enforced = models.BooleanField(
        "switched on",
        default=False,
        help_text="Off: the rule is shown but refuses nothing.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity"]

    def __str__(self) -> str:
        return self.get_activity_display()
