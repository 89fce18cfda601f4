"""The spend pages' forms: the lists' filters, and explaining a line of spend with no contract."""

from decimal import Decimal

from django import forms

from procurement.forms import GovukForm
from procurement.models import Directorate

from .models import ExemptCategory, Explanation, SpendThreshold
from .selectors.gaps import GapFilters, PastFilters

EXPLAINED_CHOICES = [("", "Either"), ("no", "Not explained"), ("yes", "Explained")]


def _directorates() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Directorate.objects.order_by("name"), required=False, empty_label="All"
    )


class GapFilterForm(GovukForm):
    directorate = _directorates()
    band = forms.ModelChoiceField(
        label="Threshold reached",
        queryset=SpendThreshold.objects.order_by("amount"),
        to_field_name="amount",
        required=False,
        empty_label="Any",
    )
    explained = forms.ChoiceField(choices=EXPLAINED_CHOICES, required=False)

    def filters(self) -> GapFilters:
        """The filters asked for (none where the form is not valid)."""
        if not self.is_valid():
            return GapFilters()
        data = self.cleaned_data
        explained = {"yes": True, "no": False}.get(data.get("explained") or "")
        band = data.get("band")
        return GapFilters(
            directorate_id=data["directorate"].pk if data.get("directorate") else None,
            band=Decimal(band.amount) if band else None,
            explained=explained,
        )


class PastFilterForm(GovukForm):
    directorate = _directorates()

    def filters(self) -> PastFilters:
        if not self.is_valid() or not self.cleaned_data.get("directorate"):
            return PastFilters()
        return PastFilters(directorate_id=self.cleaned_data["directorate"].pk)


class ExplanationForm(GovukForm):
    kind = forms.ChoiceField(
        label="Why is there no contract?",
        choices=Explanation.Kind.choices,
        widget=forms.RadioSelect,
    )
    exempt_category = forms.ModelChoiceField(
        label="Exempt category",
        queryset=ExemptCategory.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text="For an exempt category.",
    )
    waiver_reference = forms.CharField(
        label="Waiver reference",
        max_length=100,
        required=False,
        help_text="For a waiver: the reference of the decision that waived the rules.",
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Explanation.Kind.EXEMPT and not data.get("exempt_category"):
            self.add_error("exempt_category", "Select the exempt category")
        if kind == Explanation.Kind.WAIVER and not (data.get("waiver_reference") or "").strip():
            self.add_error("waiver_reference", "Enter the waiver's reference")
        return data
