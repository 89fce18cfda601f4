from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.forms.utils import ErrorDict

from procurement.cpv import CodesOnFirstUse
from procurement.forms import (
    DATE_PARTS,
    CpvCodeField,
    GovukDateField,
    GovukForm,
    GovukModelForm,
    MoneyField,
)
from procurement.models import ContractCategory, Directorate, User
from procurement.thresholds import NAMED_OFFICERS_ABOVE, pounds

from .models import Contract, ContractAttachment, Supplier
from .selectors import (
    PUBLISHED_BANDS,
    VALUE_BANDS,
    RegisterFilters,
    data_quality_problems,
    directorates_for_officer,
    suppliers_matching,
)
from .services import named_officers_missing

ANY = [("", "Any")]
# Where the session keeps the register's last search, for the contract pages' way back to it.
REGISTER_QUERY = "register-query"


class PublicRegisterFilterForm(GovukForm):
    """The published register's search and filters (a GET form): public fields only. The
    internal register's form adds to it, so both pages search and filter alike."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Reference, title or supplier",
        error_messages={"max_length": "Search for 100 characters or fewer"},
    )
    directorate = forms.ModelChoiceField(
        queryset=Directorate.objects.filter(is_active=True),
        required=False,
        empty_label="Any",
        error_messages={"invalid_choice": "Choose a directorate from the list"},
    )
    value = forms.ChoiceField(
        label="Whole-life value",
        choices=ANY
        + [(key, label) for key, (label, _, _) in VALUE_BANDS.items() if key in PUBLISHED_BANDS],
        required=False,
        error_messages={"invalid_choice": "Choose a value band from the list"},
    )
    sme = forms.BooleanField(label="SME suppliers only", required=False)
    vcse = forms.BooleanField(label="VCSE suppliers only", required=False)

    def valid_data(self) -> dict:
        """The values that parse: one that does not is ignored (and shown beside its field),
        not the whole search."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filters(self, *, user=None) -> RegisterFilters:
        data = self.valid_data()
        return RegisterFilters(
            search=data.get("q", ""),
            directorate_id=data["directorate"].pk if data.get("directorate") else None,
            value_band=data.get("value", ""),
            sme=data.get("sme", False),
            vcse=data.get("vcse", False),
            published=True,
        )


class RegisterFilterForm(PublicRegisterFilterForm):
    """The register page's search, filters and sorting (a GET form)."""

    value = forms.ChoiceField(
        label="Whole-life value",
        choices=ANY + [(key, label) for key, (label, _, _) in VALUE_BANDS.items()],
        required=False,
        error_messages={"invalid_choice": "Choose a value band from the list"},
    )
    category = forms.ModelChoiceField(
        queryset=ContractCategory.objects.filter(is_active=True), required=False, empty_label="Any"
    )
    status = forms.ChoiceField(choices=ANY + Contract.Status.choices, required=False)
    ending = forms.TypedChoiceField(
        label="Ending within",
        choices=ANY + [(str(m), f"{m} months") for m in (3, 6, 9, 12, 18, 24)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    problem = forms.ChoiceField(label="Data quality", required=False)
    mine = forms.BooleanField(label="Only contracts I manage", required=False)
    partner = forms.BooleanField(
        label="Only directorates I am business partner for", required=False
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        problems = data_quality_problems(today=today)
        self.fields["problem"].choices = [
            ("", "Any"),
            ("any", "Any problem"),
            *[(key, label) for key, (label, _) in problems.items()],
        ]

    def filters(self, *, user) -> RegisterFilters:
        data = self.valid_data()
        return replace(
            super().filters(user=user),
            category_id=data["category"].pk if data.get("category") else None,
            status=data.get("status", ""),
            ending_within_months=data.get("ending"),
            problem=data.get("problem", ""),
            manager_id=user.pk if data.get("mine") else None,
            partner_id=user.pk if data.get("partner") else None,
            published=False,
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.email})"


# The contract's links to the council's reference data and people: chosen from lists on its page,
# found by name by the register import (contracts/importing.py).
CHOSEN_FIELDS = ("directorate", "category", "supplier", "contract_manager", "lead_director")


class ContractFields(GovukModelForm):
    """A contract's own fields and the rules they keep, the one statement of them: its page
    (``ContractForm``) and the register import (``ContractRowForm``) both check with these."""

    start_date = GovukDateField(label="Start date")
    end_date = GovukDateField(
        label="End date",
        required=False,
        help_text="Leave blank only for a rolling contract, and say so below.",
    )
    is_rolling = forms.BooleanField(
        label="This contract has no end date (rolling)",
        required=False,
        help_text="It runs on until it is ended, and is reviewed on its review date instead: "
        "enter the review date.",
    )
    review_date = GovukDateField(label="Review date", required=False)
    whole_life_value = MoneyField(
        label="Whole-life value (£)",
        help_text=f"Including extension options. Contracts over {pounds(NAMED_OFFICERS_ABOVE)} "
        "need a contract manager and a lead director.",
    )
    annual_value = MoneyField(label="Annual value (£)", required=False)
    irrecoverable_vat = MoneyField(label="Irrecoverable VAT (£)", required=False)
    extension_options_value = MoneyField(label="Value of the extension options (£)", required=False)
    cpv_code = CpvCodeField()

    class Meta:
        model = Contract
        fields = [
            "reference",
            *(name for name in Contract.DETAIL_FIELDS if name not in CHOSEN_FIELDS),
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "reference": {"required": "Enter the contract reference"},
            "title": {"required": "Enter the contract title"},
            "procurement_route": {"required": "Choose the procurement route"},
        }

    def clean(self):
        cleaned = super().clean()
        end_date, rolling = cleaned.get("end_date"), cleaned.get("is_rolling")
        if rolling and end_date is not None:
            self.add_error(
                "end_date",
                "Leave the end date blank for a rolling contract, or untick "
                "'This contract has no end date'",
            )
        elif not rolling and end_date is None and "end_date" not in self.errors:
            self.add_error(
                "end_date", "Enter the end date, or tick 'This contract has no end date (rolling)'"
            )
        return cleaned

    def clean_irrecoverable_vat(self):
        return self.cleaned_data["irrecoverable_vat"] or 0

    def clean_extension_options_value(self):
        return self.cleaned_data["extension_options_value"] or 0


# What the Procurement Act 2023 measures a contract by (decision record 0050): entered on its page,
# not in the register import, so an import never blanks them.
ACT_FIELDS = ("vat", "procurement_began_on", "signed_on")


class ContractForm(ContractFields):
    """A contract made or changed on its page: all of it, its officers named where its value
    asks for them, and why the change is made."""

    vat = MoneyField(
        label="VAT on the whole-life value (£)",
        required=False,
        help_text="Enter 0 for a contract with no VAT. Leave blank if not known: the standard "
        "rate is then assumed when it is measured against the Procurement Act's thresholds.",
    )
    procurement_began_on = GovukDateField(
        label="Procurement began",
        required=False,
        help_text="The day its procurement began (its first notice, or the first approach to "
        "suppliers): it decides the law and the thresholds that apply. Leave blank to use the "
        "start date.",
    )
    signed_on = GovukDateField(
        label="Contract entered into",
        required=False,
        help_text="The day it was signed: its contract details notice is due from it. Leave "
        "blank to use the start date.",
    )
    contract_manager = PersonChoiceField(queryset=User.objects.none(), required=False)
    lead_director = PersonChoiceField(queryset=User.objects.none(), required=False)
    change_reason = forms.CharField(
        label="Why are you making this change?",
        max_length=250,
        help_text="Kept in the contract's history with your name and the time.",
        error_messages={"required": "Say why you are making this change"},
    )

    class Meta(ContractFields.Meta):
        fields = ["reference", *Contract.DETAIL_FIELDS, *ACT_FIELDS]
        error_messages = {
            **ContractFields.Meta.error_messages,
            "reference": {
                "required": "Enter the contract reference",
                "unique": "A contract with this reference is already on the register",
            },
            "directorate": {"required": "Choose the directorate"},
            "supplier": {"required": "Choose the supplier"},
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The rolling box sits under the end date it stands in for.
        order = list(self.fields)
        order.remove("is_rolling")
        order.insert(order.index("end_date") + 1, "is_rolling")
        for name in reversed(ACT_FIELDS):
            order.remove(name)
            order.insert(order.index("irrecoverable_vat") + 1, name)
        order.remove("cpv_code")
        order.insert(order.index("category") + 1, "cpv_code")
        self.order_fields(order)
        if self.instance.pk and self.instance.end_date is None:
            self.fields["is_rolling"].initial = True
        people = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        self.fields["contract_manager"].queryset = people
        self.fields["lead_director"].queryset = people
        self.fields["directorate"].queryset = directorates_for_officer(user=user)
        self.fields["category"].queryset = ContractCategory.objects.filter(is_active=True)
        self.fields["supplier"].queryset = Supplier.objects.order_by("name")
        self.fields["irrecoverable_vat"].initial = 0
        self.fields["extension_options_value"].initial = 0
        for name in ("whole_life_value", "start_date"):
            self.fields[name].error_messages["required"] = (
                f"Enter the {self.fields[name].label.lower().removesuffix(' (£)')}"
            )

    def clean_reference(self):
        # The database's rule is one contract for each reference and lot; a contract made here has
        # no lot, and a lot keeps its own when its reference is corrected.
        reference = self.cleaned_data["reference"]
        taken = Contract.objects.filter(reference=reference, lot=self.instance.lot)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(self.Meta.error_messages["reference"]["unique"])
        return reference

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("is_rolling")
            and cleaned.get("end_date") is None
            and cleaned.get("review_date") is None
            and "review_date" not in self.errors
        ):
            self.add_error(
                "review_date",
                "Enter the review date: a rolling contract is reviewed on it instead of ending",
            )
        # Kent R24: a contract over £50,000 made or changed here names both officers (the
        # import takes a legacy register without them, and shows the gap).
        contract = Contract(
            whole_life_value=cleaned.get("whole_life_value"),
            contract_manager=cleaned.get("contract_manager"),
            lead_director=cleaned.get("lead_director"),
        )
        for name, message in named_officers_missing(contract).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def contract_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContractRowForm(ContractFields):
    """A row of an imported register, checked by the contract's own fields and rules.

    The importer reads each cell as councils write it (procurement/tabular.py), finds what a name
    stands for (a directorate, a supplier, a person) and sets it on the contract; this form holds
    the rest to the rules the contract's page keeps. It differs from the page only where an
    import must: a reference already on the register is the contract the row changes, a column
    the file lacks leaves the register's value, a legacy register's gaps (officers not named, a
    rolling contract without a review date) are shown rather than refused, and the database's
    constraints are checked when the import writes, all or nothing, not with a query a row."""

    class Meta(ContractFields.Meta):
        error_messages = {
            **ContractFields.Meta.error_messages,
            "procurement_route": {"required": "Enter the procurement route"},
        }

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(data, instance=Contract())
        # Every row's code checked against the list read once, not a query a row.
        self.fields["cpv_code"].codes = CodesOnFirstUse()

    def check(self, values: dict[str, Any], *, instance: Contract) -> ErrorDict:
        """The form bound to one row's values, for the contract they make or change: its
        refusals by field, and the contract as the row would leave it in ``instance``. One form
        checks every row of an import in turn: building one a row would cost as much again as
        reading the file."""
        self.instance, self.data, self.is_bound = instance, as_posted(values, self.fields), True
        self._errors = None  # the row's own, worked out afresh
        return self.errors

    def _post_clean(self) -> None:
        # The model's rules, as a model form checks them, but not its constraints (see above).
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(
                # The code is checked by its field, against the list read once.
                exclude={*self._get_validation_exclusions(), "cpv_code"},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)


def as_posted(values: dict[str, Any], fields: dict[str, forms.Field]) -> dict[str, Any]:
    """Values already read, as a form's page would post them: a date in its day, month and year
    boxes, and nothing for no value."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(fields.get(name), GovukDateField):
            data.update({f"{name}_{part}": str(getattr(value, part)) for part in DATE_PARTS})
        else:
            data[name] = value
    return data


class VariationForm(GovukForm):
    effective_date = GovukDateField(label="Date the variation takes effect")
    value_change = MoneyField(
        label="Change in whole-life value (£)",
        help_text="Use a minus sign for a reduction, like -2,500. Enter 0 if it is unchanged.",
    )
    new_end_date = GovukDateField(
        label="New end date", required=False, help_text="Leave blank if the end date is unchanged."
    )
    reason = forms.CharField(
        label="Reason for the variation", widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_by = forms.CharField(
        label="Approved by",
        max_length=200,
        help_text="Name and decision reference",
        error_messages={"required": "Enter who approved the variation"},
    )


class ExtensionForm(GovukForm):
    reason = forms.CharField(
        label="Reason for the extension", widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_by = forms.CharField(
        label="Approved by",
        max_length=200,
        help_text="Name and decision reference, such as a Gateway 3 approval",
        error_messages={"required": "Enter who approved the extension"},
    )


class TerminationForm(GovukForm):
    terminated_on = GovukDateField(label="Date the contract ends")
    reason = forms.CharField(
        label="Reason for the termination", widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_by = forms.CharField(
        label="Approved by",
        max_length=200,
        help_text="Name and decision reference",
        error_messages={"required": "Enter who approved the termination"},
    )


class ConfirmEndingForm(GovukForm):
    reason = forms.CharField(
        label="Why it will end with nothing to replace it",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: the service is being brought in-house, or is no longer needed",
        error_messages={"required": "Say why the contract will end without a replacement"},
    )


class AttachmentForm(GovukForm):
    kind = forms.ChoiceField(
        label="Type of document", choices=ContractAttachment.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel, OpenDocument, image, text or CSV",
        error_messages={"required": "Select a file to upload"},
    )


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Upload the register",
        help_text="A CSV or XLSX file with one contract a row, under a row of headings.",
        error_messages={"required": "Choose the file to import"},
    )


class SupplierForm(GovukModelForm):
    change_reason = forms.CharField(
        label="Why are you making this change?",
        max_length=250,
        error_messages={"required": "Say why you are making this change"},
    )

    class Meta:
        model = Supplier
        fields = [
            "name",
            "companies_house_number",
            "charity_number",
            "postcode",
            "is_sme",
            "is_vcse",
            "is_local",
            "is_in_house",
            "is_strategic",
        ]
        error_messages = {"name": {"required": "Enter the supplier's name"}}

    def _refuse_registered(self, field: str, label: str) -> str:
        number = self.cleaned_data[field].strip().upper()
        if number:
            existing = suppliers_matching(**{field: number}).exclude(pk=self.instance.pk).first()
            if existing is not None:
                raise forms.ValidationError(
                    f"{existing.name} is already registered with this {label}: "
                    f"use that supplier (number {existing.pk} in the supplier list)"
                )
        return number

    def clean_companies_house_number(self) -> str:
        return self._refuse_registered("companies_house_number", "Companies House number")

    def clean_charity_number(self) -> str:
        return self._refuse_registered("charity_number", "charity number")
