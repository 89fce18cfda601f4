from django import forms

from contracts.models import Supplier
from performance.models import financial_year_label
from procurement.forms import GovukDateField, GovukForm, MoneyField, text_area
from procurement.models import Directorate

from .models import quarter_label
from .selectors import GROUPINGS, measures_for_choice


class QuantityField(MoneyField):
    """A count or an amount as people type it: "1,200", "12.5" or "£35,000"."""

    default_error_messages = {"invalid": "Enter a number, like 120, 12.5 or 35,000"}


def measure_choices() -> list:
    """Every measure, grouped by its library, for a select."""
    groups: dict[str, list] = {}
    for measure in measures_for_choice():
        label = f"{measure.code}: {measure.description} ({measure.unit})"
        groups.setdefault(str(measure.library), []).append((measure.pk, label))
    return [("", "Choose a measure"), *groups.items()]


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Upload the measure library",
        help_text="A CSV or XLSX file with one measure a row, under a row of headings.",
        error_messages={"required": "Choose the file to import"},
    )


class CommitmentForm(GovukForm):
    measure = forms.TypedChoiceField(
        label="Measure", coerce=int, error_messages={"required": "Choose the measure"}
    )
    quantity = QuantityField(
        label="Quantity committed",
        help_text="In the measure's unit: hours, people, weeks, or £ for local spend.",
        error_messages={"required": "Enter the quantity committed"},
    )
    target_date = GovukDateField(
        label="To be delivered by",
        help_text="For example 31 3 2028",
        error_messages={"required": "Enter the date it is to be delivered by"},
    )
    note = text_area("Note (optional)", rows=3, help_text="Where it was agreed, and any detail.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices()


class CommitmentChangeForm(GovukForm):
    quantity = QuantityField(
        label="Quantity committed", error_messages={"required": "Enter the quantity committed"}
    )
    target_date = GovukDateField(
        label="To be delivered by",
        error_messages={"required": "Enter the date it is to be delivered by"},
    )
    reason = text_area(
        "Why is the commitment changing?",
        rows=3,
        required=True,
        help_text="For example the variation that agreed it.",
        error_messages={"required": "Say why the commitment is changing"},
    )


class DeliveryForm(GovukForm):
    quantity = QuantityField(
        label="Quantity delivered in the quarter",
        error_messages={"required": "Enter the quantity delivered"},
    )
    evidence = text_area(
        "Evidence",
        rows=5,
        required=True,
        help_text="What the supplier provided to show it: timesheets, enrolment records, "
        "invoices from local suppliers, case studies.",
        error_messages={"required": "Describe the evidence of what was delivered"},
    )
    attachment = forms.FileField(
        label="Evidence document (optional)",
        required=False,
        help_text="PDF, Word, Excel, OpenDocument, image, text or CSV",
    )


class ReturnForm(DeliveryForm):
    period = forms.TypedChoiceField(
        label="Quarter",
        coerce=str,
        help_text="A return for a quarter can be recorded once the quarter has ended.",
        error_messages={"required": "Choose the quarter the return is for"},
    )
    field_order = ["period", "quantity", "evidence", "attachment"]

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            ("", "Choose a quarter"),
            *((start.isoformat(), quarter_label(start)) for start in quarters),
        ]
        self.quarters = {start.isoformat(): start for start in quarters}

    def period_start(self):
        return self.quarters[self.cleaned_data["period"]]


class QueryForm(GovukForm):
    query = text_area(
        "What is wrong or missing?",
        rows=4,
        required=True,
        help_text="The officer who recorded it will see this and correct the return.",
        error_messages={"required": "Say what is wrong or missing"},
    )


class PortfolioForm(GovukForm):
    by = forms.ChoiceField(
        label="Group by",
        choices=[(key, label) for key, (label, _, _) in GROUPINGS.items()],
        required=False,
    )
    year = forms.TypedChoiceField(
        label="Financial year", coerce=int, required=False, empty_value=None
    )
    directorate = forms.ModelChoiceField(
        label="Directorate",
        queryset=Directorate.objects.order_by("name"),
        required=False,
        empty_label="All directorates",
    )
    theme = forms.ChoiceField(label="Theme", required=False)
    supplier = forms.ModelChoiceField(
        label="Supplier",
        queryset=Supplier.objects.filter(contracts__social_value_commitments__isnull=False)
        .distinct()
        .order_by("name"),
        required=False,
        empty_label="All suppliers",
    )

    def __init__(self, *args, years, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "All years")] + [
            (year, financial_year_label(year)) for year in years
        ]
        self.fields["theme"].choices = [("", "All themes")] + [(t, t) for t in themes]
