"""Delegation: giving one's gateway approvals to a colleague for a while, and ending it."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gateways.forms import DelegationForm
from gateways.models import Delegation
from gateways.rules import may_delegate_for
from gateways.services import delegation_create, delegation_end
from procurement.access import requires
from procurement.pages import object_for

from .common import gateway_button, gateway_form_page


def may_end_delegation(user, delegation: Delegation) -> bool:
    """The rule the service applies: the colleague who delegated, or an administrator."""
    return may_delegate_for(user, delegation.delegator_id)


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """Give my gateway approvals to a colleague for a while, and see or end my delegations."""
    form = DelegationForm(request.POST if request.method == "POST" else None, user=request.user)
    mine = Delegation.objects.select_related("delegator", "delegate")
    return gateway_form_page(
        request,
        form,
        action=lambda data: delegation_create(delegator=request.user, by=request.user, **data),
        done="Your approvals have been delegated",
        next_url=reverse("gateways:delegations"),
        template="gateways/delegations.html",
        context={
            "given": mine.filter(delegator=request.user),
            "received": mine.filter(delegate=request.user),
            "today": timezone.localdate(),
        },
    )


@requires("procurement.use_service")
@require_POST
def delegation_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = object_for(request, Delegation, pk, may_end_delegation)
    return gateway_button(
        request,
        action=lambda: delegation_end(delegation=delegation, by=request.user),
        done="The delegation has ended",
        next_url=reverse("gateways:delegations"),
    )
