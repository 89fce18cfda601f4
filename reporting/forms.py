from django import forms
from django.utils import timezone

from performance.models import financial_year_label
from procurement.forms import GovukForm
from procurement.models import ContractCategory, Directorate
from procurement.query import parsed, row_id

from .selectors import years_with_data
from .services import report_years

NO_CATEGORY = "none"


def _year_choices() -> list[tuple[int, str]]:
    """Only the years with figures to show: the current one back to the first with data."""
    return [
        (year, financial_year_label(year)) for year in years_with_data(today=timezone.localdate())
    ]


def _report_year_choices() -> list[tuple[int, str]]:
    return [(year, financial_year_label(year)) for year in report_years(today=timezone.localdate())]


class ScopeForm(GovukForm):
    """The dashboard's filters: a financial year and a directorate."""

    year = forms.TypedChoiceField(
        label="Financial year", coerce=int, required=False, empty_value=None
    )
    directorate = forms.ModelChoiceField(
        label="Directorate",
        queryset=Directorate.objects.order_by("name"),
        required=False,
        empty_label="All directorates",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()


class FigureScopeForm(ScopeForm):
    """A list behind a figure: the dashboard's filters and, from its charts, a category."""

    category = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_category(self) -> int | None:
        given = self.cleaned_data["category"].strip()
        if not given:
            return None
        if given == NO_CATEGORY:
            return 0
        category_id = parsed(given, row_id())
        if category_id is None or not ContractCategory.objects.filter(pk=category_id).exists():
            raise forms.ValidationError("There is no such category: go back to the dashboard")
        return category_id


class ReportRequestForm(GovukForm):
    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    reason = forms.CharField(
        label="Why build a new version? (optional)",
        help_text="For example: the fourth quarter's savings are now recorded.",
        max_length=250,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _report_year_choices()


class PublishReportForm(GovukForm):
    reason = forms.CharField(
        label="Why publish this version?",
        help_text="For example: approved by the Audit and Transparency Committee on 12 June.",
        max_length=250,
    )


class PublishReviewForm(GovukForm):
    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    reason = forms.CharField(
        label="Why publish it?",
        help_text="For example: the year's returns are all verified.",
        max_length=250,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _report_year_choices()
