"""Managing contracts for outcomes (DESIGN §2.2, Kent R22, R23, Cotswold §5): KPIs and their
returns, scheduled performance reviews with actions, exceptions raised to the accountable officer,
and the savings delivered each year."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from contracts.lead_times import add_months
from contracts.models import Contract
from procurement.dates import long_date
from procurement.fsm import ProtectedStateMixin, object_permission
from procurement.models import MONEY, PlanTheme, User
from procurement.thresholds import KPIS_ABOVE

# A KPI return is due this many days after the end of the period it reports on.
RETURN_DUE_DAYS = 30
FIGURE = {"max_digits": 14, "decimal_places": 2}


def kpis_required(value: Decimal | None) -> bool:
    """Whether a contract of this whole-life value must carry at least three KPIs."""
    return value is not None and value > KPIS_ABOVE


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class KpiDefinition(models.Model):
    """What a KPI measures and how its returns are rated: shared by a contract's KPIs and the
    KPIs proposed in a Gateway 2 report, which become the contract's at award."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Frequency(models.IntegerChoices):
        MONTHLY = 1, "Monthly"
        QUARTERLY = 3, "Quarterly"
        SIX_MONTHLY = 6, "Every six months"
        ANNUAL = 12, "Annually"

    name = models.CharField(max_length=200)
    measure = models.TextField("how it is measured")
    unit = models.CharField(max_length=30, help_text="For example %, days, visits or £.")
    target = models.DecimalField(**FIGURE)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    tolerance = models.DecimalField(
        **FIGURE,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="How far from the target a return may fall and be rated amber, not red.",
    )
    frequency = models.PositiveSmallIntegerField(
        "reporting frequency", choices=Frequency.choices, default=Frequency.QUARTERLY
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def rate(self, value: Decimal) -> str:
        """Green at or better than the target; amber within the tolerance of it; red beyond."""
        return rate(value, target=self.target, tolerance=self.tolerance, direction=self.direction)

    def definition(self) -> dict:
        """The fields that define the KPI, to copy it (a proposal becomes a contract's KPI)."""
        return {field: getattr(self, field) for field in KPI_FIELDS}


KPI_FIELDS = ("name", "measure", "unit", "target", "direction", "tolerance", "frequency")


def rate(value: Decimal, *, target: Decimal, tolerance: Decimal, direction: str) -> str:
    shortfall = target - value if direction == KpiDefinition.Direction.HIGHER else value - target
    if shortfall <= 0:
        return Rag.GREEN
    if shortfall <= tolerance:
        return Rag.AMBER
    return Rag.RED


class Kpi(KpiDefinition):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="kpis")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "pk"]

    def period(self, number: int) -> tuple[date, date]:
        """The contract's ``number``-th reporting period for this KPI, from 0: (first, last day)."""
        start = self.contract.start_date
        return (
            add_months(start, number * self.frequency),
            add_months(start, (number + 1) * self.frequency) - ONE_DAY,
        )

    def periods(self, *, until: date) -> list[tuple[date, date]]:
        """The reporting periods within the contract's term whose last day is before ``until``."""
        periods = []
        while True:
            period = self.period(len(periods))
            end = self.contract.end_date
            if period[1] >= until or (end is not None and period[1] > end):
                return periods
            periods.append(period)

    def current_period(self, *, today: date) -> tuple[date, date] | None:
        """The period ``today`` falls in, while the contract runs."""
        end = self.contract.end_date
        if today < self.contract.start_date or (end is not None and today > end):
            return None
        number = 0
        while (period := self.period(number))[1] < today:
            number += 1
        return period


ONE_DAY = timedelta(days=1)


def return_due(period_end: date) -> date:
    return period_end + timedelta(days=RETURN_DUE_DAYS)


class KpiReturn(models.Model):
    """One period's value for a KPI, rated when it is recorded against the KPI as it stood."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(**FIGURE)
    comment = models.TextField(blank=True)
    rating = models.CharField(max_length=10, choices=Rag.choices)
    target = models.DecimalField(**FIGURE, help_text="The target when the return was rated.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="one_return_a_period"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} for {long_date(self.period_start)} to {long_date(self.period_end)}"

    @property
    def was_late(self) -> bool:
        return self.recorded_at.date() > return_due(self.period_end)


class PerformanceReview(models.Model):
    """A scheduled review of a contract's performance, with the rating the Procurement Act
    asks councils to publish each year for contracts over £5m."""

    class Rating(models.TextChoices):
        GOOD = "good", "Good"
        APPROACHING = "approaching", "Approaching target"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        OTHER = "other", "Other"

    POOR = (Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField("date of the review")
    rating = models.CharField(max_length=30, choices=Rating.choices)
    rating_other = models.CharField("the rating, if other", max_length=200, blank=True)
    narrative = models.TextField()
    # Each KPI's latest return when the review was recorded: name, period, value, target, rating.
    kpi_position = models.JSONField(default=list, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rating="other") | ~Q(rating_other=""), name="other_rating_named"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.contract.reference} on {long_date(self.held_on)}"

    @property
    def rating_label(self) -> str:
        if self.rating == self.Rating.OTHER:
            return f"Other: {self.rating_other}"
        return self.get_rating_display()

    @property
    def is_poor(self) -> bool:
        return self.rating in self.POOR


class ReviewAction(models.Model):
    review = models.ForeignKey(PerformanceReview, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who will do it: a name and organisation.")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class ThemeDelivery(models.Model):
    """What a performance review found the contract delivering against a Council Plan theme
    (RBKC §4d: the themes embedded in contract management and its reports)."""

    review = models.ForeignKey(
        PerformanceReview, on_delete=models.PROTECT, related_name="theme_deliveries"
    )
    theme = models.ForeignKey(PlanTheme, on_delete=models.PROTECT, related_name="deliveries")
    delivered = models.TextField(help_text="What is being delivered against the theme.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "theme__order", "theme__name"]
        verbose_name_plural = "theme deliveries"
        constraints = [
            models.UniqueConstraint(fields=["review", "theme"], name="theme_once_a_review"),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.delivered}"


def works_on(exception: "PerformanceException", user: User) -> bool:
    """Whether ``user`` may record the provider's response or a meeting on ``exception``: those
    who manage its contract, and those who may close it."""
    return user.has_perm("performance.manage_contract", exception.contract) or user.has_perm(
        "performance.close_exception", exception
    )


class PerformanceException(ProtectedStateMixin, models.Model):
    """An in-quarter exception (Cotswold §5): under-performance reported to the accountable
    officer, with the provider's explanation and remedial plan, until it is closed.

    Its status changes only by its transitions: open, then a remedial plan in place once the
    provider's response is recorded, and closed with a note once there is a plan.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting the provider's response"
        PLAN_AGREED = "plan_agreed", "Remedial plan in place"
        CLOSED = "closed", "Closed"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="exceptions")
    kpi = models.ForeignKey(
        Kpi, on_delete=models.PROTECT, null=True, blank=True, related_name="exceptions"
    )
    kpi_return = models.ForeignKey(
        KpiReturn, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(
        PerformanceReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exceptions",
    )
    accountable_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountable_exceptions",
    )
    reason = models.TextField(help_text="What fell below what was expected.")
    opened_on = models.DateField()
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    provider_explanation = models.TextField(blank=True)
    remedial_plan = models.TextField(blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    meeting_attendees = models.TextField("who attended for the provider", blank=True)
    meeting_notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kpi__isnull=False) | Q(review__isnull=False),
                name="exception_has_a_cause",
            ),
            # A KPI has one exception open at a time: later red returns join it.
            models.UniqueConstraint(
                fields=["kpi"],
                condition=Q(kpi__isnull=False) & ~Q(status="closed"),
                name="one_open_exception_a_kpi",
            ),
        ]

    def __str__(self) -> str:
        return f"Exception on {self.contract.reference} from {long_date(self.opened_on)}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def has_response(self) -> bool:
        """Whether the provider's explanation and remedial plan are both recorded."""
        return bool(self.provider_explanation.strip() and self.remedial_plan.strip())

    def has_plan(self) -> bool:
        """Whether the provider's remedial plan is recorded."""
        return bool(self.remedial_plan)

    def has_closure_note(self) -> bool:
        """Whether it says why the exception can be closed."""
        return bool(self.closure_note.strip())

    @transition(
        field=status,
        source=[Status.OPEN, Status.PLAN_AGREED],
        target=Status.PLAN_AGREED,
        conditions=[has_response],
        permission=works_on,
    )
    def agree_plan(self) -> None:
        """The provider's explanation and remedial plan are recorded (again, if it changes)."""

    @transition(
        field=status,
        source=[Status.OPEN, Status.PLAN_AGREED],
        target=Status.CLOSED,
        conditions=[has_plan, has_closure_note],
        permission=object_permission("performance.close_exception"),
    )
    def close(self, *, by: User, on: date) -> None:
        """Its accountable officer or the central team closes it, once there is a plan."""
        self.closed_on, self.closed_by = on, by


class Saving(models.Model):
    """The savings a contract delivered in one financial year (April to March)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="savings")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2025 for 2025/26."
    )
    cashable = models.DecimalField(
        **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0.00"))]
    )
    non_cashable = models.DecimalField(
        "non-cashable",
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    note = models.TextField("how the savings were made", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "financial_year"], name="one_saving_a_year"
            ),
            models.CheckConstraint(condition=Q(cashable__gte=0), name="cashable_not_negative"),
            models.CheckConstraint(
                condition=Q(non_cashable__gte=0), name="non_cashable_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Savings on {self.contract.reference} in {self.year_label}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def total(self) -> Decimal:
        return self.cashable + self.non_cashable


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_of(day: date) -> int:
    """The financial year (April to March) ``day`` falls in, by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


class SupplierHealthCheck(models.Model):
    """A check of a supplier's business health (seed 000 §8d, §9 objective 4): when, from what
    source, the rating, who checked, and when the next check is due. Checks are never edited:
    a new check supersedes the last, and the history is the list of checks."""

    class Source(models.TextChoices):
        CREDIT_REFERENCE = "credit_reference", "Credit reference"
        ACCOUNTS = "accounts", "Published accounts"
        COMPANIES_HOUSE = "companies_house", "Companies House filing status"

    class Rating(models.TextChoices):
        STRONG = "strong", "Strong"
        ADEQUATE = "adequate", "Adequate"
        WEAK = "weak", "Weak"
        CRITICAL = "critical", "Critical"

    # Ratings that call for action: the supplier risk page and the annual report count them.
    CONCERNS = (Rating.WEAK, Rating.CRITICAL)

    supplier = models.ForeignKey(
        "contracts.Supplier", on_delete=models.PROTECT, related_name="health_checks"
    )
    checked_on = models.DateField("date of the check")
    source = models.CharField(max_length=20, choices=Source.choices)
    rating = models.CharField(max_length=10, choices=Rating.choices)
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    next_due = models.DateField("next check due")
    # The sooner date the check is due by while the supplier is strategic or holds a running key
    # contract: whenever it becomes one, the sooner date applies (performance/selectors.py
    # ``health_check_due``), by whatever path it became one.
    next_due_if_key = models.DateField("next check due if strategic or holding a key contract")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due__gt=models.F("checked_on")),
                name="health_check_next_due_after_check",
            ),
            models.CheckConstraint(
                condition=Q(next_due_if_key__gt=models.F("checked_on"))
                & Q(next_due_if_key__lte=models.F("next_due")),
                name="health_check_sooner_due_between",
            ),
        ]
        indexes = [models.Index(fields=["supplier", "-checked_on", "-id"])]

    def __str__(self) -> str:
        return f"Health check of {self.supplier} on {long_date(self.checked_on)}"

    def due_on(self, *, key: bool) -> date:
        """When the next check is due, as the supplier now stands (``key``: strategic or holding
        a running key contract)."""
        return self.next_due_if_key if key else self.next_due
