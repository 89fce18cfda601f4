"""Pages of the forward plan and the gateways."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from procurement.access import requires

from .forms import DecisionForm, RoutingPreviewForm, WithdrawForm
from .models import GatewayReview, ReviewStep, StepDecision
from .routing import NoPolicyInForce, policy_on, route_for
from .selectors import can_act_at, reviews_awaiting, reviews_with_route
from .services import GatewayError, current_step, review_decide, review_submit, review_withdraw


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
    can_decide = can_act_at(request.user, review, step)
    return _page(request, review, step, DecisionForm(step=step) if can_decide else None)


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
    if not can_act_at(request.user, review, step):
        raise PermissionDenied
    form = DecisionForm(request.POST, step=step)
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
