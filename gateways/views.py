"""Pages of the forward plan and the gateways."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.models import Contract
from procurement.access import requires
from procurement.files import download_response
from procurement.models import ContractCategory, Directorate

from .forms import (
    DecisionForm,
    DelegationForm,
    ProjectForm,
    ReportAttachmentForm,
    ReportForm,
    RoutingPreviewForm,
    StartReportForm,
    WithdrawForm,
)
from .models import (
    Delegation,
    GatewayReview,
    ProcurementProject,
    ReportAttachment,
    ReviewStep,
    StepDecision,
)
from .routing import NoPolicyInForce, policy_on, route_for
from .selectors import (
    can_act_at,
    contracts_to_reprocure,
    project_gateways,
    projects_forward_plan,
    reviews_awaiting,
    reviews_for_the_board,
    reviews_with_route,
)
from .services import (
    GatewayError,
    current_step,
    delegation_create,
    delegation_end,
    delegations_active,
    review_attach,
    review_create,
    review_decide,
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
    """The reports waiting for the signed-in person's decision, oldest first."""
    return render(
        request, "gateways/awaiting.html", {"waiting": reviews_awaiting(user=request.user)}
    )


def _review(pk: int) -> GatewayReview:
    return get_object_or_404(reviews_with_route(), pk=pk)


@requires("procurement.use_service")
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    step = current_step(review) if review.state == GatewayReview.State.IN_REVIEW else None
    delegators = _delegators_at(request.user, review, step)
    can_decide = can_act_at(request.user, review, step) or bool(delegators)
    form = DecisionForm(step=step, delegators=delegators) if can_decide else None
    return _page(request, review, step, form)


def _delegators_at(user, review: GatewayReview, step: ReviewStep | None) -> list:
    """Colleagues whose approvals ``user`` holds today and who could act at ``step``."""
    if step is None:
        return []
    return [
        d.delegator
        for d in delegations_active(delegate=user, on=timezone.localdate())
        if can_act_at(d.delegator, review, step)
    ]


def route_rows(review: GatewayReview, current: ReviewStep | None) -> list[dict]:
    """Each step of the route with its status and the decisions taken at it, every round."""
    rows = []
    passed = True
    for step in review.steps.all():
        if not step.is_active:
            status = "Replaced by referral"
        elif review.state == GatewayReview.State.APPROVED:
            status = "Completed"
        elif current is not None and step.pk == current.pk:
            status = "Waiting"
            passed = False
        elif passed and review.round:
            status = "Completed"
        else:
            status = "Not reached"
        rows.append({"step": step, "status": status, "decisions": list(step.decisions.all())})
    return rows


def _page(request: HttpRequest, review: GatewayReview, step, form) -> HttpResponse:
    return render(
        request,
        "gateways/review_detail.html",
        {
            "review": review,
            "step": step,
            "route": route_rows(review, step),
            "form": form,
            "withdraw_form": WithdrawForm() if _may_withdraw(request, review) else None,
            "may_submit": request.user.pk == review.author_id
            and review.state in {GatewayReview.State.DRAFT, GatewayReview.State.RETURNED},
            "attachments": review.attachments.select_related("uploaded_by"),
            "attachment_form": ReportAttachmentForm(),
        },
    )


def _may_withdraw(request: HttpRequest, review: GatewayReview) -> bool:
    return request.user.pk == review.author_id and review.state in {
        GatewayReview.State.DRAFT,
        GatewayReview.State.IN_REVIEW,
        GatewayReview.State.RETURNED,
    }


@requires("procurement.use_service")
@require_POST
def review_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    step = current_step(review) if review.state == GatewayReview.State.IN_REVIEW else None
    delegators = _delegators_at(request.user, review, step)
    if not (can_act_at(request.user, review, step) or delegators):
        raise PermissionDenied
    form = DecisionForm(request.POST, step=step, delegators=delegators)
    if form.is_valid():
        try:
            review_decide(review=review, by=request.user, **form.cleaned_data)
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            outcome = StepDecision.Outcome(form.cleaned_data["outcome"]).label.lower()
            messages.success(request, f"Recorded: {outcome}")
            return redirect("gateways:review", pk=review.pk)
    return _page(request, review, step, form)


@requires("procurement.use_service")
@require_POST
def review_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
    try:
        review_submit(review=review, by=request.user)
    except GatewayError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The report has been submitted")
    return redirect("gateways:review", pk=review.pk)


@requires("procurement.use_service")
@require_POST
def review_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(pk)
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


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@requires("gateways.view_forward_plan")
@require_GET
def forward_plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    directorate_id = _id(request.GET.get("directorate"))
    category_id = _id(request.GET.get("category"))
    quarters: dict[str, list] = {}
    for project in projects_forward_plan(directorate_id=directorate_id, category_id=category_id):
        if project.planned_start_date:
            year, quarter = financial_quarter(project.planned_start_date)
            label = f"{year}/{str(year + 1)[2:]} quarter {quarter} ({QUARTER_MONTHS[quarter]})"
        else:
            label = "Start not yet planned"
        quarters.setdefault(label, []).append(project)
    return render(
        request,
        "gateways/forward_plan.html",
        {
            "quarters": quarters,
            "to_reprocure": contracts_to_reprocure(today=today, directorate_id=directorate_id)[:50],
            "directorates": Directorate.objects.filter(is_active=True),
            "directorate_id": directorate_id,
            "categories": ContractCategory.objects.filter(is_active=True),
            "category_id": category_id,
            "can_add": request.user.has_perm("gateways.add_project"),
        },
    )


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
    replaces = Contract.objects.filter(pk=request.GET.get("replaces") or 0).first()
    if replaces is not None and request.user.has_perm("contracts.change_contract", replaces):
        initial.update(
            title=f"Re-procurement of {replaces.title}",
            directorate=replaces.directorate_id,
            category=replaces.category_id,
            estimated_value=replaces.whole_life_value,
            replaces=replaces.pk,
            planned_start_date=replaces.end_date + timedelta(days=1),
            change_reason=(
                f"Re-procurement of {replaces.reference}, which ends {replaces.end_date:%d/%m/%Y}"
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
                reason=form.cleaned_data["change_reason"],
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
                reason=form.cleaned_data["change_reason"],
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
    form = StartReportForm(
        request.POST if request.method == "POST" else None,
        stages=stages,
        initial={"stage": request.GET.get("stage")},
    )
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
    delegation = get_object_or_404(Delegation, pk=pk, delegator=request.user)
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
    review = get_object_or_404(GatewayReview, pk=pk)
    if request.user.pk != review.author_id or review.state not in {
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
    review = get_object_or_404(GatewayReview, pk=pk)
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
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, review_id=pk)
    return download_response(attachment.file, name=attachment.original_name)
