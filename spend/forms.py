"""The forms of spend's pages."""

from django import forms

from procurement.forms import GovukForm

from .models import PaymentSource


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
