"""Pages of the alerts: a person's own alerts, the notification ledger for administrators, the
gateway steps past their target, and the contracts of managers who have left."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from procurement.access import requires
from procurement.models import Notification, User
from procurement.notifications import NotificationError, is_interrupted, notification_send_again
from procurement.pages import form_page, paged

from .forms import LedgerFilterForm, ReassignForm
from .selectors import (
    contracts_left_behind,
    contracts_to_reassign,
    gateway_steps_overdue,
    group_by_manager,
    ledger_counts,
    notifications_ledger,
    open_renewal_alerts,
)
from .services import AlertError, contracts_reassign

PAGE_SIZE = 50


@requires("alerts.view_own")
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    digests = Notification.objects.filter(
        recipient=request.user, kind=Notification.Kind.ESCALATION_DIGEST
    ).order_by("-created_at", "-pk")[:8]
    return render(
        request,
        "alerts/mine.html",
        {
            "open_alerts": open_renewal_alerts(user=request.user, today=today),
            "digests": digests,
            "today": today,
        },
    )


@requires("alerts.view_own")
@require_GET
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.select_related("recipient").prefetch_related("items"), pk=pk
    )
    own = notification.recipient_id == request.user.pk
    if not own and not request.user.has_perm("procurement.view_notifications"):
        raise PermissionDenied("This email was sent to someone else.")
    return render(
        request,
        "alerts/notification.html",
        {
            "notification": notification,
            "interrupted": is_interrupted(notification),
            "may_send_again": request.user.has_perm("procurement.manage_notifications"),
        },
    )


@requires("procurement.view_notifications")
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = LedgerFilterForm(request.GET or None)
    rows = notifications_ledger(filters=form.filters(), now=now)
    page, query = paged(request, rows, size=PAGE_SIZE)
    return render(
        request,
        "alerts/notifications.html",
        {
            "form": form,
            "page": page,
            "counts": ledger_counts(now=now),
            "query": query,
            "now": now,
        },
    )


@requires("procurement.manage_notifications")
@require_POST
def send_again(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    try:
        delivery = notification_send_again(notification=notification, by=request.user)
    except NotificationError as error:
        messages.error(request, str(error))
    else:
        if delivery.sent:
            messages.success(request, "Sent again.")
        else:
            messages.error(request, "It failed again: the error is shown below.")
    return redirect("alerts:notification", pk=pk)


@requires("alerts.view_escalations")
@require_GET
def gateways_overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "alerts/gateways_overdue.html",
        {"overdue": gateway_steps_overdue(on=today), "today": today},
    )


@requires("alerts.reassign_contracts")
@require_GET
def reassign(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    groups = group_by_manager(contracts_to_reassign(user=request.user, today=today))
    return render(request, "alerts/reassign.html", {"groups": groups, "today": today})


@requires("alerts.reassign_contracts")
@require_http_methods(["GET", "POST"])
def reassign_manager(request: HttpRequest, user_pk: int) -> HttpResponse:
    departed = get_object_or_404(User, pk=user_pk, is_active=False)
    today = timezone.localdate()
    contracts = contracts_to_reassign(user=request.user, today=today).filter(
        contract_manager=departed
    )
    if not contracts.exists():
        if contracts_left_behind(today=today).filter(contract_manager=departed).exists():
            raise PermissionDenied("None of their contracts is yours to reassign.")
        raise Http404("They have no contracts left to reassign.")
    form = ReassignForm(
        request.POST or None, contracts=contracts, initial={"contracts": list(contracts)}
    )
    return form_page(
        request,
        form,
        action=lambda data: contracts_reassign(
            contracts=list(data["contracts"]),
            manager=data["manager"],
            by=request.user,
            reason=data["reason"],
        ),
        refusals=(AlertError,),
        done="The contracts have been reassigned.",
        next_url=reverse("alerts:reassign"),
        template="alerts/reassign_form.html",
        context={"departed": departed, "heading": f"Reassign {departed}'s contracts"},
    )
