"""Pages of the forward plan and the gateways."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from procurement.access import requires

from .forms import RoutingPreviewForm
from .routing import NoPolicyInForce, policy_on, route_for


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
