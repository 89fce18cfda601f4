"""Pages of supplier resilience (seed 000 §8d, §9 objective 4): a supplier's health checks and
continuity and exit plans, and the risk held with each supplier across all its contracts."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from contracts.models import Contract, ResiliencePlan, Supplier
from contracts.selectors import key_words
from contracts.services import ContractError, resilience_plan_add
from procurement.access import requires
from procurement.dates import long_date
from procurement.files import download_response
from procurement.pages import form_page, object_for, paged
from procurement.roles import Role
from procurement.thresholds import (
    HEALTH_CHECK_MONTHS,
    HEALTH_CHECK_MONTHS_KEY,
    KEY_CONTRACT_ABOVE,
    pounds_short,
)

from .forms import HealthCheckForm, PlanForm
from .models import SupplierHealthCheck
from .selectors import (
    RISK_OF_RANK,
    supplier_resilience,
    supplier_risk_counts,
    supplier_risks,
)
from .services import PerformanceError, health_check_record

SUPPLIERS_PAGE = 50


def supplier_url(supplier_pk: int, anchor: str = "") -> str:
    url = reverse("performance:supplier", args=[supplier_pk])
    return f"{url}#{anchor}" if anchor else url


@requires("contracts.view_register")
@require_GET
def supplier(request: HttpRequest, pk: int) -> HttpResponse:
    found = object_for(request, Supplier, pk, "contracts.view_supplier_resilience")
    today = timezone.localdate()
    resilience = supplier_resilience(found, today=today)
    for contract in resilience.running:
        contract.may_plan = request.user.has_perm("contracts.record_contract_plan", contract)
    return render(
        request,
        "performance/supplier.html",
        {
            "resilience": resilience,
            "supplier": found,
            "today": today,
            "may_record": request.user.has_perm("contracts.record_supplier_resilience", found),
            "key_above": pounds_short(KEY_CONTRACT_ABOVE),
            "key_words": key_words(),
            "months": HEALTH_CHECK_MONTHS,
            "months_key": HEALTH_CHECK_MONTHS_KEY,
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def health_check_form(request: HttpRequest, pk: int) -> HttpResponse:
    found = object_for(request, Supplier, pk, "contracts.record_supplier_resilience")
    form = HealthCheckForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        action=lambda data: health_check_record(
            supplier=found,
            checked_on=data["checked_on"],
            source=data["source"],
            rating=data["rating"],
            notes=data["notes"],
            by=request.user,
        ),
        refusals=(PerformanceError,),
        done=lambda check: (
            f"The health check has been recorded: the next is due by {long_date(check.next_due)}"
        ),
        next_url=supplier_url(found.pk, "health"),
        template="performance/supplier_form.html",
        context={
            "supplier": found,
            "heading": f"Record a health check of {found.name}",
            "button": "Record the check",
        },
    )


def _plan_page(request: HttpRequest, *, supplier: Supplier, contract: Contract | None):
    form = PlanForm(request.POST if request.method == "POST" else None, request.FILES or None)
    owner = contract.reference_and_lot if contract else supplier.name
    return form_page(
        request,
        form,
        action=lambda data: resilience_plan_add(
            kind=data["kind"],
            upload=data["file"],
            review_date=data["review_date"],
            reason=data["change_reason"],
            by=request.user,
            today=timezone.localdate(),
            contract=contract,
            supplier=None if contract else supplier,
        ),
        refusals=(ContractError,),
        done=lambda plan: f"The {plan.get_kind_display().lower()} has been kept",
        next_url=supplier_url(supplier.pk, "plans"),
        template="performance/supplier_form.html",
        context={
            "supplier": supplier,
            "contract": contract,
            "multipart": True,
            "heading": f"Add a continuity or exit plan for {owner}",
            "button": "Keep the plan",
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def supplier_plan_form(request: HttpRequest, pk: int) -> HttpResponse:
    found = object_for(request, Supplier, pk, "contracts.record_supplier_resilience")
    return _plan_page(request, supplier=found, contract=None)


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def contract_plan_form(request: HttpRequest, pk: int) -> HttpResponse:
    contract = object_for(
        request, Contract.objects.select_related("supplier"), pk, "contracts.record_contract_plan"
    )
    return _plan_page(request, supplier=contract.supplier, contract=contract)


@requires("contracts.view_register")
@require_GET
def plan_download(request: HttpRequest, pk: int) -> FileResponse:
    plan = get_object_or_404(
        ResiliencePlan.objects.select_related("supplier", "contract__supplier"), pk=pk
    )
    owner = plan.supplier or plan.contract.supplier
    object_for(request, Supplier, owner.pk, "contracts.view_supplier_resilience")
    return download_response(plan.file, name=plan.original_name)


@requires("performance.view_supplier_risk")
@require_GET
def supplier_risk(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    partner = _partner_scope(request.user)
    page, query = paged(request, supplier_risks(today=today, partner=partner), size=SUPPLIERS_PAGE)
    ratings = dict(SupplierHealthCheck.Rating.choices)
    for row in page:
        row["worst_label"] = RISK_OF_RANK.get(row["worst"], "Not assessed")
        row["health_label"] = ratings.get(row["health"], "Never checked")
        row["overdue"] = row["due"] is not None and row["due"] < today
    return render(
        request,
        "performance/supplier_risk.html",
        {
            "page": page,
            "query": query,
            "counts": supplier_risk_counts(today=today, partner=partner),
            "partner": partner,
            "today": today,
            "concerns": [ratings[r] for r in SupplierHealthCheck.CONCERNS],
        },
    )


def _partner_scope(user):
    """A business partner sees their directorates; the head of procurement and auditors see
    every supplier."""
    if user.roles & {Role.HEAD_OF_PROCUREMENT, Role.AUDITOR}:
        return None
    return user
