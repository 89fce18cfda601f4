"""Social value (DESIGN §2.4, Worcestershire §5.4): libraries of measures, the commitments a
contract makes at award and the returns that show what it delivered.

A library is versioned: a new year's values come as a new version, and a commitment keeps the
measure, and so the proxy value, of the version it was made under. A measure's unit and proxy
value never change once something has been committed against it.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from contracts.models import Contract
from procurement import dates
from procurement.dates import financial_quarter
from procurement.fsm import ProtectedStateMixin, object_permission
from procurement.models import User

QUANTITY = {"max_digits": 14, "decimal_places": 2}
PENCE = Decimal("0.01")
# A Gateway 1 strategy chooses a short list of measures for bidders to commit to.
MEASURES_AT_GATEWAY_1 = 10


class MeasureLibrary(models.Model):
    """One version of a set of measures: a council's own, or a licensed national set."""

    name = models.CharField(max_length=200)
    version = models.CharField(
        max_length=50, help_text="For example 2026/27: a new year's values are a new version."
    )
    year = models.PositiveSmallIntegerField(
        "first year", null=True, blank=True, help_text="The year its values apply from."
    )
    source = models.CharField(max_length=300, blank=True)
    licence = models.CharField("licence note", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-year", "-version"]
        verbose_name_plural = "measure libraries"
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_library_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Theme(models.Model):
    library = models.ForeignKey(MeasureLibrary, on_delete=models.PROTECT, related_name="themes")
    name = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["library", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["library", "name"], name="one_theme_a_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="outcomes")
    name = models.CharField(max_length=500)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "name"], name="one_outcome_a_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """What is counted (volunteering hours, apprentices, £ spent locally) and, optionally, the
    £ a unit is worth."""

    library = models.ForeignKey(MeasureLibrary, on_delete=models.PROTECT, related_name="measures")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="measures")
    code = models.CharField(max_length=30)
    description = models.TextField()
    unit = models.CharField(max_length=60, help_text="For example hours, people, weeks or £.")
    proxy_value = models.DecimalField(
        "proxy value (£ per unit)",
        **QUANTITY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["library", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="one_measure_a_code"),
            models.CheckConstraint(
                condition=Q(proxy_value__isnull=True) | Q(proxy_value__gte=0),
                name="proxy_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"

    @property
    def is_money(self) -> bool:
        """An output counted in pounds (spend retained locally), shown as money."""
        return self.unit.strip() == "£"

    def value_of(self, quantity: Decimal | None) -> Decimal | None:
        """The £ value of ``quantity`` units, or ``None`` where the measure has no proxy value."""
        if self.proxy_value is None or quantity is None:
            return None
        return (quantity * self.proxy_value).quantize(PENCE)


class CommitmentTerms(models.Model):
    """A quantity of a measure promised by a date: a bid's offer, then the contract's plan."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(Decimal("0.01"))])
    target_date = models.DateField("to be delivered by")

    class Meta:
        abstract = True


class Commitment(CommitmentTerms):
    """A line of a contract's social value plan."""

    class Source(models.TextChoices):
        AWARD = "award", "The winning bid, at award"
        ADDED = "added", "Added to the contract"

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="commitments")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="social_value_commitments"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "measure__library", "measure__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "measure"], name="one_commitment_a_measure"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="commitment_above_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.measure.code}"

    @property
    def value(self) -> Decimal | None:
        return self.measure.value_of(self.quantity)

    def expected_by(self, day: date) -> Decimal:
        """How much should be delivered by ``day``, evenly from the contract's start to the
        target date."""
        start = self.contract.start_date
        if day >= self.target_date or self.target_date <= start:
            return self.quantity
        if day <= start:
            return Decimal("0")
        elapsed = Decimal((day - start).days) / Decimal((self.target_date - start).days)
        return (self.quantity * elapsed).quantize(PENCE)


# A return is for a financial quarter, named by its first day (``period_start``).


def quarter_start(day: date) -> date:
    """The first day of the financial quarter (April to June, ...) ``day`` falls in."""
    return dates.quarter_start(*financial_quarter(day))


def quarter_end(day: date) -> date:
    """The last day of the financial quarter ``day`` falls in."""
    return dates.quarter_end(*financial_quarter(day))


def quarter_label(day: date) -> str:
    """Q1 2026/27 (April to June 2026): the financial quarter ``day`` falls in."""
    return dates.quarter_label(*financial_quarter(day), short=True)


def evidence_path(instance: "DeliveryReturn", filename: str) -> str:
    return f"social-value/{instance.commitment.contract_id}/{Path(filename).name}"


def manages_its_contract(delivery_return: "DeliveryReturn", user: User) -> bool:
    """Whether ``user`` manages the contract whose social value ``delivery_return`` reports."""
    return user.has_perm("socialvalue.manage_contract", delivery_return.commitment.contract)


class DeliveryReturn(ProtectedStateMixin, models.Model):
    """What a commitment delivered in a financial quarter, with the supplier's evidence, until
    the contract manager verifies or queries it.

    Its status changes only by its transitions: awaiting verification, then verified, or
    queried and, once corrected, awaiting verification again.
    """

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting verification"
        VERIFIED = "verified", "Verified"
        QUERIED = "queried", "Queried"

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(Decimal("0"))])
    evidence = models.TextField()
    attachment = models.FileField(upload_to=evidence_path, max_length=300, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    status = FSMField(
        max_length=10, choices=Status.choices, default=Status.AWAITING, protected=True
    )
    query = models.TextField(blank=True, help_text="Why the contract manager queried it.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="one_delivery_return_a_quarter"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="delivery_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} for {quarter_label(self.period_start)}"

    @property
    def period_label(self) -> str:
        return quarter_label(self.period_start)

    @property
    def value(self) -> Decimal | None:
        return self.commitment.measure.value_of(self.quantity)

    def has_evidence(self) -> bool:
        """Whether the supplier's evidence of what was delivered is described."""
        return bool(self.evidence.strip())

    def has_query(self) -> bool:
        """Whether the contract manager has said what is wrong or missing."""
        return bool(self.query.strip())

    @transition(
        field=status,
        source=Status.AWAITING,
        target=Status.VERIFIED,
        conditions=[has_evidence],
        permission=object_permission("socialvalue.verify_return"),
    )
    def verify(self, *, by: User) -> None:
        """The contract manager confirms the evidence supports the quantity: it now counts."""
        self.query = ""
        self.checked_by, self.checked_at = by, timezone.now()

    @transition(
        field=status,
        source=Status.AWAITING,
        target=Status.QUERIED,
        conditions=[has_query],
        permission=object_permission("socialvalue.verify_return"),
    )
    def question(self, *, by: User) -> None:
        """The contract manager queries the return (its ``query`` says why): it does not count
        until it is corrected and verified."""
        self.checked_by, self.checked_at = by, timezone.now()

    @transition(
        field=status,
        source=Status.QUERIED,
        target=Status.AWAITING,
        conditions=[has_evidence],
        permission=manages_its_contract,
    )
    def correct(self, *, by: User) -> None:
        """The query is answered: the return goes back to be checked, by someone other than
        ``by``."""
        self.recorded_by = by
        self.checked_by = self.checked_at = None
