"""The spend pages' forms: a payment file to import, the lists' filters, and explaining a line of
spend with no contract."""

from decimal import Decimal

from django import forms

from procurement.forms import GovukForm
from procurement.models import Directorate

from .models import ExemptCategory, Explanation, PaymentSource, SpendThreshold
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


class PaymentImportForm(GovukForm):
    """A payment file and the finance system it comes from; those who keep the sources may name
    a new one instead."""

    source = forms.ModelChoiceField(
        label="Which finance system is the file from?",
        queryset=PaymentSource.objects.all(),
        required=False,
        empty_label="Choose",
        help_text="A payment is known by its finance system, transaction number and line, so a "
        "payment imported before is never counted twice.",
    )
    new_source = forms.CharField(
        label="Or add a finance system",
        max_length=100,
        required=False,
        help_text="Its name, like Oracle Fusion or Unit4: the file's mapping is saved under it.",
    )
    file = forms.FileField(
        label="Upload the payment file",
        help_text="A CSV or XLSX file with one payment line a row, under a row of headings.",
        error_messages={"required": "Choose the file to import"},
    )

    def __init__(self, *args, may_add_source: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_add_source:
            del self.fields["new_source"]

    def clean(self):
        data = super().clean()
        new = (data.get("new_source") or "").strip()
        if data.get("source") and new:
            self.add_error("new_source", "Choose a finance system or add one, not both")
        elif not data.get("source") and not new:
            self.add_error("source", "Choose the finance system the file comes from")
        elif new and PaymentSource.objects.filter(name__iexact=new).exists():
            self.add_error("new_source", f"{new} is a finance system already: choose it above")
        return data
