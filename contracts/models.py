"""The contract register: suppliers, contracts, the events that change them, and attachments."""

from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from procurement.act import Figures, Standing, standing
from procurement.cpv import validate_cpv_code
from procurement.models import MONEY, ContractCategory, Directorate, Threshold

DEFAULT_KIND = Threshold.Kind.GOODS_SERVICES

companies_house_number = RegexValidator(
    r"^(?:\d{8}|[A-Z]{2}\d{6})$",
    "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
)
charity_number = RegexValidator(
    r"^(?:\d{6,8}(?:-\d{1,2})?|SC\d{6})$",
    "Enter a charity number, like 1234567 or SC012345",
)


class Supplier(models.Model):
    """A supplier, including the council's own in-house or arm's-length providers (Kent R25)."""

    name = models.CharField(max_length=200)
    companies_house_number = models.CharField(
        "Companies House number",
        max_length=8,
        blank=True,
        validators=[companies_house_number],
    )
    charity_number = models.CharField(max_length=12, blank=True, validators=[charity_number])
    postcode = models.CharField(max_length=10, blank=True)
    is_sme = models.BooleanField("SME", default=False)
    is_vcse = models.BooleanField("VCSE", default=False)
    is_local = models.BooleanField("local", default=False)
    is_in_house = models.BooleanField("in-house or arm's-length", default=False)
    is_strategic = models.BooleanField(
        "strategic supplier",
        default=False,
        help_text="A supplier whose failure would seriously affect the council's services.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["companies_house_number"],
                condition=~Q(companies_house_number=""),
                name="supplier_companies_house_number_unique",
            ),
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~Q(charity_number=""),
                name="supplier_charity_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.companies_house_number = self.companies_house_number.strip().upper()
        self.charity_number = self.charity_number.strip().upper()
        self.postcode = self.postcode.strip().upper()
        super().save(*args, **kwargs)

    @property
    def registration(self) -> str:
        return self.companies_house_number or self.charity_number


class Contract(models.Model):
    """A contract on the register. Variations, extensions and termination are recorded as events."""

    class Route(models.TextChoices):
        QUOTE = "quote", "Quotation"
        TENDER = "tender", "Published tender"
        FRAMEWORK = "framework", "Framework call-off"
        DIRECT_AWARD = "direct_award", "Direct award"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ACTIVE = "active", "Active"
        EXPIRING = "expiring", "Expiring"
        EXPIRED = "expired", "Expired"
        EXTENDED = "extended", "Extended"
        TERMINATED = "terminated", "Terminated"

    # The council's own reference. Lots (or several suppliers) awarded under one reference are
    # separate contracts that share it, told apart by ``lot``; a reference alone is unique.
    reference = models.CharField(max_length=50)
    lot = models.CharField(
        max_length=100,
        blank=True,
        help_text="The lot, or the supplier, that tells contracts under one reference apart.",
    )
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="contracts")
    category = models.ForeignKey(
        ContractCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_contracts",
    )
    lead_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directed_contracts",
    )
    whole_life_value = models.DecimalField(
        "whole-life value",
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The whole-life value, including extension options.",
    )
    annual_value = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    irrecoverable_vat = models.DecimalField(
        "irrecoverable VAT",
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    # The Procurement Act 2023 compares the value including VAT: blank where the VAT is not
    # recorded, and then the standard rate is assumed (decision record 0050).
    vat = models.DecimalField(
        "VAT on the whole-life value",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Enter 0 for a contract with no VAT. Leave blank if not known: the standard "
        "rate is then assumed.",
    )
    procurement_began_on = models.DateField(
        "procurement began",
        null=True,
        blank=True,
        help_text="The day its procurement began (its first notice, or the first approach to "
        "suppliers): it decides the law and the thresholds that apply. Blank: the start date.",
    )
    signed_on = models.DateField(
        "contract entered into",
        null=True,
        blank=True,
        help_text="The day the contract was signed. Blank: the start date.",
    )
    start_date = models.DateField()
    # No end date: a rolling (evergreen) contract, reviewed on its review date instead of ending.
    end_date = models.DateField(
        null=True, blank=True, help_text="Blank for a rolling contract, which has no end date."
    )
    review_date = models.DateField(null=True, blank=True)
    extension_options = models.PositiveSmallIntegerField(
        default=0, help_text="How many extension options the contract allows."
    )
    extension_option_months = models.PositiveSmallIntegerField(
        default=0, help_text="How many months each extension option adds."
    )
    extension_options_value = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="The value of all the extension options (part of the whole-life value).",
    )
    extensions_used = models.PositiveSmallIntegerField(default=0)
    procurement_route = models.CharField(max_length=20, choices=Route.choices)
    key_decision_reference = models.CharField(max_length=100, blank=True)
    risk_rating = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    # The risk assessment behind the overall rating: its four parts and when it is next reviewed.
    financial_risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    operational_risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    contractual_risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    supplier_failure_risk = models.CharField(
        "risk of supplier failure", max_length=10, choices=Risk.choices, blank=True
    )
    risk_review_date = models.DateField("risk review date", null=True, blank=True)
    # Performance reviews: ``review_date`` is the next one due; recording one schedules the next
    # this many months later.
    review_frequency_months = models.PositiveSmallIntegerField(
        "months between performance reviews",
        default=12,
        choices=[(3, "Every 3 months"), (6, "Every 6 months"), (12, "Every 12 months")],
    )
    planned_savings = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Savings planned over the contract's life (from its procurement).",
    )
    ocid = models.CharField("OCID", max_length=100, blank=True)
    # What is bought, in the Common Procurement Vocabulary (procurement/cpv.py): its main code.
    cpv_code = models.CharField(
        "CPV code",
        max_length=10,
        blank=True,
        validators=[validate_cpv_code],
        help_text="The main CPV 2008 code of what is bought, like 45000000-7.",
    )
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    # The contract manager's answer to a renewal alert that the contract will simply end: it holds
    # for this end date only, so a variation or extension that moves the end asks again.
    ending_confirmed_for = models.DateField("will end on", null=True, blank=True)
    ending_reason = models.TextField("why it will end without a replacement", blank=True)
    # The approved Gateway 2 report that put the contract on the register, by number (the register
    # may not depend on the gateways): unique, so one approval awards one contract, even in a race.
    gateway_report = models.PositiveIntegerField(
        "awarded under Gateway 2 report", null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference", "lot"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "lot"],
                name="contract_reference_lot_unique",
                violation_error_message="A contract with this reference is already on the register",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(whole_life_value__gt=0), name="contract_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(vat__isnull=True) | Q(vat__gte=0), name="contract_vat_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(extensions_used__lte=F("extension_options")),
                name="contract_extensions_within_options",
            ),
        ]
        # The register sorts by these, then by id to keep pages stable.
        indexes = [
            models.Index(fields=["end_date", "id"], name="contract_end_date_id"),
            models.Index(fields=["start_date", "id"], name="contract_start_date_id"),
            models.Index(fields=["whole_life_value", "id"], name="contract_value_id"),
            models.Index(fields=["title", "id"], name="contract_title_id"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_and_lot}: {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("contracts:detail", args=[self.pk])

    def clean(self) -> None:
        # Contracts over £50,000 must name a contract manager and a lead director, but that rule
        # is the form's and the services' (``named_officers_missing``), not the model's: a legacy
        # register imported without them is accepted, and the gap shown to be filled.
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be the same as or after the start date"
        if self.review_date and self.start_date:
            if self.end_date is None:
                if self.review_date < self.start_date:
                    errors["review_date"] = (
                        "The review date of a rolling contract must be on or after its start date"
                    )
            elif not self.start_date <= self.review_date <= self.end_date:
                errors["review_date"] = "The review date must be within the contract term"
        if self.extension_options:
            if not self.extension_option_months:
                errors["extension_option_months"] = (
                    "Enter how many months each extension option adds"
                )
        elif self.extension_option_months or self.extension_options_value:
            errors["extension_options"] = (
                "Enter how many extension options there are, or leave their months and value at 0"
            )
        if (
            self.whole_life_value
            and self.extension_options_value
            and self.extension_options_value > self.whole_life_value
        ):
            errors["extension_options_value"] = (
                "The value of the extension options is part of the whole-life value, "
                "so it cannot be more than it"
            )
        if (
            self.annual_value
            and self.whole_life_value
            and self.annual_value > self.whole_life_value
        ):
            errors["annual_value"] = "The annual value cannot be more than the whole-life value"
        if self.extensions_used > self.extension_options:
            errors["extension_options"] = (
                f"{self.extensions_used} extensions have been used: the contract cannot allow fewer"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def reference_and_lot(self) -> str:
        """The reference as people quote it: with the lot where one reference has several."""
        return f"{self.reference} ({self.lot})" if self.lot else self.reference

    RISK_PARTS = ("financial_risk", "operational_risk", "contractual_risk", "supplier_failure_risk")

    @property
    def risks(self) -> list[tuple[str, str]]:
        """The four parts of the risk assessment, labelled, as people read them."""
        return [
            (
                str(self._meta.get_field(name).verbose_name).capitalize(),
                getattr(self, f"get_{name}_display")(),
            )
            for name in self.RISK_PARTS
        ]

    def act_standing(self, figures: Figures | None = None) -> Standing:
        """Its regime and threshold, from the day its procurement began (or its start)."""
        return standing(
            value=self.whole_life_value,
            vat=self.vat,
            kind=self.category.threshold_kind if self.category else DEFAULT_KIND,
            began=self.procurement_began_on or self.start_date,
            began_assumed=self.procurement_began_on is None,
            figures=figures or Figures.load(),
        )

    @cached_property
    def act(self) -> Standing:
        """Its standing under the law, for its page and the API."""
        return self.act_standing()

    @property
    def entered_into(self) -> date:
        """The day it was entered into: its signing, or its start where that is not recorded."""
        return self.signed_on or self.start_date

    @property
    def is_rolling(self) -> bool:
        """A contract with no end date, which runs on until it is ended (evergreen)."""
        return self.end_date is None

    @property
    def renewal_date(self) -> date | None:
        """The day its future is decided: the end date, or a rolling contract's review date."""
        return self.review_date if self.end_date is None else self.end_date

    @property
    def ending_confirmed(self) -> bool:
        return self.ending_confirmed_for is not None and self.ending_confirmed_for == self.end_date

    @property
    def extensions_remaining(self) -> int:
        return self.extension_options - self.extensions_used

    # The details people enter and correct, on the form and in the import (not reference, which
    # identifies the contract, nor the fields only events change).
    DETAIL_FIELDS = (
        "title",
        "description",
        "directorate",
        "category",
        "supplier",
        "contract_manager",
        "lead_director",
        "whole_life_value",
        "annual_value",
        "irrecoverable_vat",
        "start_date",
        "end_date",
        "review_date",
        "extension_options",
        "extension_option_months",
        "extension_options_value",
        "procurement_route",
        "key_decision_reference",
        "risk_rating",
        "cpv_code",
    )

    COMPLETENESS_FIELDS = (
        ("description", "description"),
        ("category_id", "category"),
        ("contract_manager_id", "contract manager"),
        ("lead_director_id", "lead director"),
        ("review_date", "review date"),
        ("annual_value", "annual value"),
        ("risk_rating", "risk rating"),
        ("key_decision_reference", "key decision reference"),
    )

    def missing_details(self) -> list[str]:
        """The optional details the register does not yet hold for this contract."""
        return [
            label for attribute, label in self.COMPLETENESS_FIELDS if not getattr(self, attribute)
        ]

    @property
    def completeness(self) -> int:
        """How complete the record is, as a percentage of its optional details."""
        total = len(self.COMPLETENESS_FIELDS)
        return round(100 * (total - len(self.missing_details())) / total)


class ContractEvent(models.Model):
    """A variation, extension or termination: recorded once, never edited, never deleted."""

    class Kind(models.TextChoices):
        VARIATION = "variation", "Variation"
        EXTENSION = "extension", "Extension"
        TERMINATION = "termination", "Termination"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_date = models.DateField()
    previous_value = models.DecimalField(**MONEY)
    new_value = models.DecimalField(**MONEY)
    # Blank where the contract was, or is, rolling (no end date).
    previous_end_date = models.DateField(null=True, blank=True)
    new_end_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    approved_by = models.CharField(
        max_length=200, help_text="Who approved it, with the decision reference."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The approved Gateway 3 report that ordered an extension, by number: one approval, one
    # extension.
    gateway_report = models.PositiveIntegerField(
        "made under Gateway 3 report", null=True, blank=True, unique=True, editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_date", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.contract.reference} from {self.effective_date}"

    @property
    def value_change(self) -> Decimal:
        return self.new_value - self.previous_value


def attachment_path(instance: "ContractAttachment", filename: str) -> str:
    return f"contracts/{instance.contract_id}/{filename}"


class ContractAttachment(models.Model):
    class Kind(models.TextChoices):
        CONTRACT = "contract", "Contract document"
        VARIATION = "variation", "Variation or extension"
        OTHER = "other", "Other"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class RenewalBand(models.Model):
    """A value band and its renewal lead times (DESIGN §2.6), edited by administrators.

    A contract belongs to the highest band whose lower limit its whole-life value is above; it is
    "expiring" inside the band's longest lead time, and its renewal alerts go out at each one.
    """

    name = models.CharField(max_length=100)
    value_above = models.DecimalField(
        "whole-life value above",
        **MONEY,
        unique=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="The band holds contracts worth more than this. The lowest band holds every "
        "contract below the next one up, whatever its own figure.",
    )
    lead_months = models.CharField(
        "lead times in months",
        max_length=60,
        help_text="Months before the end date at which alerts go, such as 9, 6, 3.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-value_above"]

    def __str__(self) -> str:
        return f"{self.name}: {self.lead_months} months"

    def save(self, *args, **kwargs):
        # Every page that shows a contract's status reads these: never store them unreadable.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .lead_times import parse_lead_months

        try:
            months = parse_lead_months(self.lead_months or "")
        except ValueError as error:
            raise ValidationError({"lead_months": str(error)}) from None
        self.lead_months = ", ".join(str(month) for month in months)

    def as_value_band(self):
        from .lead_times import ValueBand, parse_lead_months

        return ValueBand(self.name, self.value_above, parse_lead_months(self.lead_months))


def plan_path(instance: "ResiliencePlan", filename: str) -> str:
    owner = f"contracts/{instance.contract_id}" if instance.contract_id else "suppliers"
    if not instance.contract_id:
        owner = f"{owner}/{instance.supplier_id}"
    return f"{owner}/plans/{filename}"


class ResiliencePlan(models.Model):
    """A continuity or exit plan (seed 000 §8d) for a strategic supplier or a key contract: the
    document and when it is next reviewed. A newer plan of the same kind supersedes the older,
    which stays on the record; a plan past its review date no longer counts as current."""

    class Kind(models.TextChoices):
        CONTINUITY = "continuity", "Continuity plan"
        EXIT = "exit", "Exit plan"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    file = models.FileField(upload_to=plan_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    review_date = models.DateField("next review")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier__isnull=True, contract__isnull=False)
                | Q(supplier__isnull=False, contract__isnull=True),
                name="resilience_plan_for_supplier_or_contract",
            )
        ]
        indexes = [
            models.Index(fields=["contract", "kind", "review_date"]),
            models.Index(fields=["supplier", "kind", "review_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
