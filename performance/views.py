"""Pages of contract management, in three tiers: a contract's full detail for those who manage it,
the portfolio for the central team, and key contracts for lead members (Cotswold §4)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from contracts.lead_times import add_months
from contracts.models import Contract
from contracts.selectors import contract_detail
from procurement.access import requires
from procurement.dates import long_date
from procurement.pages import form_page, object_for, paged
from procurement.query import query_value
from procurement.selectors import plan_themes_active

from .forms import (
    ActionDoneForm,
    CloseForm,
    ExceptionResponseForm,
    KpiForm,
    KpiReturnForm,
    MeetingForm,
    PlannedSavingsForm,
    PortfolioFilterForm,
    ReviewForm,
    RiskForm,
    SavingForm,
)
from .models import Kpi, PerformanceException, ReviewAction, ThemeDelivery
from .panels import plans_context
from .selectors import (
    PortfolioFilters,
    contract_returns,
    contracts_of,
    exceptions_of,
    kpi_positions,
    late_returns_by_contract,
    performance_summary,
    portfolio,
    portfolio_counts,
    strategic_suppliers,
    with_late_returns,
)
from .services import (
    PerformanceError,
    action_complete,
    exception_close,
    exception_record_meeting,
    exception_respond,
    kpi_create,
    kpi_return_record,
    kpi_update,
    may_work_on,
    planned_savings_set,
    review_record,
    risk_assess,
    saving_record,
)

PAGE_SIZE = 50
KEY_CONTRACTS_PAGE = 20


def _contract(request: HttpRequest, pk: int, permission: str) -> Contract:
    return object_for(request, Contract, pk, permission)


def _form_page(request: HttpRequest, form, *, template: str = "performance/form.html", **kwargs):
    return form_page(request, form, refusals=(PerformanceError,), template=template, **kwargs)


def _performance_url(contract: Contract, anchor: str = "") -> str:
    url = reverse("performance:contract", args=[contract.pk])
    return f"{url}#{anchor}" if anchor else url


# --- A contract's full detail -----------------------------------------------------------------


@requires("contracts.view_register")
@require_GET
def contract_performance(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    try:
        contract = contract_detail(pk=pk, today=today)
    except Contract.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("performance.view_contract", contract):
        raise PermissionDenied
    summary = performance_summary(contract, today)
    return render(
        request,
        "performance/contract.html",
        {
            "contract": contract,
            "summary": summary,
            "returns": contract_returns(contract),
            "reviews": contract.reviews.select_related("recorded_by").prefetch_related(
                "actions",
                Prefetch("theme_deliveries", ThemeDelivery.objects.select_related("theme")),
            ),
            "exceptions": contract.exceptions.select_related("accountable_officer", "kpi"),
            "savings": contract.savings.all(),
            "can_manage": request.user.has_perm("performance.manage_contract", contract),
            **plans_context(request=request, contract=contract, today=today),
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def kpi_form(request: HttpRequest, pk: int, kpi_pk: int | None = None) -> HttpResponse:
    contract = _contract(request, pk, "performance.manage_contract")
    kpi = get_object_or_404(Kpi, pk=kpi_pk, contract=contract) if kpi_pk else None
    form = KpiForm(
        request.POST if request.method == "POST" else None, kpi=kpi, with_reason=bool(kpi)
    )

    def save(data):
        if kpi is None:
            kpi_create(
                contract=contract, fields=form.kpi_fields(), by=request.user, reason="KPI added"
            )
        else:
            kpi_update(
                kpi=kpi, fields=form.kpi_fields(), by=request.user, reason=data["change_reason"]
            )

    return _form_page(
        request,
        form,
        action=save,
        done="The KPI has been saved",
        next_url=_performance_url(contract, "kpis"),
        context={
            "contract": contract,
            "heading": f"Edit the KPI '{kpi.name}'" if kpi else "Add a KPI",
            "button": "Save the KPI",
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def kpi_return(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    today = timezone.localdate()
    contract = _contract(request, pk, "performance.manage_contract")
    kpi = get_object_or_404(Kpi, pk=kpi_pk, contract=contract)
    [position] = [p for p in kpi_positions(contract, today) if p.kpi.pk == kpi.pk]
    form = KpiReturnForm(
        request.POST if request.method == "POST" else None, periods=position.due_periods
    )
    raised = []

    def save(data):
        _, exception = kpi_return_record(
            kpi=kpi,
            period_start=form.period_start(),
            value=data["value"],
            comment=data["comment"],
            by=request.user,
            today=today,
        )
        raised.append(exception)

    response = _form_page(
        request,
        form,
        action=save,
        done="The return has been recorded",
        next_url=_performance_url(contract, "kpis"),
        template="performance/kpi_return_form.html",
        context={
            "contract": contract,
            "kpi": kpi,
            "heading": f"Record a return for '{kpi.name}'",
            "button": "Record the return",
        },
    )
    if raised and raised[0] is not None:
        messages.warning(
            request,
            "The return is red: an exception has been raised to the accountable officer",
        )
        return redirect("performance:exception", pk=contract.pk, exception_pk=raised[0].pk)
    return response


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def review_form(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    contract = _contract(request, pk, "performance.manage_contract")
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        themes=plan_themes_active(),
        initial={
            "held_on": today,
            "frequency_months": contract.review_frequency_months,
            "next_review_date": _next_review(contract, today),
        },
    )
    return _form_page(
        request,
        form,
        action=lambda data: review_record(
            contract=contract,
            held_on=data["held_on"],
            rating=data["rating"],
            rating_other=data["rating_other"],
            narrative=data["narrative"],
            next_review_date=data["next_review_date"],
            frequency_months=data["frequency_months"],
            actions=data["actions"],
            themes=form.theme_statements(),
            by=request.user,
            today=today,
        ),
        done="The performance review has been recorded",
        next_url=_performance_url(contract, "reviews"),
        template="performance/review_form.html",
        context={
            "contract": contract,
            "positions": kpi_positions(contract, today),
            "heading": f"Record a performance review of {contract.reference}",
        },
    )


def _next_review(contract: Contract, today: date) -> date | None:
    following = add_months(today, contract.review_frequency_months)
    # A rolling contract has no end to stop at: it is reviewed for as long as it runs.
    if contract.end_date is None or following <= contract.end_date:
        return following
    return None


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    contract = _contract(request, pk, "performance.manage_contract")
    action = get_object_or_404(ReviewAction, pk=action_pk, review__contract=contract)
    form = ActionDoneForm(
        request.POST if request.method == "POST" else None,
        initial={"completed_on": timezone.localdate()},
    )
    return _form_page(
        request,
        form,
        action=lambda data: action_complete(
            action=action, completed_on=data["completed_on"], by=request.user
        ),
        done="The action has been marked as done",
        next_url=_performance_url(contract, "reviews"),
        context={
            "contract": contract,
            "heading": "Mark an action as done",
            "intro": f"{action.description} (owner: {action.owner}, due by "
            f"{long_date(action.due_on)})",
            "button": "Mark as done",
        },
    )


# --- Exceptions -------------------------------------------------------------------------------


def _exception(request: HttpRequest, pk: int, exception_pk: int) -> PerformanceException:
    exception = get_object_or_404(
        PerformanceException.objects.select_related(
            "contract", "kpi", "kpi_return", "review", "accountable_officer", "closed_by"
        ),
        pk=exception_pk,
        contract_id=pk,
    )
    user = request.user
    if not (
        user.has_perm("performance.view_contract", exception.contract)
        or user.has_perm("performance.close_exception", exception)
    ):
        raise PermissionDenied
    return exception


@requires("contracts.view_register")
@require_GET
def exception_detail(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    exception = _exception(request, pk, exception_pk)
    kpi_returns = (
        exception.kpi.returns.filter(period_start__gte=exception.kpi_return.period_start)
        .select_related("recorded_by")
        .order_by("period_start")
        if exception.kpi_id and exception.kpi_return_id
        else []
    )
    return render(
        request,
        "performance/exception.html",
        {
            "exception": exception,
            "contract": exception.contract,
            "kpi_returns": kpi_returns,
            "can_work_on": exception.is_open and may_work_on(request.user, exception),
            "can_close": exception.is_open
            and request.user.has_perm("performance.close_exception", exception),
        },
    )


EXCEPTION_ACTIONS = {
    # form, heading, button, what is said once it is done
    "respond": (
        ExceptionResponseForm,
        "Record the provider's explanation and remedial plan",
        "Save the response",
        "The provider's explanation and remedial plan have been recorded",
    ),
    "meeting": (
        MeetingForm,
        "Record the provider's attendance at a meeting",
        "Save the meeting",
        "The meeting has been recorded",
    ),
    "close": (
        CloseForm,
        "Close the exception",
        "Close the exception",
        "The exception has been closed",
    ),
}


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def exception_action(request: HttpRequest, pk: int, exception_pk: int, step: str) -> HttpResponse:
    exception = _exception(request, pk, exception_pk)
    allowed = (
        request.user.has_perm("performance.close_exception", exception)
        if step == "close"
        else may_work_on(request.user, exception)
    )
    if not allowed:
        raise PermissionDenied
    form_class, heading, button, done = EXCEPTION_ACTIONS[step]
    initial = {
        "provider_explanation": exception.provider_explanation,
        "remedial_plan": exception.remedial_plan,
        "meeting_date": exception.meeting_date,
        "attendees": exception.meeting_attendees,
        "notes": exception.meeting_notes,
    }
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)

    def act(data):
        if step == "respond":
            exception_respond(exception=exception, by=request.user, **data)
        elif step == "meeting":
            exception_record_meeting(exception=exception, by=request.user, **data)
        else:
            exception_close(exception=exception, by=request.user, **data)

    return _form_page(
        request,
        form,
        action=act,
        done=done,
        next_url=reverse("performance:exception", args=[pk, exception.pk]),
        context={
            "contract": exception.contract,
            "heading": heading,
            "intro": exception.reason,
            "button": button,
        },
    )


# --- Savings and risk -------------------------------------------------------------------------


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def saving_form(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    contract = _contract(request, pk, "performance.manage_contract")
    form = SavingForm(
        request.POST if request.method == "POST" else None, contract=contract, today=today
    )
    return _form_page(
        request,
        form,
        action=lambda data: saving_record(contract=contract, by=request.user, today=today, **data),
        done="The savings have been recorded",
        next_url=_performance_url(contract, "savings"),
        context={
            "contract": contract,
            "heading": "Record the savings delivered in a year",
            "intro": "Recording a year again corrects it; the history keeps what it was.",
            "button": "Save the savings",
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def planned_savings_form(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, "performance.manage_contract")
    form = PlannedSavingsForm(
        request.POST if request.method == "POST" else None,
        initial={"planned_savings": contract.planned_savings},
    )
    return _form_page(
        request,
        form,
        action=lambda data: planned_savings_set(
            contract=contract,
            amount=data["planned_savings"],
            by=request.user,
            reason=data["change_reason"],
        ),
        done="The planned savings have been saved",
        next_url=_performance_url(contract, "savings"),
        context={
            "contract": contract,
            "heading": "Change the planned savings",
            "button": "Save the planned savings",
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def risk_form(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    contract = _contract(request, pk, "performance.manage_contract")
    form = RiskForm(
        request.POST if request.method == "POST" else None,
        initial={
            name: getattr(contract, name) for name in (*Contract.RISK_PARTS, "risk_review_date")
        },
    )
    return _form_page(
        request,
        form,
        action=lambda data: risk_assess(
            contract=contract,
            financial=data["financial_risk"],
            operational=data["operational_risk"],
            contractual=data["contractual_risk"],
            supplier_failure=data["supplier_failure_risk"],
            review_date=data["risk_review_date"],
            reason=data["change_reason"],
            by=request.user,
            today=today,
        ),
        done="The risk assessment has been saved",
        next_url=_performance_url(contract, "risk"),
        context={
            "contract": contract,
            "heading": f"Assess the risks of {contract.reference}",
            "intro": "The overall risk rating on the register becomes the highest of the four.",
            "button": "Save the assessment",
        },
    )


# --- The tiers above the contract -------------------------------------------------------------


def _portfolio_page(
    request: HttpRequest, *, key_only: bool, template: str, size: int = PAGE_SIZE
) -> HttpResponse:
    today = timezone.localdate()
    form = PortfolioFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = PortfolioFilters(
        directorate_id=data["directorate"].pk if data.get("directorate") else None,
        rating=data.get("rating", ""),
        overdue=data.get("overdue", False),
        open_exceptions=data.get("exceptions", False),
        key_only=key_only,
    )
    contracts = portfolio(today=today, filters=filters)
    page, query = paged(request, contracts, size=size)
    late = late_returns_by_contract([c.pk for c in page], today)
    for contract in page:
        contract.late_returns = late.get(contract.pk, 0)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "counts": portfolio_counts(today=today, filters=filters),
            "query": query,
            "today": today,
        },
    )


@requires("performance.view_portfolio")
@require_GET
def portfolio_view(request: HttpRequest) -> HttpResponse:
    return _portfolio_page(request, key_only=False, template="performance/portfolio.html")


@requires("performance.view_key_contracts")
@require_GET
def key_contracts(request: HttpRequest) -> HttpResponse:
    # Read by members at a glance: the figures above sum them up, a short page lists them.
    return _portfolio_page(
        request, key_only=True, template="performance/key_contracts.html", size=KEY_CONTRACTS_PAGE
    )


@requires("performance.view_key_contracts")
@require_GET
def strategic_supplier_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "performance/strategic_suppliers.html",
        {"suppliers": strategic_suppliers(today=today), "today": today},
    )


@requires("procurement.use_service")
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The contracts a person manages or directs, with their reviews, returns and exceptions;
    only those with a review overdue, or with KPI returns late, when the home page asks."""
    today = timezone.localdate()
    user = request.user
    overdue = query_value(request, "overdue", forms.BooleanField(), default=False)
    late = query_value(request, "late", forms.BooleanField(), default=False)
    contracts = contracts_of(user=user, today=today, filters=PortfolioFilters(overdue=overdue))
    if late:
        contracts = with_late_returns(contracts, today=today)
    page, query = paged(request, contracts, size=PAGE_SIZE)
    late_returns = late_returns_by_contract([c.pk for c in page], today)
    for contract in page:
        contract.late_returns = late_returns.get(contract.pk, 0)
    return render(
        request,
        "performance/mine.html",
        {
            "page": page,
            "query": query,
            "exceptions": exceptions_of(user=user),
            "overdue": overdue,
            "late": late,
            "today": today,
        },
    )
