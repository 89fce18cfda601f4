"""Deciding on reports: the routing preview, the reports awaiting a decision, the decision in
three moves (form, check, confirmation), and the author's submission and withdrawal."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gateways.authority import authorities_open
from gateways.forms import DecisionForm, RoutingPreviewForm, WithdrawForm
from gateways.models import GatewayReview, ReviewStep, StepDecision
from gateways.progress import Kind
from gateways.routing import NoPolicyInForce, policy_on, route_for
from gateways.rules import is_author, may_edit_report
from gateways.selectors import (
    review_route_preview,
    reviews_awaiting,
    reviews_stuck,
    reviews_with_my_delegate,
)
from gateways.services import (
    COLLECTIVE,
    GatewayError,
    current_step,
    delegations_active,
    is_key_decision,
    names_themes,
    review_decide,
    review_decision_check,
    review_submit,
    review_withdraw,
    themes_missing,
)
from procurement.access import requires
from procurement.forms import NOT_A_FIELD, show_error
from procurement.models import GatewayStage
from procurement.roles import Role
from training.selectors import contract_manager_refusal, gateway_decision_lapse

from .common import gateway_button, review_for


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
    """The same answer for other systems: required, tier, steps (who must act at each), policy."""
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


def step_waiting(review: GatewayReview) -> ReviewStep | None:
    """The step a report in review waits at; ``None`` for a report not in review."""
    return current_step(review) if review.state == GatewayReview.State.IN_REVIEW else None


def decision_form(user, review: GatewayReview, step: ReviewStep | None, data=None):
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


# What the decision form posts besides its fields: which button, and the step it was checked at.
DECISION_CONTROLS = {"csrfmiddlewaretoken", "confirm", "change", "step", "round"}


def decision_training_lapse(user, review: GatewayReview, step: ReviewStep | None, form):
    """Where the policy's training rule would refuse ``user`` the decision they are offered,
    said before they fill it in (decision record 0056)."""
    if form is None or step is None or step.kind not in {Kind.DECISION, Kind.RECOMMENDATION}:
        return None
    return gateway_decision_lapse(person=user, value=review.value, on=timezone.localdate())


def award_manager_refusal(review: GatewayReview) -> str:
    """Why the contract a Gateway 2 report awards could not name the procurement's lead officer
    as its manager at the final approval, told to the author before they submit it."""
    if review.stage != GatewayStage.G2 or review.project_id is None:
        return ""
    return contract_manager_refusal(
        person=review.project.lead_officer, value=review.award_value, on=timezone.localdate()
    )


def _decision_page(request, review, step, form) -> HttpResponse:
    """The decision form on a page of its own, so that its errors are beside its fields."""
    return render(
        request,
        "gateways/decide.html",
        {
            "review": review,
            "step": step,
            "form": form,
            "training_lapse": decision_training_lapse(request.user, review, step, form),
            "page_title": f"Your decision: {review}",
        },
    )


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def review_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision at the report's current step, in three moves: the form (on the report's page
    or its own), a page to check it, and the confirmation that records it. Nothing is written
    before the confirmation, which is checked again in full: the report may have moved on."""
    review = review_for(request, pk)
    step = step_waiting(review)
    data = request.POST if request.method == "POST" else None
    form = decision_form(request.user, review, step, data)
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
        if getattr(error, "refuses_person", False):
            # About the person, not a field: the summary links to no field (govuk.py).
            form.add_error(None, ValidationError(str(error), code=NOT_A_FIELD))
        else:
            show_error(form, error)
        return _decision_page(request, review, step, form)
    outcome = StepDecision.Outcome(form.cleaned_data["outcome"]).label.lower()
    messages.success(request, f"Recorded: {outcome}")
    return redirect("gateways:review", pk=review.pk)


def _decision_rows(form: DecisionForm) -> list[tuple[str, object]]:
    """What the decision says, a field to a row, as the check page shows it."""
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
    return rows


def _decision_check_page(request, review, step, form, *, moved_on: bool) -> HttpResponse:
    """Check your decision: what it says, and (to reject) that it ends the procurement. It
    carries the decision as posted, to be checked again when confirmed."""
    return render(
        request,
        "gateways/decide_check.html",
        {
            "review": review,
            "step": step,
            "form": form,
            "outcome": StepDecision.Outcome(form.cleaned_data["outcome"]),
            "rows": _decision_rows(form),
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
    review = review_for(request, pk, is_author)
    if request.method == "POST":
        return gateway_button(
            request,
            action=lambda: review_submit(review=review, by=request.user),
            done="The report has been submitted",
            next_url=reverse("gateways:review", args=[review.pk]),
            refused_url=reverse("gateways:submit", args=[review.pk]),
        )
    if not may_edit_report(request.user, review):
        messages.error(request, "This report is not waiting to be submitted")
        return redirect("gateways:review", pk=review.pk)
    preview = review_route_preview(review=review)
    theme_problems = themes_missing(review)
    return render(
        request,
        "gateways/submit_check.html",
        {
            "review": review,
            "preview": preview,
            "theme_problems": theme_problems,
            "has_problems": bool(preview.problems or theme_problems),
            "names_themes": names_themes(review),
            "theme_statements": review.theme_statements.select_related("theme"),
            "award_manager_refusal": award_manager_refusal(review),
            "page_title": f"Check your report before submitting it: {review}",
        },
    )


@requires("procurement.use_service")
@require_POST
def review_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk, is_author)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the report is withdrawn")
        return redirect("gateways:review", pk=review.pk)
    return gateway_button(
        request,
        action=lambda: review_withdraw(
            review=review, by=request.user, reason=form.cleaned_data["reason"]
        ),
        done="The report has been withdrawn",
        next_url=reverse("gateways:review", args=[review.pk]),
    )
