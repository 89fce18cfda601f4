from django import forms
from django.contrib.auth.models import Group

from procurement.forms import GovukDateField, GovukForm, MoneyField, text_area
from procurement.models import Directorate, User
from procurement.roles import Role

from .models import LONGEST_REFRESH_MONTHS, Course
from .selectors import DueFilters, Status

ANY = [("", "Any")]
REASON_LENGTH = 500


def _roles() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Mandatory for",
        queryset=Group.objects.filter(name__in=Role.labels).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone holding a role ticked here must keep a current attendance.",
    )


# Why a change is made, kept in the history: asked as the contract's page asks it.
WHY = "Why are you making this change?"
SAY_WHY = {"required": "Say why you are making this change"}
REFRESH_RANGE = (
    f"Enter how many months before the course must be refreshed, from 1 to {LONGEST_REFRESH_MONTHS}"
)


class CourseForm(GovukForm):
    name = forms.CharField(
        label="Course name",
        max_length=200,
        error_messages={
            "required": "Enter the course name",
            "max_length": "The course name must be 200 characters or fewer",
        },
    )
    description = text_area("Description", max_length=2000)
    audience = forms.ChoiceField(choices=Course.Audience.choices, widget=forms.RadioSelect)
    mandatory_for = _roles()
    refresh_months = forms.IntegerField(
        label="Refresh every (months)",
        min_value=1,
        max_value=LONGEST_REFRESH_MONTHS,
        required=False,
        help_text="How long an attendance stays current. Leave blank if once is enough.",
        error_messages={code: REFRESH_RANGE for code in ("invalid", "min_value", "max_value")},
    )
    is_active = forms.BooleanField(label="The course is running", required=False, initial=True)
    reason = text_area(WHY, rows=2, required=True, max_length=REASON_LENGTH, error_messages=SAY_WHY)

    FIELDS = ("name", "description", "audience", "refresh_months", "is_active")

    @classmethod
    def for_course(cls, course: Course | None, data=None):
        if course is None or data is not None:
            return cls(data)
        initial = {name: getattr(course, name) for name in cls.FIELDS}
        initial["mandatory_for"] = list(course.mandatory_for.all())
        return cls(initial=initial)


def _people() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "email"),
        empty_label="Choose a person",
    )


class AttendanceForm(GovukForm):
    person = _people()
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_active=True).order_by("name"),
        empty_label="Choose a course",
    )
    attended_on = GovukDateField(label="Date attended")
    evidence = text_area(
        "Evidence of attendance",
        rows=3,
        required=True,
        max_length=2000,
        help_text="For example the signed register, or the certificate's number.",
    )

    def __init__(self, *args, person: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["person"].initial = person.pk


class TrainingRuleForm(GovukForm):
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_active=True).order_by("name"),
        empty_label="Choose a course",
        help_text="A current attendance at this course is the condition.",
    )
    value_above = MoneyField(
        label="Applies over this whole-life value",
        min_value=0,
        help_text="In pounds, for example £100,000.",
        error_messages={
            "required": "Enter the value over which the rule applies, for example £100,000",
            "invalid": "Enter the value over which the rule applies as an amount of money, "
            "for example £100,000",
            "min_value": "The value over which the rule applies must be £0 or more",
            **dict.fromkeys(
                ("max_digits", "max_whole_digits"),
                "The value over which the rule applies must be less than £1,000,000,000,000",
            ),
            "max_decimal_places": "Enter the value over which the rule applies in pounds and "
            "pence, for example £100,000.50",
        },
    )
    is_enforced = forms.BooleanField(
        label="Switch the rule on: refuse those without a current course", required=False
    )
    reason = text_area(WHY, rows=2, required=True, max_length=REASON_LENGTH, error_messages=SAY_WHY)


class DueFilterForm(GovukForm):
    """The list's filters (a GET form). Courses and directorates are offered by id as choices,
    so a value that is no id of theirs is refused by the form, never sent to the database."""

    status = forms.ChoiceField(
        choices=[("", "Due or overdue"), ("overdue", "Overdue only")]
        + [(s, Status.LABELS[s]) for s in Status.ORDER],
        required=False,
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    course = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose a course from the list"}
    )
    directorate = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose a directorate from the list"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = ANY + [
            (str(pk), name)
            for pk, name in Course.objects.filter(is_active=True)
            .order_by("name")
            .values_list("pk", "name")
        ]
        self.fields["directorate"].choices = ANY + [
            (str(pk), name)
            for pk, name in Directorate.objects.order_by("name").values_list("pk", "name")
        ]

    def filters(self) -> DueFilters:
        """The filters that parse: one that does not is ignored, and said beside its field (as
        the register does, decision record 0039), not the whole search."""
        if not self.is_bound:
            return DueFilters()
        self.is_valid()
        data = {"status": "", "course": "", "directorate": "", **self.cleaned_data}
        status = data["status"] or None
        return DueFilters(
            directorate=int(data["directorate"]) if data["directorate"] else None,
            course=int(data["course"]) if data["course"] else None,
            status=None if status == "overdue" else status,
            overdue_only=status == "overdue",
        )
