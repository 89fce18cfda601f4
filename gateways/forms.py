from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from contracts.models import Supplier
from contracts.selectors import directorates_for_officer
from procurement.forms import (
    CpvCodeField,
    GovukDateField,
    GovukForm,
    GovukModelForm,
    MoneyField,
    text_area,
)
from procurement.models import GatewayStage, User
from procurement.numbers import figure
from procurement.query import parsed
from procurement.roles import CENTRAL_TEAM, Role
from procurement.selectors import approval_policy_in_force
from procurement.thresholds import (
    SOCIAL_VALUE_ABOVE,
    SOCIAL_VALUE_MINIMUM_PERCENT,
    pounds,
    pounds_short,
)
from socialvalue.forms import QuantityField
from socialvalue.models import MEASURES_AT_GATEWAY_1

from .models import EvaluationCriterion, GatewayReview, ProcurementProject, StepDecision
from .progress import OUTCOMES_BY_KIND
from .rules import needs_direct_award_exception, needs_social_value_exception
from .stages import Kind, Part, parts_for


class RoutingPreviewForm(GovukForm):
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


class DecisionForm(GovukForm):
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

    def __init__(
        self,
        *args,
        step,
        review=None,
        delegators=(),
        may_act_in_own_right=True,
        key_decision=False,
        collective=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if needs_social_value_exception(review, step):
            self.fields["accept_social_value_exception"] = forms.BooleanField(
                label="I accept the justification for weighting social value below "
                f"{SOCIAL_VALUE_MINIMUM_PERCENT}%",
                required=False,
                help_text="Needed to approve: the report shows the justification.",
            )

        if needs_direct_award_exception(review, step):
            self.fields["accept_direct_award_exception"] = forms.BooleanField(
                label="I accept the exception recorded for this route without competition "
                f"({review.procurement_route_label.lower()})",
                required=False,
                help_text="Needed to approve: the report shows the exception and why.",
            )

        if delegators:
            # Acting under a delegation is the default where the person may not act in their
            # own right (``may_act_in_own_right``); the decision then says on whose behalf.
            self.fields["on_behalf_of"] = forms.ModelChoiceField(
                label="Acting on behalf of",
                queryset=User.objects.filter(pk__in=[d.pk for d in delegators]),
                required=not may_act_in_own_right,
                empty_label="Nobody: in my own right" if may_act_in_own_right else None,
                initial=None if may_act_in_own_right else delegators[0].pk,
                error_messages={"required": "Choose whom you are acting on behalf of"},
            )

        allowed = OUTCOMES_BY_KIND[step.kind]
        self.fields["outcome"].choices = [
            (value, label)
            for value, label in StepDecision.Outcome.choices
            if value in allowed and (value != StepDecision.Outcome.REFERRED or step.refer_to_tier)
        ]
        if len(self.fields["outcome"].choices) == 1:
            # One thing to do here (a consultee comments): no lone radio to tick.
            only = self.fields["outcome"].choices[0][0]
            self.fields["outcome"].widget = forms.HiddenInput()
            self.fields["outcome"].initial = only
        if step.kind == "consultation":
            self.fields["reasons"].label = "Comments"
            self.fields["reasons"].help_text = ""
        if step.records_meeting or collective:
            self.fields["meeting_date"] = GovukDateField(
                label="Date of the board meeting", required=False
            )
            self.fields["minute_reference"] = forms.CharField(
                label="Minute reference", required=False, max_length=100
            )
        if step.records_key_decision or key_decision:
            self.fields["key_decision_reference"] = forms.CharField(
                label="Key-decision reference", required=False, max_length=100
            )
        if step.consult_role:
            self.fields["consulted"] = forms.CharField(
                label=f"Who was consulted ({step.consult_role.lower()})",
                required=False,
                max_length=200,
            )
            self.fields["consulted_on"] = GovukDateField(
                label="Date of the consultation", required=False
            )
            self.fields["consultation_notes"] = forms.CharField(
                label="What they said", required=False, widget=forms.Textarea(attrs={"rows": 3})
            )


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label="Why are you withdrawing the report?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the report is withdrawn"},
    )


class ProjectForm(GovukModelForm):
    estimated_value = MoneyField(
        label="Estimated whole-life value (£)",
        help_text="Including extension options: it decides the gateways and who approves them.",
        error_messages={"required": "Enter the estimated whole-life value"},
    )
    estimated_vat = MoneyField(
        label="VAT on the estimated value (£)",
        required=False,
        help_text="Enter 0 where there is no VAT. Leave blank if not known: the standard rate is "
        "then assumed when it is measured against the Procurement Act's thresholds.",
    )
    procurement_began_on = GovukDateField(
        label="Procurement began",
        required=False,
        help_text="The day the procurement began (its first notice, or the first approach to "
        "suppliers): it decides the law and the thresholds that apply. Leave blank to use the "
        "planned tender date.",
    )
    cpv_code = CpvCodeField()
    baseline_cost = MoneyField(label="Baseline cost per year (£)", required=False)
    expected_savings = MoneyField(label="Expected savings (£)", required=False)
    change_reason = forms.CharField(
        label="Why are you making this change?",
        max_length=250,
        help_text="Kept in the project's history with your name and the time.",
        error_messages={"required": "Say why you are making this change"},
    )

    class Meta:
        model = ProcurementProject
        fields = [
            "reference",
            "title",
            "description",
            "directorate",
            "category",
            "cpv_code",
            "estimated_value",
            "estimated_vat",
            "procurement_began_on",
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
            "suitable_for_sme",
            "suitable_for_vcse",
            "contact_email",
            "on_public_forward_plan",
            "public_from",
        ]
        field_classes = {
            name: GovukDateField
            for name in fields
            if (name.startswith("planned_") and name.endswith("date")) or name == "public_from"
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
        directorates = directorates_for_officer(user=user)
        self.fields["directorate"].queryset = directorates
        self.fields["lead_officer"].queryset = lead_officers(
            directorates=directorates, current=self.instance.lead_officer_id
        )
        if self.instance.pk is None:
            # A new procurement's history says it was planned; the question is for changes.
            del self.fields["change_reason"]
        self._explain_the_flags()

    def _explain_the_flags(self) -> None:
        """What the two flags decide, with the value bands of the approval policy in force."""
        policy = approval_policy_in_force(on=timezone.localdate())
        tiers = sorted(policy.tiers.all(), key=lambda tier: tier.value_above) if policy else []
        if len(tiers) < 2 or tiers[-2].value_up_to is None:
            top, band = "In the policy's highest tier", "In the tier below it"
        else:
            top = f"Over {pounds_short(tiers[-1].value_above)}"
            band = (
                f"From {pounds_short(tiers[-2].value_above)} up to "
                f"{pounds_short(tiers[-2].value_up_to)}"
            )
        self.fields["is_core_service"].help_text = (
            "A service the council must provide or that residents depend on. "
            f"{top}, a core service needs a Gateway 0 business case, which the Officer Board "
            "reviews before the Lead Member or Leadership Team approves it."
        )
        self.fields["is_high_value_or_complex"].help_text = (
            f"Large, risky or hard to specify, buy or manage. {band} it needs a Gateway 0 "
            "business case, reviewed by the business partner or Head of Procurement and signed "
            "off by the Executive Director with the Lead Member."
        )

    def project_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def history_reason(self) -> str:
        """Why the project is being written, for its history."""
        if "change_reason" in self.fields:
            return self.cleaned_data["change_reason"]
        return self.initial.get("change_reason") or "Planned on the forward plan"


# The roles of council officers who may lead a procurement (not councillors, auditors or
# administrators).
LEAD_OFFICER_ROLES = (
    Role.PROCUREMENT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.BUSINESS_PARTNER,
    Role.HEAD_OF_PROCUREMENT,
)


def lead_officers(*, directorates, current: int | None = None):
    """Active officers who may lead a procurement for one of ``directorates``: those of an
    officer role in it, the central team (who work across directorates), and whoever leads it
    now."""
    officers = Q(groups__name__in=[role.label for role in LEAD_OFFICER_ROLES]) & (
        Q(directorate__in=directorates) | Q(groups__name__in=[role.label for role in CENTRAL_TEAM])
    )
    if current:
        officers |= Q(pk=current)
    return (
        User.objects.filter(officers, is_active=True).distinct().order_by("last_name", "first_name")
    )


class StartReportForm(GovukForm):
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


class DelegationForm(GovukForm):
    roles = forms.MultipleChoiceField(
        label="Which of your roles are you delegating?",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these pass to your colleague, who must hold each of them too.",
        error_messages={"required": "Choose the role or roles you are delegating"},
    )
    delegate = forms.ModelChoiceField(
        label="Who will decide for you?",
        queryset=User.objects.none(),
        empty_label="Choose a colleague",
        error_messages={"required": "Choose who will decide for you"},
    )
    starts_on = GovukDateField(label="From", described_as="Start date")
    ends_on = GovukDateField(label="Until (inclusive)", described_as="End date")
    reason = forms.CharField(
        label="Why?",
        max_length=250,
        help_text="For example, annual leave",
        error_messages={"required": "Say why, for example annual leave"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The roles this person holds that act at a step of a gateway policy.
        deciding = user.groups.filter(policy_steps__isnull=False).distinct().order_by("name")
        self.fields["roles"].choices = [(group.name, group.name) for group in deciding]
        # Colleagues holding one of those roles.
        self.fields["delegate"].queryset = (
            User.objects.filter(is_active=True, groups__in=deciding)
            .exclude(pk=user.pk)
            .distinct()
            .order_by("last_name", "first_name")
        )


def report_field(part: Part) -> forms.Field:
    """The report form's field for one part of a gateway report (gateways/stages.py)."""
    asked = {
        "label": part.label,
        "required": bool(part.blank_error),
        "help_text": part.hint,
        "error_messages": {"required": part.blank_error} if part.blank_error else None,
    }
    if part.kind == Kind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": part.rows}), **asked)
    if part.kind == Kind.CHOICE:
        return forms.ChoiceField(choices=part.choices.choices, widget=forms.RadioSelect, **asked)
    if part.kind == Kind.CHOICES:
        return forms.MultipleChoiceField(
            choices=part.choices.choices, widget=forms.CheckboxSelectMultiple, **asked
        )
    if part.kind == Kind.MONEY:
        return MoneyField(**asked)
    if part.kind == Kind.DATE:
        return GovukDateField(**asked)
    if part.kind == Kind.SUPPLIER:
        return forms.ModelChoiceField(queryset=Supplier.objects.order_by("name"), **asked)
    if part.kind == Kind.PERSON:
        return forms.ModelChoiceField(
            queryset=User.objects.filter(is_active=True).order_by("last_name"), **asked
        )
    raise ValueError(f"No field for a report part of kind {part.kind}")


class ReportForm(GovukForm):
    """A gateway report's content: what it asks, then its gateway's own parts (Gateway 3 for an
    extension: the four tests), as gateways/stages.py declares them."""

    def __init__(self, *args, review: GatewayReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts_for(review)
        for part in self.parts:
            self.fields[part.name] = report_field(part)
            self.initial.setdefault(part.name, getattr(review, part.name))
            if part.kind == Kind.SUPPLIER:
                self._offer_bidders(self.fields[part.name], review)

    @staticmethod
    def _offer_bidders(field: forms.ModelChoiceField, review: GatewayReview) -> None:
        """Once the procurement has bids, the supplier recommended is one of its bidders."""
        if review.project_id and review.project.bids.exists():
            field.queryset = Supplier.objects.filter(bids__project=review.project).order_by("name")
            field.help_text = "One of the bidders."

    def report_fields(self) -> dict:
        """The parts as the review holds them: a choice left unmade is blank."""
        fields = dict(self.cleaned_data)
        for part in self.parts:
            if part.kind == Kind.CHOICE and part.name in fields and fields[part.name] is None:
                fields[part.name] = ""
        return fields


class ReportAttachmentForm(GovukForm):
    file = forms.FileField(
        label="Attach a document",
        help_text="PDF, Word, Excel, OpenDocument, image, text or CSV",
        error_messages={"required": "Choose the document to attach"},
    )


# --- Evaluation ----------------------------------------------------------------------------------


def _weight(label: str, required: bool = True, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        error_messages={
            "required": f"Enter the {label.lower().replace(' (%)', '')}",
            "invalid": "Enter a percentage, like 60 or 12.5",
            "min_value": "Enter a percentage of 0 or more",
            "max_value": "Enter a percentage of 100 or less",
            "max_decimal_places": "Enter a percentage with no more than 2 decimal places",
        },
        **kwargs,
    )
    field.widget.input_type = "text"
    field.widget.attrs.update({"inputmode": "decimal", "class": "govuk-input--width-4"})
    return field


class WeightingForm(GovukForm):
    """The Gateway 1 weighting: the split, the sub-criteria (as rows), the scale and threshold."""

    quality = _weight("Quality weight (%)")
    price = _weight("Price weight (%)")
    social_value = _weight("Social value weight (%)")
    weighting_justification = text_area(
        "If the weighting departs from the category's template, why?", 3
    )
    social_value_justification = text_area(
        f"If social value is below {SOCIAL_VALUE_MINIMUM_PERCENT}% on a procurement over "
        f"{pounds(SOCIAL_VALUE_ABOVE)}, why?",
        3,
    )
    score_scale_max = forms.IntegerField(
        label="Top of the scoring scale",
        help_text="Evaluators score each sub-criterion from 0 to this; 5 is usual.",
        min_value=1,
        max_value=10,
        error_messages={
            "required": "Enter the top of the scoring scale",
            "invalid": "Enter the top of the scale as a whole number, like 5",
            "min_value": "The top of the scale must be 1 or more",
            "max_value": "The top of the scale must be 10 or less",
        },
    )
    quality_threshold = _weight(
        "Minimum quality score (%)",
        required=False,
        help_text="Optional: a bid scoring less than this share of the quality weight is excluded.",
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=30)

    def __init__(self, *args, review: GatewayReview, **kwargs):
        super().__init__(*args, **kwargs)
        criteria = list(review.criteria.all())
        count = len(criteria) + 3
        if self.is_bound:
            count = parsed(self.data.get("rows"), self.fields["rows"], count)
        self.initial.update(
            quality=review.quality_weight,
            price=review.price_weight,
            social_value=review.social_value_weight,
            weighting_justification=review.weighting_justification,
            social_value_justification=review.social_value_justification,
            score_scale_max=review.score_scale_max,
            quality_threshold=review.quality_threshold,
            rows=count,
        )
        self.row_count = count
        for number in range(1, count + 1):
            criterion = criteria[number - 1] if number <= len(criteria) else None
            self.fields[f"group_{number}"] = forms.ChoiceField(
                label="Under",
                choices=EvaluationCriterion.Group.choices,
                initial=criterion.group if criterion else EvaluationCriterion.Group.QUALITY,
            )
            self.fields[f"name_{number}"] = forms.CharField(
                label="Sub-criterion",
                required=False,
                max_length=200,
                initial=criterion.name if criterion else "",
            )
            self.fields[f"weight_{number}"] = _weight(
                "Weight (%)", required=False, initial=criterion.weight if criterion else None
            )

    def criterion_rows(self):
        return [
            (n, self[f"group_{n}"], self[f"name_{n}"], self[f"weight_{n}"])
            for n in range(1, self.row_count + 1)
        ]

    def clean(self):
        data = super().clean()
        criteria = []
        for number in range(1, self.row_count + 1):
            name = (data.get(f"name_{number}") or "").strip()
            weight = data.get(f"weight_{number}")
            if f"weight_{number}" in self.errors:
                continue
            if name and not weight:
                self.add_error(f"weight_{number}", f"Enter a weight above 0 for '{name}'")
            elif weight and not name:
                self.add_error(f"name_{number}", f"Name sub-criterion {number}")
            elif name:
                criteria.append((data[f"group_{number}"], name, weight))
        data["criteria"] = criteria
        return data

    def add_problem(self, problem: str) -> None:
        """Show a problem the rules found with the weighting beside the field it is about: a
        group's sub-criteria problem beside that group's first row."""
        field = getattr(problem, "field", None)
        if field and field.startswith("criteria:"):
            group = field.split(":", 1)[1]
            rows = [
                n
                for n in range(1, self.row_count + 1)
                if self.cleaned_data.get(f"group_{n}") == group
                and (self.cleaned_data.get(f"name_{n}") or "").strip()
            ]
            field = f"weight_{rows[0]}" if rows else "name_1"
        self.add_error(field if field in self.fields else None, problem)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "quality": data["quality"],
            "price": data["price"],
            "social_value": data["social_value"],
            "criteria": data["criteria"],
            "weighting_justification": data["weighting_justification"],
            "social_value_justification": data["social_value_justification"],
            "score_scale_max": data["score_scale_max"],
            "quality_threshold": data["quality_threshold"],
        }


class EvaluatorForm(GovukForm):
    user = forms.ModelChoiceField(
        label="Name an evaluator",
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        empty_label="Choose a person",
        error_messages={"required": "Choose the person to name to the panel"},
    )


class DeclarationForm(GovukForm):
    conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest in this procurement?",
        choices=[("no", "No: I have no conflict of interest"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="For example a financial interest in a bidder, or a close relationship with "
        "someone who works for one. Declaring a conflict removes you from the panel.",
        error_messages={"required": "Say whether you have a conflict of interest"},
    )
    details = text_area("If yes, describe the conflict", 3)

    def clean(self):
        data = super().clean()
        if data.get("conflict") and not (data.get("details") or "").strip():
            self.add_error("details", "Describe the conflict of interest")
        return data


class BidForm(GovukForm):
    supplier = forms.ModelChoiceField(
        label="Bidder",
        queryset=Supplier.objects.order_by("name"),
        help_text="Add the supplier to the register's suppliers first if it is not listed.",
        error_messages={"required": "Choose the bidder"},
    )
    price = MoneyField(
        label="Whole-life price (£)",
        help_text="The evaluated price over the whole contract, like £245,000",
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Enter the bid's whole-life price",
            "min_value": "Enter a price of more than £0",
        },
    )


class ScoresForm(GovukForm):
    """A score (and a comment or note) for each criterion of the weighting."""

    def __init__(
        self, *args, criteria, scale_max: int, text_label: str, initial_scores=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for criterion in self.criteria:
            score, text = initial_scores.get(criterion.pk, (None, ""))
            field = forms.TypedChoiceField(
                label=f"{criterion.name} ({criterion.get_group_display().lower()}, "
                f"{figure(criterion.weight)}%)",
                choices=[(str(n), str(n)) for n in range(scale_max + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                initial=None if score is None else str(score),
                error_messages={
                    "required": f"Score '{criterion.name}' from 0 to {scale_max}",
                    "invalid_choice": f"Score '{criterion.name}' from 0 to {scale_max}",
                },
            )
            self.fields[f"score_{criterion.pk}"] = field
            self.fields[f"text_{criterion.pk}"] = text_area(text_label, 2)
            self.initial[f"text_{criterion.pk}"] = text

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"text_{c.pk}"])
            for c in self.criteria
        }


class ChooseMeasuresForm(GovukForm):
    """The short list of a library's social value measures bidders will commit to."""

    measures = forms.TypedMultipleChoiceField(
        label="Measures bidders will be asked to commit to",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose up to {MEASURES_AT_GATEWAY_1}, from one library.",
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [
            (m.pk, f"{m.code}: {m.description} ({m.unit})") for m in measures
        ]


class BidOffersForm(GovukForm):
    """A quantity and a date for each measure chosen at Gateway 1, or neither."""

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        for measure in self.measures:
            self.fields[f"quantity_{measure.pk}"] = QuantityField(
                label=f"{measure.code}: quantity offered ({measure.unit})",
                help_text=measure.description,
                required=False,
            )
            self.fields[f"target_date_{measure.pk}"] = GovukDateField(
                label=f"{measure.code}: to be delivered by", required=False
            )

    def clean(self):
        data = super().clean()
        for measure in self.measures:
            quantity = data.get(f"quantity_{measure.pk}")
            target_date = data.get(f"target_date_{measure.pk}")
            if quantity is not None and quantity <= 0:
                self.add_error(
                    f"quantity_{measure.pk}", "Enter a quantity above 0, or leave it blank"
                )
            elif (
                quantity is not None
                and target_date is None
                and not self.has_error(f"target_date_{measure.pk}")
            ):
                self.add_error(
                    f"target_date_{measure.pk}", f"Enter the date {measure.code} is offered by"
                )
            elif quantity is None and target_date is not None:
                self.add_error(
                    f"quantity_{measure.pk}", f"Enter the quantity of {measure.code} offered"
                )
        return data

    def offers(self) -> dict:
        data = self.cleaned_data
        offers = {}
        for measure in self.measures:
            quantity = data.get(f"quantity_{measure.pk}")
            offers[measure.pk] = (
                (quantity, data[f"target_date_{measure.pk}"]) if quantity is not None else None
            )
        return offers


class ThemesForm(GovukForm):
    """The Council Plan themes a Gateway 1 or 2 report names: for each, whether it is named
    and the report's statement for it. ``themes`` are the current plan's and any the report
    still names; ``earlier`` maps a theme to what the approved strategy said of it."""

    def __init__(self, *args, themes, what: str, earlier: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = list(themes)
        self.earlier = earlier or {}
        for theme in self.themes:
            hint = theme.description
            if not theme.is_active:
                hint = "Retired from the council's plan: untick it to remove it from the report."
            self.fields[f"theme_{theme.pk}"] = forms.BooleanField(
                label=f"The report addresses '{theme.name}'", required=False, help_text=hint
            )
            self.fields[f"statement_{theme.pk}"] = text_area(
                f"{what[0].upper()}{what[1:]} '{theme.name}'",
                help_text=self._earlier_hint(theme),
            )

    def _earlier_hint(self, theme) -> str:
        said = self.earlier.get(theme.pk)
        return f"The approved strategy said: {said}" if said else ""

    def rows(self) -> list[tuple]:
        """Each theme with its two fields, for the page to show together."""
        return [(t, self[f"theme_{t.pk}"], self[f"statement_{t.pk}"]) for t in self.themes]

    def clean(self):
        data = super().clean()
        for theme in self.themes:
            text = (data.get(f"statement_{theme.pk}") or "").strip()
            if text and not data.get(f"theme_{theme.pk}"):
                self.add_error(
                    f"theme_{theme.pk}",
                    f"Tick '{theme.name}' to name it in the report, or clear its statement",
                )
        return data

    def statements(self) -> dict:
        """The themes named, each with its statement, for ``review_set_themes``."""
        data = self.cleaned_data
        return {
            theme: data.get(f"statement_{theme.pk}") or ""
            for theme in self.themes
            if data.get(f"theme_{theme.pk}")
        }
