from django import forms

from contracts.models import Contract, Supplier
from contracts.selectors import directorates_for_officer
from procurement.forms import GovukDateField, MoneyField
from procurement.models import GatewayStage, User

from .models import GatewayReview, ProcurementProject, StepDecision


class RoutingPreviewForm(forms.Form):
    """What the routing preview asks: a value, a gateway and the flags that change the route."""

    stage = forms.ChoiceField(
        label="Gateway",
        choices=GatewayStage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the gateway",
            "invalid_choice": "Choose G0, G1, G2 or G3",
        },
    )
    value = MoneyField(
        label="Estimated whole-life value (£)",
        help_text="Including extension options, like £1,500,000.01",
        min_value=0,
        error_messages={"required": "Enter the estimated whole-life value"},
    )
    core = forms.BooleanField(label="It is a core service", required=False)
    complex = forms.BooleanField(label="It is high value or complex", required=False)
    extension = forms.BooleanField(
        label="It extends a contract (or reviews a key contract's performance)", required=False
    )

    def clean_core(self):
        return self._flag("core")

    def clean_complex(self):
        return self._flag("complex")

    def clean_extension(self):
        return self._flag("extension")

    def _flag(self, name: str) -> bool:
        # Pages send "on"; other systems send 1/0 or true/false.
        raw = str(self.data.get(name, "")).strip().lower()
        return raw in {"1", "true", "on", "yes"}


class DecisionForm(forms.Form):
    """A decision at a review's current step: its fields follow what the step records."""

    outcome = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your decision"},
    )
    reasons = forms.CharField(
        label="Reasons or comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required to return or reject the report, or to refer it.",
    )

    def __init__(self, *args, step, delegators=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .services import OUTCOMES_BY_KIND

        if delegators:
            self.fields["on_behalf_of"] = forms.ModelChoiceField(
                label="Acting on behalf of",
                queryset=User.objects.filter(pk__in=[d.pk for d in delegators]),
                required=False,
                empty_label="Nobody: in my own right",
            )

        allowed = OUTCOMES_BY_KIND[step.kind]
        self.fields["outcome"].choices = [
            (value, label)
            for value, label in StepDecision.Outcome.choices
            if value in allowed and (value != StepDecision.Outcome.REFERRED or step.refer_to_tier)
        ]
        if step.kind == "consultation":
            self.fields["reasons"].label = "Your comments"
            self.fields["reasons"].help_text = ""
        if step.records_meeting:
            self.fields["meeting_date"] = GovukDateField(
                label="Date of the board meeting", required=False
            )
            self.fields["minute_reference"] = forms.CharField(
                label="Minute reference", required=False, max_length=100
            )
        if step.records_key_decision:
            self.fields["key_decision_reference"] = forms.CharField(
                label="Key-decision reference", required=False, max_length=100
            )
        if step.consult_role:
            self.fields["consulted"] = forms.CharField(
                label=f"Consultation with the {step.consult_role.lower()}: who and when",
                required=False,
                max_length=200,
            )
            self.fields["consultation_notes"] = forms.CharField(
                label="What they said", required=False, widget=forms.Textarea(attrs={"rows": 3})
            )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing the report?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the report is withdrawn"},
    )


class ProjectForm(forms.ModelForm):
    estimated_value = MoneyField(
        label="Estimated whole-life value (£)",
        help_text="Including extension options: it decides the gateways and who approves them.",
        error_messages={"required": "Enter the estimated whole-life value"},
    )
    baseline_cost = MoneyField(label="Baseline cost per year (£)", required=False)
    expected_savings = MoneyField(label="Expected savings (£)", required=False)
    change_reason = forms.CharField(
        label="Why are you making this change?",
        max_length=250,
        help_text="Kept in the project's history with your name and the time.",
    )

    class Meta:
        model = ProcurementProject
        fields = [
            "reference",
            "title",
            "description",
            "directorate",
            "category",
            "estimated_value",
            "is_core_service",
            "is_high_value_or_complex",
            "planned_route",
            "replaces",
            "lead_officer",
            "key_decision_reference",
            "planned_g0_date",
            "planned_g1_date",
            "planned_tender_date",
            "planned_g2_date",
            "planned_award_date",
            "planned_start_date",
            "baseline_cost",
            "expected_savings",
        ]
        field_classes = {
            name: GovukDateField
            for name in fields
            if name.startswith("planned_") and name.endswith("date")
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "replaces": forms.HiddenInput}
        error_messages = {
            "reference": {
                "required": "Enter a reference",
                "unique": "A project already has this reference",
            },
            "title": {"required": "Enter the title"},
            "directorate": {"required": "Choose the directorate"},
            "lead_officer": {"required": "Choose the lead officer"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = directorates_for_officer(user=user)
        self.fields["lead_officer"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name"
        )

    def project_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StartReportForm(forms.Form):
    stage = forms.ChoiceField(
        label="Which gateway?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the gateway"},
    )
    summary = forms.CharField(
        label="What does the report ask the approvers to decide, and why?",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what the report asks the approvers to decide"},
    )

    def __init__(self, *args, stages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, GatewayStage(s).label) for s in stages]


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(
        label="Who will decide for you?",
        queryset=User.objects.none(),
        error_messages={"required": "Choose who will decide for you"},
    )
    starts_on = GovukDateField(label="From")
    ends_on = GovukDateField(label="Until (inclusive)")
    reason = forms.CharField(
        label="Why?",
        max_length=250,
        help_text="For example, annual leave",
        error_messages={"required": "Say why, for example annual leave"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Colleagues holding one of the same roles.
        self.fields["delegate"].queryset = (
            User.objects.filter(is_active=True, groups__in=user.groups.all())
            .exclude(pk=user.pk)
            .distinct()
            .order_by("last_name", "first_name")
        )


def _text(label: str, rows: int = 4, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class ReportForm(forms.Form):
    """A gateway report's content; the fields follow the gateway (Gateway 3: the four tests)."""

    summary = _text("What does the report ask the approvers to decide, and why?", 5, True)

    def __init__(self, *args, review: GatewayReview, **kwargs):
        super().__init__(*args, **kwargs)
        option = GatewayReview.Option
        stage_fields = {
            "G0": {
                "options_appraised": forms.MultipleChoiceField(
                    label="Options appraised",
                    choices=option.choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                ),
                "recommended_option": forms.ChoiceField(
                    label="Recommended option",
                    choices=option.choices,
                    widget=forms.RadioSelect,
                    required=False,
                ),
            },
            "G1": {
                "strategy_route": forms.ChoiceField(
                    label="Procurement route",
                    choices=Contract.Route.choices,
                    widget=forms.RadioSelect,
                    required=False,
                ),
                "lots": _text("Lots"),
                "timetable": _text("Timetable"),
                "risks": _text("Risks and how they are managed"),
                "social_value_approach": _text("Social value approach"),
            },
            "G2": {
                "tender_outcome": _text("Tender outcome: bids, scores and ranking", 6),
                "recommended_supplier": forms.ModelChoiceField(
                    label="Recommended supplier",
                    queryset=Supplier.objects.order_by("name"),
                    required=False,
                ),
                "award_value": MoneyField(
                    label="Whole-life value of the award (£)", required=False
                ),
                "contract_start": GovukDateField(label="Contract start", required=False),
                "contract_end": GovukDateField(label="Contract end", required=False),
                "contract_lead_director": forms.ModelChoiceField(
                    label="Lead director of the contract",
                    queryset=User.objects.filter(is_active=True).order_by("last_name"),
                    required=False,
                ),
            },
        }
        fields = dict(stage_fields.get(review.stage, {}))
        if review.is_extension:
            for name, label in GatewayReview.EXTENSION_TESTS:
                fields[name] = _text(label, 3)
            fields["savings_negotiated"] = MoneyField(
                label="Savings negotiated (£)", required=False
            )
            fields["exception_justification"] = _text(
                "Exception: where a test cannot be shown, why the extension should go ahead", 3
            )
        self.fields.update(fields)
        for name in self.fields:
            self.initial.setdefault(name, getattr(review, name))

    def report_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        for name in ("recommended_option", "strategy_route"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        return fields


class ReportAttachmentForm(forms.Form):
    file = forms.FileField(
        label="Attach a document",
        help_text="PDF, Word, Excel, OpenDocument, image, text or CSV",
        error_messages={"required": "Choose the document to attach"},
    )
