"""Forms of contract management. They check what people typed; the services check the rules."""

from datetime import date
from decimal import Decimal

from django import forms

from contracts.models import Contract, ResiliencePlan
from procurement.dates import long_date
from procurement.forms import GovukDateField, GovukForm, MoneyField, text_area
from procurement.models import Directorate
from procurement.thresholds import PLAN_REVIEW_MONTHS

from .models import (
    FIGURE,
    KPI_FIELDS,
    KpiDefinition,
    PerformanceReview,
    SupplierHealthCheck,
    financial_year_label,
    financial_year_of,
)

ACTION_ROWS = 3


def _figure_field(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a number, like 95 or 2.5",
            "max_digits": f"Enter the {label.lower()} with no more than 12 digits",
            "max_decimal_places": f"Enter the {label.lower()} with no more than 2 decimal places",
        },
        **FIGURE,
        **kwargs,
    )
    field.widget.input_type = "text"
    field.widget.attrs.update({"inputmode": "decimal", "class": "govuk-input--width-10"})
    return field


def _reason(
    label: str = "Why are you making this change?",
    required: str = "Say why you are making this change",
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=250,
        help_text="Kept in the history with your name and the time.",
        error_messages={"required": required},
    )


class KpiForm(GovukForm):
    """A KPI's definition: for a contract, or proposed in a Gateway 2 report."""

    name = forms.CharField(
        label="KPI", max_length=200, error_messages={"required": "Enter the KPI's name"}
    )
    measure = text_area(
        "How it is measured",
        3,
        required=True,
        error_messages={"required": "Say how the KPI is measured"},
    )
    unit = forms.CharField(
        max_length=30,
        help_text="For example %, days, visits or £.",
        error_messages={"required": "Enter the unit the KPI is measured in"},
    )
    target = _figure_field("Target")
    direction = forms.ChoiceField(
        label="Is a higher or a lower value better?",
        choices=KpiDefinition.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether a higher or a lower value is better"},
    )
    tolerance = _figure_field(
        "Tolerance",
        min_value=0,
        help_text="How far short of the target a return may fall and be rated amber rather "
        "than red, in the KPI's unit. 0 means any shortfall is red.",
    )
    frequency = forms.TypedChoiceField(
        label="How often is it reported?",
        choices=KpiDefinition.Frequency.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the KPI is reported"},
    )

    def __init__(self, *args, kpi: KpiDefinition | None = None, with_reason: bool = False, **kw):
        super().__init__(*args, **kw)
        self.fields["tolerance"].error_messages["min_value"] = "The tolerance cannot be negative"
        if kpi is not None:
            self.initial.update(kpi.definition())
        else:
            self.initial.setdefault("tolerance", Decimal("0"))
        if with_reason:
            self.fields["change_reason"] = _reason()

    def kpi_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in KPI_FIELDS}


class KpiReturnForm(GovukForm):
    period = forms.ChoiceField(
        label="Period", error_messages={"required": "Choose the period the return is for"}
    )
    value = _figure_field("Value")
    comment = text_area("Comment", 3, help_text="What lies behind the figure, if anything.")

    def __init__(self, *args, periods: list[tuple[date, date]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "Choose a period")] + [
            (start.isoformat(), f"{long_date(start)} to {long_date(end)}") for start, end in periods
        ]
        self.fields["period"].error_messages["invalid_choice"] = (
            "Choose a period that has ended and has no return yet"
        )

    def period_start(self) -> date:
        return date.fromisoformat(self.cleaned_data["period"])


class ReviewForm(GovukForm):
    held_on = GovukDateField(
        label="Date of the review", error_messages={"required": "Enter the date of the review"}
    )
    rating = forms.ChoiceField(
        choices=PerformanceReview.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the rating"},
    )
    rating_other = forms.CharField(label="If other, what is the rating?", required=False)
    narrative = text_area(
        "What the review found",
        6,
        required=True,
        error_messages={"required": "Enter what the review found"},
    )
    frequency_months = forms.TypedChoiceField(
        label="How often is the contract reviewed?",
        choices=Contract._meta.get_field("review_frequency_months").choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the contract is reviewed"},
    )
    next_review_date = GovukDateField(
        label="Next review",
        required=False,
        help_text="Filled in from the frequency; leave it empty if this was the last review.",
    )

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = list(themes)
        for theme in self.themes:
            self.fields[f"theme_{theme.pk}"] = text_area(
                f"What is being delivered against '{theme.name}'?",
                3,
                help_text=theme.description,
            )
        for number in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{number}"] = forms.CharField(label="Action", required=False)
            self.fields[f"owner_{number}"] = forms.CharField(
                label="Owner", required=False, max_length=200
            )
            self.fields[f"due_{number}"] = GovukDateField(label="Due by", required=False)

    def theme_fields(self):
        return [self[f"theme_{theme.pk}"] for theme in self.themes]

    def theme_statements(self) -> dict:
        """What the review found delivered against each theme, for ``review_record``."""
        return {theme: self.cleaned_data.get(f"theme_{theme.pk}") or "" for theme in self.themes}

    def action_rows(self):
        return [
            (n, self[f"action_{n}"], self[f"owner_{n}"], self[f"due_{n}"])
            for n in range(1, ACTION_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        actions = []
        for number in range(1, ACTION_ROWS + 1):
            text = (data.get(f"action_{number}") or "").strip()
            owner = (data.get(f"owner_{number}") or "").strip()
            due = data.get(f"due_{number}")
            if f"due_{number}" in self.errors or not (text or owner or due):
                continue
            if not text:
                self.add_error(f"action_{number}", f"Describe action {number}")
            if not owner:
                self.add_error(f"owner_{number}", f"Name the owner of action {number}")
            if not due:
                self.add_error(f"due_{number}", f"Enter the date action {number} is due by")
            if text and owner and due:
                actions.append((text, owner, due))
        data["actions"] = actions
        return data


class ActionDoneForm(GovukForm):
    completed_on = GovukDateField(
        label="Date it was done", error_messages={"required": "Enter the date it was done"}
    )


class ExceptionResponseForm(GovukForm):
    provider_explanation = text_area(
        "The provider's explanation",
        5,
        required=True,
        help_text="Why performance fell below what was expected, in the provider's words.",
        error_messages={"required": "Enter the provider's explanation"},
    )
    remedial_plan = text_area(
        "Remedial plan",
        5,
        required=True,
        help_text="What the provider will do to put it right, and by when.",
        error_messages={"required": "Enter the remedial plan"},
    )


class MeetingForm(GovukForm):
    meeting_date = GovukDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )
    attendees = forms.CharField(
        label="Who attended for the provider",
        max_length=500,
        error_messages={"required": "Enter who attended for the provider"},
    )
    notes = text_area("What was said", 5)


class CloseForm(GovukForm):
    closure_note = text_area(
        "Why can the exception be closed?",
        4,
        required=True,
        help_text="For example, the returns since the plan began are back on target.",
        error_messages={"required": "Say why the exception can be closed"},
    )


class SavingForm(GovukForm):
    financial_year = forms.TypedChoiceField(
        coerce=int, error_messages={"required": "Choose the financial year"}
    )
    cashable = MoneyField(
        label="Cashable savings (£)",
        min_value=Decimal("0"),
        error_messages={
            "required": "Enter the cashable savings, or 0",
            "min_value": "Savings cannot be negative",
        },
    )
    non_cashable = MoneyField(
        label="Non-cashable savings (£)",
        min_value=Decimal("0"),
        help_text="Costs avoided or value added without a cut in the budget.",
        error_messages={
            "required": "Enter the non-cashable savings, or 0",
            "min_value": "Savings cannot be negative",
        },
    )
    note = text_area("How the savings were made", 3)

    def __init__(self, *args, contract: Contract, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        first = financial_year_of(contract.start_date)
        last = financial_year_of(min(contract.end_date or today, today))
        self.fields["financial_year"].choices = [("", "Choose a year")] + [
            (year, financial_year_label(year)) for year in range(last, first - 1, -1)
        ]
        self.fields["financial_year"].error_messages["invalid_choice"] = (
            "Choose a financial year of the contract's term up to now"
        )


class PlannedSavingsForm(GovukForm):
    planned_savings = MoneyField(
        label="Savings planned over the contract's life (£)",
        required=False,
        min_value=Decimal("0"),
        error_messages={"min_value": "Planned savings cannot be negative"},
    )
    change_reason = _reason()


class RiskForm(GovukForm):
    financial_risk = forms.ChoiceField(
        label="Financial", error_messages={"required": "Select the financial risk"}
    )
    operational_risk = forms.ChoiceField(
        label="Operational", error_messages={"required": "Select the operational risk"}
    )
    contractual_risk = forms.ChoiceField(
        label="Contractual", error_messages={"required": "Select the contractual risk"}
    )
    supplier_failure_risk = forms.ChoiceField(
        label="Supplier failure", error_messages={"required": "Select the supplier failure risk"}
    )
    risk_review_date = GovukDateField(
        label="Next risk review", error_messages={"required": "Enter the next risk review date"}
    )
    change_reason = _reason("What is the assessment based on?")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Contract.RISK_PARTS:
            field = self.fields[name]
            field.choices = [("", "Choose a rating"), *Contract.Risk.choices]
            field.error_messages["required"] = f"Rate the {field.label.lower()} risk"


class PortfolioFilterForm(GovukForm):
    directorate = forms.ModelChoiceField(
        queryset=Directorate.objects.filter(is_active=True), required=False, empty_label="Any"
    )
    rating = forms.ChoiceField(
        label="Latest rating",
        choices=[("", "Any"), *PerformanceReview.Rating.choices, ("none", "Not yet reviewed")],
        required=False,
    )
    overdue = forms.BooleanField(label="Only reviews overdue", required=False)
    exceptions = forms.BooleanField(label="Only with open exceptions", required=False)


class HealthCheckForm(GovukForm):
    checked_on = GovukDateField(
        label="Date of the check", error_messages={"required": "Enter the date of the check"}
    )
    source = forms.ChoiceField(
        label="Where did the check come from?",
        choices=SupplierHealthCheck.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the check came from"},
    )
    rating = forms.ChoiceField(
        label="Rating of the supplier's business health",
        choices=SupplierHealthCheck.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating"},
    )
    notes = text_area("What did the check find?")


class PlanForm(GovukForm):
    kind = forms.ChoiceField(
        label="Type of plan",
        choices=ResiliencePlan.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose continuity plan or exit plan"},
    )
    file = forms.FileField(
        label="Upload the plan",
        help_text="PDF, Word, Excel, OpenDocument, image, text or CSV",
        error_messages={"required": "Select a file to upload"},
    )
    review_date = GovukDateField(
        label="Next review",
        help_text=(
            f"After today and within {PLAN_REVIEW_MONTHS // 12} years: the plan counts as current "
            "until this date. For example, 31 3 2027"
        ),
        error_messages={"required": "Enter the date of the next review"},
    )
    change_reason = _reason("What does the plan cover?", required="Say what the plan covers")
