from django import forms

from procurement.dates import long_date
from procurement.forms import GovukForm
from procurement.models import Notification, User
from procurement.roles import Role

from .selectors import INTERRUPTED, LedgerFilters

ANY = [("", "Any")]


class LedgerFilterForm(GovukForm):
    """The notification ledger's filters (a GET form)."""

    status = forms.ChoiceField(
        choices=ANY + Notification.Status.choices + [(INTERRUPTED, "Interrupted while sending")],
        required=False,
    )
    kind = forms.ChoiceField(label="Kind", choices=ANY + Notification.Kind.choices, required=False)
    q = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Recipient's email or title"
    )

    def filters(self) -> LedgerFilters:
        if not self.is_valid():
            return LedgerFilters()
        data = self.cleaned_data
        return LedgerFilters(status=data["status"], kind=data["kind"], search=data["q"])


def managers() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="New contract manager",
        queryset=User.objects.filter(
            is_active=True,
            groups__name__in=[Role.CONTRACT_MANAGER.label, Role.PROCUREMENT_OFFICER.label],
        )
        .distinct()
        .order_by("last_name", "first_name", "email"),
        empty_label="Choose a colleague",
        error_messages={"required": "Choose the colleague who will manage these contracts"},
    )


class ReassignForm(GovukForm):
    contracts = forms.ModelMultipleChoiceField(
        label="Contracts to reassign",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one contract to reassign"},
    )
    manager = managers()
    reason = forms.CharField(
        label="Why they are being reassigned",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Say why the contracts are being reassigned"},
    )

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].queryset = contracts
        self.fields["contracts"].label_from_instance = lambda c: (
            f"{c.reference}: {c.title} "
            + (f"(ends {long_date(c.end_date)})" if c.end_date else "(rolling: no end date)")
        )
