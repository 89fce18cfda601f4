"""Pages of the forward plan and the gateways."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.models import Contract
from performance.forms import KpiForm
from procurement.access import requires
from procurement.caching import cached_html, cached_page, query_vary
from procurement.dates import long_date
from procurement.files import download_response
from procurement.forms import show_error
from procurement.history import changes_of
from procurement.models import ContractCategory, Directorate, GatewayStage
from procurement.pages import paged
from procurement.query import query_value
from procurement.roles import Role
from socialvalue.models import MeasureLibrary

from .authority import authorities_open
from .evaluation import evaluation_for, savings_against_baseline, weighting_in_force
from .forms import (
    BidForm,
    BidOffersForm,
    ChooseMeasuresForm,
    DecisionForm,
    DeclarationForm,
    DelegationForm,
    EvaluatorForm,
    ProjectForm,
    ReportAttachmentForm,
    ReportForm,
    RoutingPreviewForm,
    ScoresForm,
    StartReportForm,
    WeightingForm,
    WithdrawForm,
)
from .models import (
    Bid,
    Delegation,
    GatewayReview,
    ProcurementProject,
    ProposedKpi,
    ReportAttachment,
    ReviewStep,
    StepDecision,
)
from .routing import NoPolicyInForce, policy_on, route_for
from .selectors import (
    contracts_to_reprocure,
    project_gateways,
    projects_forward_plan,
    review_outcome,
    review_route_preview,
    reviews_awaiting,
    reviews_for_the_board,
    reviews_stuck,
    reviews_with_my_delegate,
    reviews_with_route,
    weighting_report,
)
from .services import (
    COLLECTIVE,
    PASSING,
    GatewayError,
    WeightingError,
    bid_create,
    bid_moderate,
    bid_offers_set,
    bid_score,
    current_step,
    delegation_create,
    delegation_end,
    delegations_active,
    evaluator_add,
    evaluator_declare,
    is_key_decision,
    measures_choose,
    proposed_kpi_add,
    proposed_kpi_remove,
    review_attach,
    review_create,
    review_decide,
    review_decision_check,
    review_set_weighting,
    review_submit,
    review_update_report,
    review_withdraw,
)
from .services import project_create as create_project
from .services import project_update as update_project


def _preview(form: RoutingPreviewForm):
    data = form.cleaned_data
    return route_for(
        policy=policy_on(timezone.localdate()),
        stage=data["stage"],
        value=data["value"],
        core_service=data["core"],
        high_value_or_complex=data["complex"],
        extension=data["extension"],
    )


@requires("procurement.use_service")
@require_GET
def routing_preview(request: HttpRequest) -> HttpResponse:
    """Anyone signed in sees the tier and steps the current policy gives a procurement, and why."""
    form = RoutingPreviewForm(request.GET or None)
    route, error = None, None
    if form.is_bound and form.is_valid():
        try:
            route = _preview(form)
        except NoPolicyInForce as problem:
            error = str(problem)
    return render(
        request, "gateways/routing_preview.html", {"form": form, "route": route, "error": error}
    )


@requires("procurement.use_service")
@require_GET
def routing_preview_json(request: HttpRequest) -> JsonResponse:
    """The same answer for other systems: required, tier, steps (role names in order), policy."""
    form = RoutingPreviewForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        return JsonResponse(_preview(form).as_json())
    except NoPolicyInForce as problem:
        return JsonResponse({"errors": {"policy": [{"message": str(problem)}]}}, status=409)


@requires("procurement.use_service")
@require_GET
def awaiting(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the signed-in person's decision, oldest first; those with their
    delegate for now; and, for the head of procurement, those nobody in scope can decide."""
    user = request.user
    return render(
        request,
        "gateways/awaiting.html",
        {
            "waiting": reviews_awaiting(user=user),
            "with_delegate": reviews_with_my_delegate(user=user),
            "stuck": reviews_stuck() if Role.HEAD_OF_PROCUREMENT in user.roles else None,
        },
    )


def _review(request: HttpRequest, pk: int) -> GatewayReview:
    """The report, if the visitor may read it (403 if not)."""
    review = get_object_or_404(reviews_with_route(), pk=pk)
    if not request.user.has_perm("gateways.view_review", review):
        raise PermissionDenied
    return review


def _authors_review(request: HttpRequest, pk: int) -> GatewayReview:
    """The report, if the visitor wrote it: only its author submits, withdraws or attaches."""
    review = _review(request, pk)
    if request.user.pk != review.author_id:
        raise PermissionDenied("Only the report's author can do this.")
    return review


@requires("procurement.use_service")
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    def context() -> dict:
        review = _review(request, pk)
        step = current_step(review) if review.state == GatewayReview.State.IN_REVIEW else None
        return _page_context(request, review, step, _decision_form(request.user, review, step))

    # What the visitor may do at the report is on the page: kept per visitor, and only once
    # they were let read it (``_review`` refuses inside ``context``).
    title, content = cached_page(
        request,
        "gateways:review",
        pk,
        request.user.pk,
        template="gateways/_review_detail.html",
        context=context,
    )
    return render(request, "gateways/review_detail.html", {"page_title": title, "content": content})


def _decision_form(user, review: GatewayReview, step: ReviewStep | None, data=None):
    """The decision form for ``user`` at ``step``, or ``None`` where they may not act there.
    Under a delegation (and only so) it acts on behalf of the delegator by default."""
    if step is None:
        return None
    today = timezone.localdate()
    found = authorities_open(
        user, review, step, delegations=delegations_active(delegate=user, on=today), on=today
    )
    if not found:
        return None
    delegators = list({a.on_behalf_of.pk: a.on_behalf_of for a in found if a.on_behalf_of}.values())
    return DecisionForm(
        data,
        step=step,
        review=review,
        delegators=delegators,
        may_act_in_own_right=any(a.on_behalf_of is None for a in found),
        key_decision=is_key_decision(review),
        collective=any(a.role in COLLECTIVE for a in found),
    )


def route_rows(review: GatewayReview, current: ReviewStep | None) -> list[dict]:
    """Each step of the route with its status in the latest round and the decisions taken at
    it, every round: a step the report never got to is "Not reached"."""
    rows = []
    for step in review.steps.all():
        decisions = list(step.decisions.all())
        this_round = {d.outcome for d in decisions if d.round == review.round}
        if not step.is_active:
            status = "Replaced by referral"
        elif current is not None and step.pk == current.pk:
            status = "Waiting"
        elif StepDecision.Outcome.REJECTED in this_round:
            status = "Rejected"
        elif StepDecision.Outcome.RETURNED in this_round:
            status = "Returned for changes"
        elif review.round and this_round & PASSING:
            status = "Completed"
        else:
            status = "Not reached"
        rows.append({"step": step, "status": status, "decisions": decisions})
    return rows


def _evaluation_on_report(request: HttpRequest, review: GatewayReview) -> dict:
    """A Gateway 1 report shows its weighting; a Gateway 2 report the evaluation's ranking and the
    scores behind it (to its approvers once submitted; before that, to those who see the bids)."""
    if review.project_id is None:
        return {}
    if review.stage == GatewayStage.G1:
        return {
            "criteria": list(review.criteria.all()),
            "chosen_measures": [
                c.measure for c in review.chosen_measures.select_related("measure__library")
            ],
        }
    if review.stage != GatewayStage.G2:
        return {}
    if not (review.round or request.user.has_perm("gateways.view_bids", review.project)):
        return {}
    evaluation = evaluation_for(project=review.project)
    if evaluation.weighting_review is None:
        return {}
    row = evaluation.row_for(review.recommended_supplier_id)
    return {
        "evaluation": evaluation,
        "ranking_table": evaluation.criteria_table(evaluation.ranking),
        "recommended": row,
        "savings": savings_against_baseline(review=review, price=row.bid.price if row else None),
    }


def _page_context(request: HttpRequest, review: GatewayReview, step, form) -> dict:
    return {
        "page_title": str(review),
        **_evaluation_on_report(request, review),
        "may_change_weighting": review.stage == GatewayStage.G1
        and request.user.pk == review.author_id
        and review.state in {GatewayReview.State.DRAFT, GatewayReview.State.RETURNED},
        "review": review,
        "outcome": review_outcome(review),
        "step": step,
        "route": route_rows(review, step),
        "form": form,
        "withdraw_form": WithdrawForm() if _may_withdraw(request, review) else None,
        "may_submit": request.user.pk == review.author_id
        and review.state in {GatewayReview.State.DRAFT, GatewayReview.State.RETURNED},
        "attachments": review.attachments.select_related("uploaded_by"),
        "attachment_form": ReportAttachmentForm(),
        **_kpis_on_report(review),
    }


def _kpis_on_report(review: GatewayReview) -> dict:
    """A Gateway 2 report proposes the contract's KPIs (at least three over £5 million)."""
    if review.stage != GatewayStage.G2 or review.project_id is None:
        return {}
    proposed = list(review.proposed_kpis.all())
    return {"proposed_kpis": proposed, "kpis_problem": review.kpis_missing(len(proposed))}


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def proposed_kpi_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _authors_review(request, pk)
    form = KpiForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            proposed_kpi_add(review=review, fields=form.kpi_fields(), by=request.user)
        except (GatewayError, ValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, "The KPI has been added to the report")
            return redirect(f"{reverse('gateways:review', args=[review.pk])}#kpis")
    return render(
        request,
        "gateways/proposed_kpi_form.html",
        {"form": form, "review": review, "heading": "Propose a KPI for the contract"},
    )


@requires("procurement.use_service")
@require_POST
def proposed_kpi_remove_view(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    review = _authors_review(request, pk)
    kpi = get_object_or_404(ProposedKpi, pk=kpi_pk, review=review)
    try:
        proposed_kpi_remove(kpi=kpi, by=request.user)
    except GatewayError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"'{kpi.name}' is no longer proposed")
    return redirect(f"{reverse('gateways:review', args=[pk])}#kpis")


def _may_withdraw(request: HttpRequest, review: GatewayReview) -> bool:
    return request.user.pk == review.author_id and review.state in {
        GatewayReview.State.DRAFT,
        GatewayReview.State.IN_REVIEW,
        GatewayReview.State.RETURNED,
    }


# What the decision form posts besides its fields: which button, and the step it was checked at.
DECISION_CONTROLS = {"csrfmiddlewaretoken", "confirm", "change", "step", "round"}


def _decision_page(request, review, step, form) -> HttpResponse:
    """The decision form on a page of its own, so that its errors are beside its fields."""
    return render(
        request,
        "gateways/decide.html",
        {"review": review, "step": step, "form": form, "page_title": f"Your decision: {review}"},
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def review_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision at the report's current step, in three moves: the form (on the report's page
    or its own), a page to check it, and the confirmation that records it. Nothing is written
    before the confirmation, which is checked again in full: the report may have moved on."""
    review = _review(request, pk)
    step = current_step(review) if review.state == GatewayReview.State.IN_REVIEW else None
    data = request.POST if request.method == "POST" else None
    form = _decision_form(request.user, review, step, data)
    if form is None:
        raise PermissionDenied
    if data is None or "change" in data or not form.is_valid():
        return _decision_page(request, review, step, form)
    checked = data.get("step") == str(step.pk) and data.get("round") == str(review.round)
    try:
        if "confirm" not in data or not checked:
            review_decision_check(review=review, by=request.user, **form.cleaned_data)
            return _decision_check_page(request, review, step, form, moved_on="confirm" in data)
        review_decide(review=review, by=request.user, **form.cleaned_data)
    except GatewayError as error:
        show_error(form, error)
        return _decision_page(request, review, step, form)
    outcome = StepDecision.Outcome(form.cleaned_data["outcome"]).label.lower()
    messages.success(request, f"Recorded: {outcome}")
    return redirect("gateways:review", pk=review.pk)


def _decision_check_page(request, review, step, form, *, moved_on: bool) -> HttpResponse:
    """Check your decision: what it says, and (to reject) that it ends the procurement. It
    carries the decision as posted, to be checked again when confirmed."""
    rows = []
    for name, bound in form.fields.items():
        value = form.cleaned_data.get(name)
        if name == "outcome" or value in (None, "", False):
            continue
        if isinstance(bound, forms.BooleanField):
            value = "Yes"
        elif isinstance(value, date):
            value = date_format(value, "j F Y")
        rows.append((bound.label, value))
    return render(
        request,
        "gateways/decide_check.html",
        {
            "review": review,
            "step": step,
            "form": form,
            "outcome": StepDecision.Outcome(form.cleaned_data["outcome"]),
            "rows": rows,
            "pending": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in DECISION_CONTROLS
                for value in values
            ],
            "moved_on": moved_on,
            "page_title": f"Check your decision: {review}",
        },
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def review_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers before submitting (GET): the route the report will take, who is asked
    at each step, and what happens next; then submit it (POST)."""
    review = _authors_review(request, pk)
    if request.method == "GET":
        if review.state not in {GatewayReview.State.DRAFT, GatewayReview.State.RETURNED}:
            messages.error(request, "This report is not waiting to be submitted")
            return redirect("gateways:review", pk=review.pk)
        return render(
            request,
            "gateways/submit_check.html",
            {
                "review": review,
                "preview": review_route_preview(review=review),
                "page_title": f"Check your report before submitting it: {review}",
            },
        )
    try:
        review_submit(review=review, by=request.user)
    except GatewayError as error:
        messages.error(request, str(error))
        return redirect("gateways:submit", pk=review.pk)
    messages.success(request, "The report has been submitted")
    return redirect("gateways:review", pk=review.pk)


@requires("procurement.use_service")
@require_POST
def review_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _authors_review(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            review_withdraw(review=review, by=request.user, reason=form.cleaned_data["reason"])
        except GatewayError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The report has been withdrawn")
    else:
        messages.error(request, "Say why the report is withdrawn")
    return redirect("gateways:review", pk=review.pk)


# --- The forward plan and projects ------------------------------------------------------------

QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


def financial_quarter(day) -> tuple[int, int]:
    """(financial year it starts, quarter): 1 April 2026 is (2026, 1); 1 March 2027 is (2026, 4)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


@requires("gateways.view_forward_plan")
@require_GET
def forward_plan(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("gateways.add_project")
    content = cached_html(
        request,
        "gateways:forward_plan",
        query_vary(request),
        can_add,
        template="gateways/_forward_plan.html",
        context=lambda: {**_forward_plan(request), "can_add": can_add},
    )
    return render(request, "gateways/forward_plan.html", {"content": content})


def _forward_plan(request: HttpRequest) -> dict:
    today = timezone.localdate()
    directorate_id = query_value(request, "directorate")
    category_id = query_value(request, "category")
    quarters: dict[str, list] = {}
    for project in projects_forward_plan(directorate_id=directorate_id, category_id=category_id):
        if project.planned_start_date:
            year, quarter = financial_quarter(project.planned_start_date)
            label = f"{year}/{str(year + 1)[2:]} quarter {quarter} ({QUARTER_MONTHS[quarter]})"
        else:
            label = "Start not yet planned"
        quarters.setdefault(label, []).append(project)
    return {
        "quarters": quarters,
        **_to_reprocure(request, today=today, directorate_id=directorate_id),
        "directorates": Directorate.objects.filter(is_active=True),
        "directorate_id": directorate_id,
        "categories": ContractCategory.objects.filter(is_active=True),
        "category_id": category_id,
    }


# The "retender rather than extend" column shows this many contracts a page, most urgent first.
REPROCURE_PAGE = 10


def _to_reprocure(request: HttpRequest, *, today, directorate_id) -> dict:
    page, query = paged(
        request,
        contracts_to_reprocure(today=today, directorate_id=directorate_id),
        size=REPROCURE_PAGE,
    )
    return {"to_reprocure": page, "reprocure_query": query}


@requires("gateways.view_forward_plan")
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        ProcurementProject.objects.select_related(
            "directorate", "category", "lead_officer", "replaces"
        ),
        pk=pk,
    )
    try:
        gateways = project_gateways(project=project, today=timezone.localdate())
    except NoPolicyInForce:
        gateways = []
    return render(
        request,
        "gateways/project_detail.html",
        {
            "project": project,
            "gateways": gateways,
            "can_change": request.user.has_perm("gateways.change_project", project),
        },
    )


@requires("gateways.add_project")
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    initial = {"lead_officer": request.user.pk, "directorate": request.user.directorate_id}
    replaces_pk = query_value(request, "replaces")
    replaces = Contract.objects.filter(pk=replaces_pk).first() if replaces_pk else None
    if replaces is not None and request.user.has_perm("contracts.change_contract", replaces):
        initial.update(
            title=f"Re-procurement of {replaces.title}",
            directorate=replaces.directorate_id,
            category=replaces.category_id,
            estimated_value=replaces.whole_life_value,
            replaces=replaces.pk,
            planned_start_date=replaces.renewal_date + timedelta(days=1)
            if replaces.renewal_date
            else None,
            change_reason=(
                f"Re-procurement of {replaces.reference}, which ends {long_date(replaces.end_date)}"
                if replaces.end_date
                else f"Re-procurement of {replaces.reference}, a rolling contract"
            ),
        )
    form = ProjectForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = create_project(
                fields=form.project_fields(),
                by=request.user,
                reason=form.history_reason(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{project.reference} is on the forward plan")
            return redirect(project)
    return render(
        request, "gateways/project_form.html", {"form": form, "heading": "Plan a procurement"}
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ProcurementProject, pk=pk)
    if not request.user.has_perm("gateways.change_project", project):
        raise PermissionDenied
    form = ProjectForm(
        request.POST if request.method == "POST" else None, instance=project, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_project(
                project=project,
                fields=form.project_fields(),
                by=request.user,
                reason=form.history_reason(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The project has been updated")
            return redirect(project)
    return render(
        request,
        "gateways/project_form.html",
        {"form": form, "heading": f"Edit {project.reference}"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def start_report(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ProcurementProject, pk=pk)
    if not request.user.has_perm("gateways.change_project", project):
        raise PermissionDenied
    stages = [g["stage"] for g in project_gateways(project=project, today=timezone.localdate())]
    form = StartReportForm(request.POST if request.method == "POST" else None, stages=stages)
    form.initial["stage"] = query_value(request, "stage", form.fields["stage"])
    if request.method == "POST" and form.is_valid():
        try:
            review = review_create(
                author=request.user,
                stage=form.cleaned_data["stage"],
                summary=form.cleaned_data["summary"],
                project=project,
            )
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The report has been started: complete it, then submit it")
            return redirect("gateways:report", pk=review.pk)
    return render(
        request,
        "gateways/start_report.html",
        {
            "form": form,
            "project": project,
            "heading": f"Start a gateway report: {project.reference}",
        },
    )


@requires("gateways.view_forward_plan")
@require_GET
def board_agenda(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the Officer Board, with what the consultees said: printable."""
    return render(
        request,
        "gateways/board_agenda.html",
        {"agenda": reviews_for_the_board(), "today": timezone.localdate()},
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """Give my gateway approvals to a colleague for a while, and see or end my delegations."""
    form = DelegationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            delegation_create(delegator=request.user, by=request.user, **form.cleaned_data)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your approvals have been delegated")
            return redirect("gateways:delegations")
    mine = Delegation.objects.select_related("delegator", "delegate")
    return render(
        request,
        "gateways/delegations.html",
        {
            "form": form,
            "given": mine.filter(delegator=request.user),
            "received": mine.filter(delegate=request.user),
            "today": timezone.localdate(),
        },
    )


@requires("procurement.use_service")
@require_POST
def delegation_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(Delegation, pk=pk)
    # As the service: the colleague who delegated, or an administrator.
    if delegation.delegator_id != request.user.pk and not request.user.has_perm(
        "procurement.access_admin"
    ):
        raise PermissionDenied("Only the colleague who delegated can end a delegation.")
    try:
        delegation_end(delegation=delegation, by=request.user)
    except GatewayError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The delegation has ended")
    return redirect("gateways:delegations")


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author completes or corrects the report while it is a draft or returned."""
    review = _authors_review(request, pk)
    if review.state not in {
        GatewayReview.State.DRAFT,
        GatewayReview.State.RETURNED,
    }:
        raise PermissionDenied
    form = ReportForm(request.POST if request.method == "POST" else None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            review_update_report(review=review, fields=form.report_fields(), by=request.user)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The report has been saved")
            return redirect("gateways:review", pk=review.pk)
    return render(
        request,
        "gateways/report_form.html",
        {"form": form, "review": review, "heading": f"Complete the report: {review}"},
    )


@requires("gateways.view_forward_plan")
@require_POST
def propose_extension(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """Start a Gateway 3 report proposing to use one of the contract's extension options."""
    contract = get_object_or_404(Contract, pk=contract_pk)
    if not request.user.has_perm("contracts.change_contract", contract):
        raise PermissionDenied
    try:
        review = review_create(
            author=request.user,
            stage="G3",
            summary=f"Use extension option {contract.extensions_used + 1} of "
            f"{contract.extension_options} on {contract.reference}: {contract.title}.",
            contract=contract,
            is_extension=True,
        )
    except GatewayError as error:
        messages.error(request, str(error))
        return redirect("gateways:forward_plan")
    messages.success(request, "The Gateway 3 report has been started: complete the four tests")
    return redirect("gateways:report", pk=review.pk)


@requires("procurement.use_service")
@require_POST
def report_attach(request: HttpRequest, pk: int) -> HttpResponse:
    review = _authors_review(request, pk)
    form = ReportAttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the document to attach")
        return redirect("gateways:review", pk=review.pk)
    try:
        review_attach(review=review, upload=form.cleaned_data["file"], by=request.user)
    except GatewayError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The document has been attached")
    return redirect("gateways:review", pk=review.pk)


@requires("procurement.use_service")
@require_GET
def report_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    review = _review(request, pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, review=review)
    return download_response(attachment.file, name=attachment.original_name)


# --- Evaluation: the weighting at Gateway 1, the panel, the bids and the scores ----------------


def _open_strategy(request: HttpRequest, pk: int) -> GatewayReview:
    """A procurement's Gateway 1 strategy that the user wrote and may still change."""
    review = get_object_or_404(
        GatewayReview.objects.select_related("project__category"), pk=pk, stage=GatewayStage.G1
    )
    if (
        request.user.pk != review.author_id
        or review.project_id is None
        or review.state not in {GatewayReview.State.DRAFT, GatewayReview.State.RETURNED}
    ):
        raise PermissionDenied
    return review


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def weighting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sets the Gateway 1 weighting while the report is a draft or returned."""
    review = _open_strategy(request, pk)
    form = WeightingForm(request.POST if request.method == "POST" else None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            review_set_weighting(review=review, by=request.user, **form.service_arguments())
        except WeightingError as error:
            for problem in error.problems:
                form.add_problem(problem)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The weighting has been saved")
            return redirect("gateways:review", pk=review.pk)
    return render(
        request,
        "gateways/weighting_form.html",
        {
            "form": form,
            "review": review,
            "category": review.project.category,
            "heading": f"Evaluation weighting: {review.project.reference}",
        },
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def measures_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author chooses the social value measures bidders will commit to, from one library."""
    review = _open_strategy(request, pk)
    chosen = list(review.chosen_measures.select_related("measure__library"))
    libraries = list(MeasureLibrary.objects.all())
    if not libraries:
        raise Http404("No measure library has been loaded")
    library_id = query_value(request, "library") or (
        chosen[0].measure.library_id if chosen else libraries[0].pk
    )
    library = next((lib for lib in libraries if lib.pk == library_id), None)
    if library is None:
        raise Http404("No such library")
    measures = list(library.measures.order_by("order", "pk"))
    form = ChooseMeasuresForm(
        request.POST if request.method == "POST" else None,
        measures=measures,
        initial={"measures": [c.measure_id for c in chosen]},
    )
    if request.method == "POST" and form.is_valid():
        picked = set(form.cleaned_data["measures"])
        try:
            measures_choose(
                review=review, measures=[m for m in measures if m.pk in picked], by=request.user
            )
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The social value measures have been saved")
            return redirect(f"{reverse('gateways:review', args=[review.pk])}#social-value")
    return render(
        request,
        "gateways/measures_form.html",
        {
            "form": form,
            "review": review,
            "library": library,
            "libraries": libraries,
            "heading": f"Social value measures: {review.project.reference}",
        },
    )


def _recommended_id(project: ProcurementProject) -> int | None:
    """The supplier the project's latest Gateway 2 report recommends, if any."""
    report = (
        project.reviews.filter(stage=GatewayStage.G2)
        .exclude(state=GatewayReview.State.WITHDRAWN)
        .order_by("-pk")
        .first()
    )
    return report.recommended_supplier_id if report else None


def _project(pk: int) -> ProcurementProject:
    return get_object_or_404(ProcurementProject.objects.select_related("category"), pk=pk)


@requires("gateways.view_forward_plan")
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation: the weighting in force and the panel for all; the bids and every score
    for the cleared panel and the central team (and, after the award, for the record)."""
    project = _project(pk)
    current = evaluation_for(project=project)
    user = request.user
    return render(
        request,
        "gateways/evaluation.html",
        {
            "project": project,
            "evaluation": current,
            "mine": current.declaration_of(user),
            "ranking_table": current.criteria_table(current.ranking),
            "recommended_id": _recommended_id(project),
            "may_see_bids": user.has_perm("gateways.view_bids", project),
            "may_record": user.has_perm("gateways.record_bids", project),
            "may_score": user.has_perm("gateways.score_bids", project),
            "may_moderate": user.has_perm("gateways.moderate_bids", project),
            "evaluator_form": EvaluatorForm()
            if user.has_perm("gateways.manage_panel", project)
            else None,
        },
    )


@requires("gateways.view_forward_plan")
@require_POST
def evaluator_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not request.user.has_perm("gateways.manage_panel", project):
        raise PermissionDenied
    form = EvaluatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the person to name to the panel")
    else:
        try:
            evaluator_add(project=project, user=form.cleaned_data["user"], by=request.user)
        except GatewayError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['user']} is on the panel")
    return redirect("gateways:evaluation", pk=project.pk)


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """A panel member's conflict of interest declaration, before they see the bids."""
    project = _project(pk)
    if not project.evaluators.filter(user=request.user).exists():
        raise PermissionDenied
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluator_declare(project=project, by=request.user, **form.cleaned_data)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your declaration has been recorded")
            return redirect("gateways:evaluation", pk=project.pk)
    return render(
        request,
        "gateways/declaration_form.html",
        {"form": form, "project": project, "heading": "Declare any conflict of interest"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not request.user.has_perm("gateways.record_bids", project):
        raise PermissionDenied
    form = BidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            bid = bid_create(project=project, by=request.user, **form.cleaned_data)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The bid from {bid.supplier} has been recorded")
            return redirect("gateways:evaluation", pk=project.pk)
    return render(
        request,
        "gateways/bid_form.html",
        {"form": form, "project": project, "heading": f"Record a bid: {project.reference}"},
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_offers(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    """What a bid offers against each social value measure chosen at Gateway 1."""
    project = _project(pk)
    if not request.user.has_perm("gateways.record_bids", project):
        raise PermissionDenied
    bid = get_object_or_404(Bid.objects.select_related("supplier"), pk=bid_pk, project=project)
    weighting = weighting_in_force(project=project)
    measures = [c.measure for c in weighting.chosen_measures.all()] if weighting else []
    if not measures:
        raise Http404("No social value measures were chosen at Gateway 1")
    initial = {}
    for offer in bid.commitments.all():
        initial[f"quantity_{offer.measure_id}"] = offer.quantity
        initial[f"target_date_{offer.measure_id}"] = offer.target_date
    form = BidOffersForm(
        request.POST if request.method == "POST" else None, measures=measures, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            bid_offers_set(bid=bid, offers=form.offers(), by=request.user)
        except (GatewayError, ValidationError) as error:
            show_error(form, error)
        else:
            messages.success(request, f"The social value offered by {bid.supplier} is recorded")
            return redirect("gateways:evaluation", pk=project.pk)
    return render(
        request,
        "gateways/bid_offers_form.html",
        {
            "form": form,
            "project": project,
            "bid": bid,
            "heading": f"Social value offered by {bid.supplier}",
        },
    )


def _scores_page(request: HttpRequest, pk: int, bid_pk: int, *, moderating: bool):
    project = _project(pk)
    bid = get_object_or_404(Bid.objects.select_related("supplier"), pk=bid_pk, project=project)
    permission = "gateways.moderate_bids" if moderating else "gateways.score_bids"
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    current = evaluation_for(project=project)
    if current.weighting_review is None:
        raise PermissionDenied
    row = next(r for r in current.rows if r.bid.pk == bid.pk)
    if moderating:
        # Where every evaluator gave the same score, that is the starting point.
        initial = {
            c.criterion.pk: (c.moderated.score, c.moderated.note)
            if c.moderated
            else (c.individual[0].score if c.evaluators_agree else None, "")
            for c in row.criteria
        }
    else:
        initial = {
            c.criterion.pk: (s.score, s.comment)
            for c in row.criteria
            for s in c.individual
            if s.evaluator_id == request.user.pk
        }
    form = ScoresForm(
        request.POST if request.method == "POST" else None,
        criteria=current.criteria,
        scale_max=current.weighting_review.score_scale_max,
        text_label="Moderation note (needed where the score differs from an evaluator's)"
        if moderating
        else "Comment",
        initial_scores=initial,
    )
    if request.method == "POST" and form.is_valid():
        service = bid_moderate if moderating else bid_score
        try:
            service(bid=bid, by=request.user, scores=form.scores())
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            done = "moderated" if moderating else "scored"
            messages.success(request, f"The bid from {bid.supplier} has been {done}")
            return redirect("gateways:evaluation", pk=project.pk)
    return render(
        request,
        "gateways/scores_form.html",
        {
            "form": form,
            "project": project,
            "bid": bid,
            "row": row,
            "moderating": moderating,
            "scale_max": current.weighting_review.score_scale_max,
            "heading": f"{'Moderate' if moderating else 'Score'} the bid from {bid.supplier}",
        },
    )


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_score_view(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    return _scores_page(request, pk, bid_pk, moderating=False)


@requires("gateways.view_forward_plan")
@require_http_methods(["GET", "POST"])
def bid_moderate_view(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    return _scores_page(request, pk, bid_pk, moderating=True)


@requires("gateways.view_forward_plan")
@require_GET
def evaluation_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation as a council publishes it, or (``?bidder=<bid>``) as sent to one bidder,
    with the other bidders anonymised."""
    project = _project(pk)
    if not request.user.has_perm("gateways.view_bids", project):
        raise PermissionDenied
    current = evaluation_for(project=project)
    if not current.is_complete:
        messages.error(request, "The summary is ready once every bid's scores are moderated")
        return redirect("gateways:evaluation", pk=project.pk)
    recipient = None
    bidder = query_value(request, "bidder")
    if bidder is not None:
        recipient = next((r for r in current.rows if r.bid.pk == bidder), None)
        if recipient is None:
            raise Http404("No such bid on this procurement")
    names, letter = {}, iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for row in current.ranking:
        if recipient is None or row is recipient:
            names[row.bid.pk] = str(row.bid.supplier)
        else:
            names[row.bid.pk] = f"Bidder {next(letter, '?')}"
    return render(
        request,
        "gateways/evaluation_summary.html",
        {
            "project": project,
            "evaluation": current,
            "weighting": current.weighting_review,
            "rows": current.named_ranking(names),
            "table": current.criteria_table(current.ranking),
            "recipient": recipient,
            "recommended_id": _recommended_id(project),
            "today": timezone.localdate(),
        },
    )


@requires("gateways.view_forward_plan")
@require_GET
def weighting_report_view(request: HttpRequest) -> HttpResponse:
    """Weights actually approved, by category; awards with social value of 10% or more; and the
    departures from the templates."""
    return render(request, "gateways/weighting_report.html", weighting_report())


# --- The audit trail ---------------------------------------------------------------------------


def review_trail(review: GatewayReview) -> list[dict]:
    """Everything recorded about a report, newest first: the report's own changes (drafting,
    submission, each move of its state, with why), the decisions at its steps, its documents and
    its proposed KPIs. One query for each kind of record, however long the history."""
    kinds = [
        ("The report", GatewayReview, review.history.all()),
        ("A decision", StepDecision, StepDecision.history.filter(step__review=review)),
        ("A document", ReportAttachment, ReportAttachment.history.filter(review_id=review.pk)),
        ("A proposed KPI", ProposedKpi, ProposedKpi.history.filter(review_id=review.pk)),
    ]
    entries = []
    for label, model, records in kinds:
        ordered = list(records.select_related("history_user").order_by("-history_date", "-pk"))
        entries += [{**entry, "label": label} for entry in changes_of(ordered, model)]
    entries.sort(key=lambda entry: entry["record"].history_date, reverse=True)
    return entries


@requires("procurement.use_service")
@require_GET
def review_history(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    return render(
        request, "gateways/review_history.html", {"review": review, "entries": review_trail(review)}
    )
