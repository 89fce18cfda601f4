from django import forms
from django.utils import timezone

from performance.models import financial_year_label, financial_year_of
from procurement.forms import GovukDateField, GovukForm, text_area
from procurement.models import User

from .models import ActionItem, Assessment, Behaviour, KeyArea, Level
from .selectors import NOT_DELIVERED
from .services import AgreedEntry, ScoreEntry

LEVEL_CHOICES = [(level.value, level.label) for level in Level]


def _people() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .order_by("last_name", "first_name"),
        empty_label="Choose an officer",
    )


def _years() -> list[tuple[int, str]]:
    this_year = financial_year_of(timezone.localdate())
    return [(year, financial_year_label(year)) for year in range(this_year - 2, this_year + 2)]


class AssessmentForm(GovukForm):
    name = forms.CharField(
        max_length=200, help_text="For example, NPS self-assessment 2026/27.", required=True
    )
    year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=())
    score_by = GovukDateField(
        label="Score by (optional)",
        required=False,
        help_text="When participants should have scored every behaviour.",
    )
    participants = forms.ModelMultipleChoiceField(
        label="Who will take part",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Officers who score every behaviour at its current level, with evidence.",
        error_messages={"required": "Choose at least one officer to take part."},
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["year"].initial = financial_year_of(timezone.localdate())
        self.fields["participants"].queryset = eligible
        self.fields["participants"].label_from_instance = lambda user: (
            f"{user.get_full_name()}, {user.job_title}" if user.job_title else user.get_full_name()
        )


class ParticipantForm(GovukForm):
    user = forms.ModelChoiceField(
        label="Officer", queryset=User.objects.none(), empty_label="Choose an officer"
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = eligible


class _KeyAreaForm(GovukForm):
    """One set of fields per behaviour of a key area, named by the behaviour's id."""

    def __init__(self, *args, behaviours: list[Behaviour], **kwargs):
        super().__init__(*args, **kwargs)
        self.behaviours = behaviours
        for behaviour in behaviours:
            self.add_fields(behaviour)

    def add_fields(self, behaviour: Behaviour) -> None:
        raise NotImplementedError


class ScoreForm(_KeyAreaForm):
    def add_fields(self, behaviour: Behaviour) -> None:
        self.fields[f"level_{behaviour.pk}"] = forms.TypedChoiceField(
            label=f"{behaviour.code} {behaviour.name}: where is the council today?",
            choices=LEVEL_CHOICES,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
        self.fields[f"evidence_{behaviour.pk}"] = text_area(
            f"Evidence for {behaviour.name}",
            rows=3,
            help_text="What shows the council is at this level: documents, figures, examples.",
        )

    def entries(self) -> dict[int, ScoreEntry]:
        data = self.cleaned_data
        return {
            b.pk: ScoreEntry(level=data[f"level_{b.pk}"], evidence=data[f"evidence_{b.pk}"])
            for b in self.behaviours
        }


class AgreeForm(_KeyAreaForm):
    def add_fields(self, behaviour: Behaviour) -> None:
        for part, label in (("current", "Agreed current level"), ("target", "Target level")):
            self.fields[f"{part}_{behaviour.pk}"] = forms.TypedChoiceField(
                label=f"{label} for {behaviour.name}",
                choices=[("", "Not yet agreed"), *LEVEL_CHOICES],
                coerce=int,
                empty_value=None,
                required=False,
            )
        self.fields[f"rationale_{behaviour.pk}"] = text_area(
            f"Why, for {behaviour.name} (optional)", rows=2
        )

    def entries(self) -> dict[int, AgreedEntry]:
        data = self.cleaned_data
        return {
            b.pk: AgreedEntry(
                current=data[f"current_{b.pk}"],
                target=data[f"target_{b.pk}"],
                rationale=data[f"rationale_{b.pk}"],
            )
            for b in self.behaviours
        }


class ActionPlanForm(GovukForm):
    name = forms.CharField(max_length=200, help_text="For example, Procurement improvement plan.")
    assessment = forms.ModelChoiceField(
        label="The assessment it answers (optional)",
        queryset=Assessment.objects.order_by("-year", "-pk"),
        required=False,
        empty_label="None: a committee's recommendations",
    )
    description = text_area("Description (optional)", rows=3)


class ActionItemForm(GovukForm):
    kind = forms.ChoiceField(
        label="What is it?",
        choices=ActionItem.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what it is"},
    )
    recommendation = text_area(
        "The recommendation or gap",
        rows=3,
        required=True,
        help_text="As the committee made it, or the gap between current and target level.",
    )
    behaviour = forms.ModelChoiceField(
        label="The behaviour with the gap (for a maturity gap)",
        queryset=Behaviour.objects.select_related("key_area").order_by(
            "key_area__number", "number"
        ),
        required=False,
        empty_label="Choose a behaviour",
    )
    key_areas = forms.ModelMultipleChoiceField(
        label="Key areas it serves",
        queryset=KeyArea.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    actions = text_area("Proposed actions", rows=4, required=True)
    owner = _people()
    due_by = GovukDateField(label="Timescale: due by", described_as="Due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["behaviour"].label_from_instance = lambda b: (
            f"{b.code} {b.name} ({b.key_area.name})"
        )
        self.fields["key_areas"].label_from_instance = lambda area: f"{area.number}. {area.name}"
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name()


class ActionItemChangeForm(ActionItemForm):
    reason = text_area(
        "Why is it changing?",
        rows=2,
        required=True,
        error_messages={"required": "Say why it is changing"},
    )


class ProgressForm(GovukForm):
    noted_on = GovukDateField(label="Date of the update")
    text = text_area("Progress to date", rows=4, required=True)
    status = forms.ChoiceField(
        label="Where does the action stand now?",
        choices=ActionItem.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the action stands now"},
    )


class ActionFilterForm(GovukForm):
    status = forms.ChoiceField(
        choices=[("", "Any"), (NOT_DELIVERED, "Not yet delivered"), *ActionItem.Status.choices],
        required=False,
    )
    key_area = forms.ModelChoiceField(
        queryset=KeyArea.objects.order_by("number"), required=False, empty_label="Any"
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Any")
    overdue = forms.BooleanField(label="Only overdue", required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name()
        self.fields["key_area"].label_from_instance = lambda a: f"{a.number}. {a.name}"
