"""The training pages: who is due or overdue, the courses and the policy's rules, a person's
record, and recording an attendance."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from procurement.access import requires
from procurement.downloads import csv_response
from procurement.history import changes_of
from procurement.models import User
from procurement.numbers import count
from procurement.pages import form_page, object_for, paged
from procurement.query import query_value

from .forms import AttendanceForm, CourseForm, DueFilterForm, TrainingRuleForm
from .models import Course, TrainingRule
from .selectors import (
    Status,
    attendances_of,
    courses_listed,
    person_standings,
    rules_listed,
    training_due,
)
from .services import TrainingError, attendance_record, course_save, training_rule_set

PAGE_SIZE = 50


# What the rows the list shows are, by the status filtered on: each row is a person and a course.
STATUS_WORDS = {
    "": "due or overdue",
    "overdue": "overdue",
    Status.NOT_TAKEN: "not taken",
    Status.EXPIRED: "expired",
    Status.DUE: "due soon",
    Status.CURRENT: "current",
}


def due_count(rows: list, status: str) -> str:
    """ "3 mandatory courses expired, for 2 people": rows are people and courses, and the words
    follow the status filtered on."""
    people = len({row.person.pk for row in rows})
    courses = "mandatory course" if len(rows) == 1 else "mandatory courses"
    whom = "person" if people == 1 else "people"
    words = STATUS_WORDS.get(status, STATUS_WORDS[""])
    return f"{len(rows)} {courses} {words}, for {people} {whom}"


@requires("training.view_programme")
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """People due or overdue for a mandatory course, most urgent first, filtered and paged."""
    form = DueFilterForm(request.GET or None)
    rows = training_due(on=timezone.localdate(), filters=form.filters())
    page, query = paged(request, rows, size=PAGE_SIZE)
    status = form.cleaned_data.get("status", "") if form.is_bound else ""
    return render(
        request,
        "training/due.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "count": due_count(rows, status),
            "empty": (
                "Nobody is due or overdue for a mandatory course."
                if status in ("", "overdue")
                else f"No one's mandatory course is {STATUS_WORDS[status]}."
            ),
            "can_record": request.user.has_perm("training.record_attendance"),
        },
    )


CSV_HEADINGS = [
    "Name",
    "Email",
    "Directorate",
    "Course",
    "Status",
    "Last attended",
    "Current until",
]


@requires("training.view_programme")
@require_GET
def due_csv(request: HttpRequest) -> HttpResponse:
    """The list as its filters show it, every row, as CSV."""
    form = DueFilterForm(request.GET or None)
    rows = training_due(on=timezone.localdate(), filters=form.filters())
    return csv_response(
        CSV_HEADINGS,
        (
            [
                s.person.get_full_name(),
                s.person.email,
                s.person.directorate.name if s.person.directorate else "",
                s.course.name,
                s.status_label,
                s.last_attended,
                s.current_until,
            ]
            for s in rows
        ),
        f"training-due-{timezone.localdate():%Y-%m-%d}.csv",
    )


@requires("training.view_programme")
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    rules = rules_listed()
    return render(
        request,
        "training/courses.html",
        {
            "courses": courses_listed(),
            "rules": [(TrainingRule.Activity(activity), rule) for activity, rule in rules.items()],
            "can_manage": request.user.has_perm("training.manage_courses"),
            "can_set_rules": request.user.has_perm("training.set_rules"),
        },
    )


@requires("training.view_programme")
@require_GET
def course(request: HttpRequest, pk: int) -> HttpResponse:
    """A course, who attended it, and its history."""
    found = get_object_or_404(Course, pk=pk)
    history = list(found.history.select_related("history_user").order_by("-history_date", "-pk"))
    attendances = found.attendances.select_related("person", "recorded_by")[:PAGE_SIZE]
    return render(
        request,
        "training/course.html",
        {
            "course": found,
            "roles": list(found.mandatory_for.order_by("name")),
            "attendances": list(attendances),
            "attended": found.attendances.count(),
            "entries": changes_of(history, Course),
            "can_manage": request.user.has_perm("training.manage_courses"),
        },
    )


@requires("training.manage_courses")
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a course, or change one."""
    found = get_object_or_404(Course, pk=pk) if pk is not None else None
    form = CourseForm.for_course(found, request.POST if request.method == "POST" else None)

    def action(data: dict) -> Course:
        return course_save(
            course=found,
            fields={name: data[name] for name in CourseForm.FIELDS},
            mandatory_for=list(data["mandatory_for"]),
            by=request.user,
            reason=data["reason"],
        )

    return form_page(
        request,
        form,
        action=action,
        refusals=(TrainingError,),
        done=lambda made: f"{made} saved",
        next_url=lambda made: reverse("training:course", args=[made.pk]),
        template="training/course_form.html",
        context={"course": found},
    )


@requires("training.set_rules")
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, activity: str) -> HttpResponse:
    """Set the policy's rule for an activity: its course, its value, on or off."""
    if activity not in TrainingRule.Activity.values:
        raise Http404
    rule = TrainingRule.objects.filter(activity=activity).first()
    initial = (
        {"course": rule.course_id, "value_above": rule.value_above, "is_enforced": rule.is_enforced}
        if rule
        else {"value_above": TrainingRule._meta.get_field("value_above").default}
    )
    # As the hint writes it, "100,000": not the database's "100000.00".
    initial["value_above"] = count(initial["value_above"])
    form = TrainingRuleForm(request.POST or None, initial=initial)
    fields = ("course", "value_above", "is_enforced")
    return form_page(
        request,
        form,
        action=lambda data: training_rule_set(
            activity=activity,
            fields={name: data[name] for name in fields},
            by=request.user,
            reason=data["reason"],
        ),
        refusals=(TrainingError,),
        done="The training rule is saved",
        next_url=reverse("training:courses"),
        template="training/rule_form.html",
        context={"activity": TrainingRule.Activity(activity), "rule": rule},
    )


@requires("training.record_attendance")
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """Record a person's attendance at a course (the person may be given as ``?person=``)."""
    person = User.objects.filter(pk=query_value(request, "person"), is_active=True).first()
    form = AttendanceForm(request.POST or None, person=person)
    return form_page(
        request,
        form,
        action=lambda data: attendance_record(
            person=data["person"],
            course=data["course"],
            attended_on=data["attended_on"],
            evidence=data["evidence"],
            by=request.user,
        ),
        refusals=(TrainingError,),
        done=lambda made: f"{made.person}'s attendance at {made.course} is recorded",
        next_url=lambda made: reverse("training:person", args=[made.person_id]),
        template="training/record.html",
        context={"person": person},
    )


@requires("procurement.use_service")
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's training: their mandatory courses and every attendance recorded."""
    people = User.objects.select_related("directorate")
    return _record_page(request, object_for(request, people, pk, "training.view_record"))


@requires("procurement.use_service")
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own training record."""
    return _record_page(request, request.user)


def _record_page(request: HttpRequest, found: User) -> HttpResponse:
    return render(
        request,
        "training/person.html",
        {
            "person": found,
            "standings": person_standings(person=found, on=timezone.localdate()),
            "attendances": attendances_of(found),
            "own": found.pk == request.user.pk,
            "can_record": request.user.has_perm("training.record_attendance"),
        },
    )
