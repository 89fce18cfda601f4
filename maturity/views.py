"""Pages of the maturity self-assessment: the framework (and its JSON), assessments with their
scoring, agreement and results, and the improvement action plans with Kent's tracker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from procurement.access import public, requires
from procurement.charts import Axis, RadarChart
from procurement.models import User
from procurement.pages import form_page
from procurement.query import query_value

from .evidence import evidence_for
from .forms import (
    ActionFilterForm,
    ActionItemChangeForm,
    ActionItemForm,
    ActionPlanForm,
    AgreeForm,
    AssessmentForm,
    ParticipantForm,
    ProgressForm,
    ScoreForm,
)
from .models import ActionItem, ActionPlan, Assessment, KeyArea, Level, Participant
from .selectors import (
    ActionFilters,
    Results,
    assessment_results,
    assessment_with_participants,
    assessments_listed,
    framework_default,
    framework_published,
    framework_tree,
    officers_eligible,
    plan_items,
    plan_status_counts,
    plans_listed,
    scored_counts,
    scores_for_key_area,
    scores_of,
)
from .services import (
    ActionTerms,
    MaturityError,
    action_item_add,
    action_item_change,
    action_plan_create,
    assessment_close,
    assessment_create,
    levels_agree,
    participant_add,
    progress_add,
    scores_record,
)

LEVELS = list(Level)


def _form_page(request: HttpRequest, form, *, template: str = "maturity/form.html", **kwargs):
    return form_page(request, form, refusals=(MaturityError,), template=template, **kwargs)


def _eligible(assessment: Assessment | None = None):
    people = officers_eligible()
    if assessment is not None:
        people = people.exclude(
            pk__in=Participant.objects.filter(assessment=assessment).values("user")
        )
    return people


# --- The framework ----------------------------------------------------------------------------


@requires("maturity.view_maturity")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "maturity/index.html",
        {
            "assessments": assessments_listed(),
            "plans": plans_listed(),
            "can_manage": request.user.has_perm("maturity.manage_assessment"),
            "can_plan": request.user.has_perm("maturity.manage_plans"),
        },
    )


@requires("maturity.view_maturity")
@require_GET
def framework(request: HttpRequest) -> HttpResponse:
    found = framework_default()
    return render(
        request, "maturity/framework.html", {"framework": found, "themes": framework_tree(found)}
    )


@public
@require_GET
def framework_json(request: HttpRequest) -> JsonResponse:
    """The framework, published for anyone (other councils included) to reuse."""
    response = JsonResponse(
        framework_published(framework_default()), json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Assessments ------------------------------------------------------------------------------


def _assessment(pk: int) -> Assessment:
    try:
        return assessment_with_participants(pk)
    except Assessment.DoesNotExist:
        raise Http404 from None


def _key_area(assessment: Assessment, area_pk: int) -> KeyArea:
    return get_object_or_404(
        KeyArea.objects.select_related("theme"),
        pk=area_pk,
        theme__framework_id=assessment.framework_id,
    )


def _radar(results: Results) -> RadarChart:
    series = ["Agreed current level", "Target level"]
    if results.previous:
        series.append(f"Current level in {results.previous.year_label}")
    axes = []
    for area in results.areas:
        values = [area.current, area.target]
        if results.previous:
            values.append(area.previous)
        axes.append(
            Axis(label=f"{area.key_area.number}. {area.key_area.name}", values=tuple(values))
        )
    return RadarChart(
        title="Maturity by key area: agreed current level and target (1 Minimum to 5 Innovator)",
        series=tuple(series),
        axes=axes,
        rings=tuple((level.value, f"{level.value} {level.label}") for level in Level),
    )


@requires("maturity.manage_assessment")
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST or None, eligible=_eligible())
    return _form_page(
        request,
        form,
        action=lambda data: assessment_create(
            framework=framework_default(),
            name=data["name"],
            year=data["year"],
            score_by=data["score_by"],
            participants=data["participants"],
            by=request.user,
        ),
        done="The assessment has been started: participants can score it",
        next_url=lambda made: reverse("maturity:assessment", args=[made.pk]),
        context={"heading": "Start a self-assessment", "button": "Start the assessment"},
    )


@requires("maturity.view_maturity")
@require_GET
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assessment(pk)
    results = assessment_results(found)
    user = request.user
    participant = next((p for p in found.participants.all() if p.user_id == user.pk), None)
    plans = list(found.action_plans.order_by("-created_at"))
    return render(
        request,
        "maturity/assessment.html",
        {
            "assessment": found,
            "results": results,
            "radar": _radar(results),
            "participant": participant,
            "can_score": user.has_perm("maturity.score_assessment", found),
            "can_manage": user.has_perm("maturity.manage_assessment") and found.is_open,
            "can_see_scores": user.has_perm("maturity.view_scores", found),
            "can_plan": user.has_perm("maturity.manage_plans"),
            "plan": plans[0] if plans else None,
            "levels": LEVELS,
        },
    )


@requires("maturity.manage_assessment")
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assessment(pk)
    if not found.is_open:
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, eligible=_eligible(found))
    form.fields["user"].label_from_instance = lambda user: user.get_full_name()
    return _form_page(
        request,
        form,
        action=lambda data: participant_add(assessment=found, user=data["user"], by=request.user),
        done="The officer has been asked to take part",
        next_url=reverse("maturity:participants", args=[found.pk]),
        template="maturity/participants.html",
        context={"assessment": found, "heading": "Who takes part"},
    )


@requires("maturity.view_maturity")
@require_GET
def score_list(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assessment(pk)
    if not request.user.has_perm("maturity.score_assessment", found):
        raise PermissionDenied
    participant = Participant.objects.get(assessment=found, user=request.user)
    counts = scored_counts(participant)
    themes = framework_tree(found.framework)
    return render(
        request,
        "maturity/score_list.html",
        {
            "assessment": found,
            "themes": [
                (
                    theme,
                    [
                        (area, counts.get(area.pk, 0), len(area.behaviours.all()))
                        for area in theme.key_areas.all()
                    ],
                )
                for theme in themes
            ],
        },
    )


def _behaviour_rows(form, behaviours, **extra) -> list[dict]:
    rows = []
    for behaviour in behaviours:
        row = {"behaviour": behaviour}
        for name in form.fields:
            prefix, _, pk = name.rpartition("_")
            if pk == str(behaviour.pk):
                row[prefix] = form[name]
        for key, values in extra.items():
            row[key] = values.get(behaviour.pk)
        rows.append(row)
    return rows


@requires("maturity.view_maturity")
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    found = _assessment(pk)
    if not request.user.has_perm("maturity.score_assessment", found):
        raise PermissionDenied
    area = _key_area(found, area_pk)
    behaviours = list(area.behaviours.order_by("number"))
    participant = Participant.objects.get(assessment=found, user=request.user)
    mine = scores_of(participant, area)
    initial = {}
    for pk_, existing in mine.items():
        initial[f"level_{pk_}"] = existing.level
        initial[f"evidence_{pk_}"] = existing.evidence
    form = ScoreForm(request.POST or None, behaviours=behaviours, initial=initial)
    today = timezone.localdate()
    return _form_page(
        request,
        form,
        action=lambda data: scores_record(
            assessment=found, key_area=area, entries=form.entries(), by=request.user
        ),
        done=f"Your scores for {area.name} have been saved",
        next_url=reverse("maturity:score_list", args=[found.pk]),
        template="maturity/score.html",
        context={
            "assessment": found,
            "key_area": area,
            "rows": _behaviour_rows(
                form,
                behaviours,
                figures=evidence_for(behaviours, framework=found.framework, today=today),
            ),
            "levels": LEVELS,
        },
    )


@requires("maturity.manage_assessment")
@require_http_methods(["GET", "POST"])
def agree(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    found = _assessment(pk)
    if not found.is_open:
        raise PermissionDenied
    area = _key_area(found, area_pk)
    results = assessment_results(found).area(area.pk)
    behaviours = [b.behaviour for b in results.behaviours]
    initial = {}
    for row in results.behaviours:
        pk_ = row.behaviour.pk
        if row.agreed:
            initial[f"current_{pk_}"] = row.agreed.current
            initial[f"target_{pk_}"] = row.agreed.target
            initial[f"rationale_{pk_}"] = row.agreed.rationale
        elif row.spread:
            initial[f"current_{pk_}"] = row.spread.suggested
    form = AgreeForm(request.POST or None, behaviours=behaviours, initial=initial)
    today = timezone.localdate()
    return _form_page(
        request,
        form,
        action=lambda data: levels_agree(
            assessment=found, key_area=area, entries=form.entries(), by=request.user
        ),
        done=f"The levels for {area.name} have been agreed",
        next_url=reverse("maturity:key_area", args=[found.pk, area.pk]),
        template="maturity/agree.html",
        context={
            "assessment": found,
            "key_area": area,
            "rows": _behaviour_rows(
                form,
                behaviours,
                result={b.behaviour.pk: b for b in results.behaviours},
                scores=scores_for_key_area(found, area),
                figures=evidence_for(behaviours, framework=found.framework, today=today),
            ),
        },
    )


@requires("maturity.view_maturity")
@require_GET
def key_area(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    found = _assessment(pk)
    area = _key_area(found, area_pk)
    results = assessment_results(found)
    area_result = results.area(area.pk)
    behaviours = [b.behaviour for b in area_result.behaviours]
    can_see_scores = request.user.has_perm("maturity.view_scores", found)
    scores = scores_for_key_area(found, area) if can_see_scores else {}
    figures = evidence_for(behaviours, framework=found.framework, today=timezone.localdate())
    return render(
        request,
        "maturity/key_area.html",
        {
            "assessment": found,
            "key_area": area,
            "results": results,
            "area": area_result,
            "rows": [
                {
                    "result": row,
                    "figures": figures.get(row.behaviour.pk, []),
                    "scores": scores.get(row.behaviour.pk, []),
                }
                for row in area_result.behaviours
            ],
            "can_see_scores": can_see_scores,
            "can_manage": request.user.has_perm("maturity.manage_assessment") and found.is_open,
            "can_score": request.user.has_perm("maturity.score_assessment", found),
        },
    )


@requires("maturity.manage_assessment")
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assessment(pk)
    try:
        assessment_close(assessment=found, by=request.user)
    except MaturityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The assessment is closed: its results are final")
    return redirect("maturity:assessment", pk=found.pk)


# --- Action plans -----------------------------------------------------------------------------


def _plan(pk: int) -> ActionPlan:
    return get_object_or_404(ActionPlan.objects.select_related("assessment"), pk=pk)


def _item(plan_pk: int, item_pk: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("plan", "owner", "behaviour__key_area"),
        pk=item_pk,
        plan_id=plan_pk,
    )


@requires("maturity.manage_plans")
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    form = ActionPlanForm(request.POST or None)
    form.initial["assessment"] = query_value(request, "assessment", form.fields["assessment"])
    return _form_page(
        request,
        form,
        action=lambda data: action_plan_create(
            name=data["name"],
            assessment=data["assessment"],
            description=data["description"],
            by=request.user,
        ),
        done="The action plan has been started",
        next_url=lambda made: reverse("maturity:plan", args=[made.pk]),
        context={"heading": "Start an action plan", "button": "Start the plan"},
    )


def _filters(request: HttpRequest, plan: ActionPlan) -> tuple[ActionFilterForm, ActionFilters]:
    owners = User.objects.filter(pk__in=plan.items.values("owner")).order_by(
        "last_name", "first_name"
    )
    form = ActionFilterForm(request.GET or None, owners=owners)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ActionFilters(
        status=data.get("status", ""),
        key_area_id=data["key_area"].pk if data.get("key_area") else None,
        owner_id=data["owner"].pk if data.get("owner") else None,
        overdue=data.get("overdue", False),
    )
    return form, filters


@requires("maturity.view_maturity")
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(pk)
    today = timezone.localdate()
    form, filters = _filters(request, found)
    return render(
        request,
        "maturity/plan.html",
        {
            "plan": found,
            "form": form,
            "items": plan_items(found, today=today, filters=filters),
            "counts": plan_status_counts(found),
            "today": today,
            "query": request.GET.urlencode(),
            "can_plan": request.user.has_perm("maturity.manage_plans"),
        },
    )


@requires("maturity.view_maturity")
@require_GET
def tracker(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan in the layout of a committee's tracker, for printing or pasting into a report."""
    found = _plan(pk)
    today = timezone.localdate()
    _, filters = _filters(request, found)
    return render(
        request,
        "maturity/tracker.html",
        {
            "plan": found,
            "items": plan_items(found, today=today, filters=filters),
            "today": today,
        },
    )


def _terms(data: dict) -> ActionTerms:
    return ActionTerms(
        kind=data["kind"],
        recommendation=data["recommendation"],
        behaviour=data["behaviour"],
        key_areas=list(data["key_areas"]),
        actions=data["actions"],
        owner=data["owner"],
        due_by=data["due_by"],
    )


def _gap_initial(request: HttpRequest, plan: ActionPlan) -> dict:
    """A new action for a behaviour's gap (the link beside each gap) starts filled in."""
    behaviour_pk = query_value(request, "behaviour")
    if behaviour_pk is None or plan.assessment_id is None:
        return {}
    results = assessment_results(plan.assessment)
    row = next((b for b in results.behaviours if b.behaviour.pk == behaviour_pk), None)
    if row is None or not row.gap:
        return {}
    behaviour = row.behaviour
    return {
        "kind": ActionItem.Kind.GAP,
        "behaviour": behaviour.pk,
        "key_areas": [behaviour.key_area_id],
        "recommendation": (
            f"Move {behaviour.code} {behaviour.name} ({behaviour.key_area.name}) from "
            f"{Level(row.current).label} to {Level(row.target).label}."
        ),
    }


@requires("maturity.manage_plans")
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan(pk)
    initial = {"kind": ActionItem.Kind.RECOMMENDATION, **_gap_initial(request, found)}
    form = ActionItemForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        action=lambda data: action_item_add(plan=found, terms=_terms(data), by=request.user),
        done="The action has been added to the plan",
        next_url=reverse("maturity:plan", args=[found.pk]),
        context={"plan": found, "heading": "Add an action", "button": "Add the action"},
    )


@requires("maturity.view_maturity")
@require_GET
def item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    found = _item(pk, item_pk)
    return render(
        request,
        "maturity/item.html",
        {
            "item": found,
            "plan": found.plan,
            "progress": found.progress.select_related("written_by").order_by("-noted_on", "-pk"),
            "key_areas": found.key_areas.order_by("number"),
            "history": found.history.select_related("history_user").order_by("-history_date"),
            "today": timezone.localdate(),
            "can_update": request.user.has_perm("maturity.update_action", found),
            "can_plan": request.user.has_perm("maturity.manage_plans"),
        },
    )


@requires("maturity.manage_plans")
@require_http_methods(["GET", "POST"])
def item_change(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    found = _item(pk, item_pk)
    form = ActionItemChangeForm(
        request.POST or None,
        initial={
            "kind": found.kind,
            "recommendation": found.recommendation,
            "behaviour": found.behaviour_id,
            "key_areas": list(found.key_areas.values_list("pk", flat=True)),
            "actions": found.actions,
            "owner": found.owner_id,
            "due_by": found.due_by,
        },
    )
    return _form_page(
        request,
        form,
        action=lambda data: action_item_change(
            item=found, terms=_terms(data), reason=data["reason"], by=request.user
        ),
        done="The action has been changed",
        next_url=reverse("maturity:item", args=[pk, found.pk]),
        context={
            "plan": found.plan,
            "heading": f"Change action {found.reference}",
            "button": "Save the change",
        },
    )


@requires("maturity.view_maturity")
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    found = _item(pk, item_pk)
    if not request.user.has_perm("maturity.update_action", found):
        raise PermissionDenied
    form = ProgressForm(
        request.POST or None, initial={"noted_on": timezone.localdate(), "status": found.status}
    )
    return _form_page(
        request,
        form,
        action=lambda data: progress_add(
            item=found,
            noted_on=data["noted_on"],
            text=data["text"],
            status=data["status"],
            by=request.user,
        ),
        done="The progress has been recorded",
        next_url=reverse("maturity:item", args=[pk, found.pk]),
        context={
            "plan": found.plan,
            "heading": f"Record progress on {found.reference}",
            "intro": found.recommendation,
            "button": "Record the progress",
        },
    )
