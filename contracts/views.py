"""Pages of the contract register."""

from functools import partial

from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from procurement.access import public, requires
from procurement.caching import cached_html, cached_page, query_vary
from procurement.exportjobs import export_job_start, export_logged, in_background
from procurement.files import download_response
from procurement.history import changes_of
from procurement.models import User
from procurement.pages import form_page, object_for
from procurement.paging import EstimatingPaginator
from procurement.panels import reads_of
from procurement.query import query_value, search_text
from procurement.uploads import (
    import_problems_csv,
    import_progress,
    import_run_page,
    import_upload_page,
)
from training.selectors import (
    central_team_for,
    contract_manager_refusal,
    contract_manager_warning,
)

from . import exports
from .forms import (
    REGISTER_QUERY,
    AttachmentForm,
    ConfirmEndingForm,
    ContractForm,
    ExtensionForm,
    ImportForm,
    PublicRegisterFilterForm,
    RegisterFilterForm,
    SupplierForm,
    TerminationForm,
    VariationForm,
)
from .importing import KIND as IMPORT_KIND
from .importing import TEMPLATE_COLUMNS
from .models import Contract, ContractAttachment, Supplier
from .selectors import (
    contract_detail,
    contracts_with_status,
    data_quality_problems,
    extension_gateway_threshold,
)
from .services import (
    ContractError,
    attachment_add,
    contract_confirm_ending,
    contract_create,
    contract_extend,
    contract_terminate,
    contract_update,
    contract_vary,
    named_officers_missing,
    supplier_create,
    supplier_update,
)

PAGE_SIZE = 50
SORT_COLUMNS = [
    ("reference", "Reference"),
    ("title", "Title"),
    ("supplier", "Supplier"),
    ("value", "Whole-life value"),
    ("end", "End date"),
]


def _register_query(request: HttpRequest, form):
    """The contracts ``form`` (the internal or the published register's) finds, sorted as the
    query string asks: one selector serves both registers and their downloads."""
    sort, descending = exports.register_order(request.GET)
    return form, exports.register_query(form, request.user, request.GET), sort, descending


# The register's longest query string by far (every filter, a 100-character search) is shorter.
REMEMBERED_QUERY_LENGTH = 1000


def _remember_register_query(request: HttpRequest) -> None:
    """Keep the register's search, filters, sorting and page (only the parameters the register
    reads) so that the contract pages lead back to the same list."""
    known = {*RegisterFilterForm.base_fields, "sort", "order", "page"}
    query = request.GET.copy()
    for name in list(query):
        if name not in known:
            del query[name]
    remembered = query.urlencode()
    if len(remembered) > REMEMBERED_QUERY_LENGTH:
        remembered = ""  # no search of the register's is this long: not worth keeping
    if request.session.get(REGISTER_QUERY, "") != remembered:
        request.session[REGISTER_QUERY] = remembered


def _register_results_list(request: HttpRequest, form, *, size: int = PAGE_SIZE) -> dict:
    form, contracts, sort, descending = _register_query(request, form)
    page = EstimatingPaginator(contracts, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "sort": sort,
        "descending": descending,
        "sort_columns": SORT_COLUMNS,
        "query": query.urlencode(),
        "sort_query": _without(query, "sort", "order", "page"),
    }


@requires("contracts.view_register")
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    # The search and results are the same for everyone asking the same query, but for "only
    # contracts I manage" and "only directorates I am business partner for".
    _remember_register_query(request)
    personal = "mine" in request.GET or "partner" in request.GET
    results = cached_html(
        request,
        "contracts:register",
        query_vary(request),
        request.user.pk if personal else None,
        template="contracts/_register.html",
        context=partial(_register_results, request),
        reads=(
            "contracts",
            "procurement.contractcategory",
            "procurement.directorate",
            "procurement.user",
            "procurement.user_groups",
            "procurement.user_portfolio",
        ),
    )
    return render(
        request,
        "contracts/register.html",
        {
            "results": results,
            "can_add": request.user.has_perm("contracts.add_contract"),
            "can_import": request.user.has_perm("contracts.import_contracts"),
        },
    )


def _register_results(request: HttpRequest) -> dict:
    today = timezone.localdate()
    return _register_results_list(request, RegisterFilterForm(request.GET or None, today=today))


def _without(query, *names) -> str:
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@requires("contracts.view_register")
@require_GET
def register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register as searched, filtered and sorted, written at once, or, when too large for
    the page to write while it waits, prepared in the background with a page to fetch it."""
    kind, query = exports.REGISTER_EXPORT, request.GET.urlencode()
    name = f"contract-register-{timezone.localdate():%Y-%m-%d}.{fmt}"
    contracts = exports.register_for(request.user, request.GET)
    arguments = {"kind": kind, "fmt": fmt, "query": query, "filename": name, "by": request.user}
    if in_background(kind, fmt, rows=contracts.count()):
        return redirect("procurement:export_job", export_job_start(**arguments).token)
    export_logged(**arguments)
    if fmt == "csv":
        return exports.register_csv(contracts, name)
    return exports.register_xlsx(contracts, name)


@requires("contracts.view_register")
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()

    def context() -> dict:
        try:
            contract = contract_detail(pk=pk, today=today)
        except Contract.DoesNotExist:
            raise Http404 from None
        return {
            "page_title": f"{contract.reference}: {contract.title}",
            "contract": contract,
            "events": contract.events.select_related("recorded_by"),
            "attachments": contract.attachments.select_related("uploaded_by"),
            "changes": contract_changes(contract),
            "can_change": request.user.has_perm("contracts.change_contract", contract),
            "extension_threshold": extension_gateway_threshold(contract, on=today),
            "named_officer_gaps": _named_officer_gaps(contract),
            "manager_training": _manager_training(contract, on=today),
            "can_record_training": request.user.has_perm("training.record_attendance"),
            "today": today,
        }

    # The panels show what the visitor may do and the alerts they received: kept per visitor.
    title, content = cached_page(
        request,
        "contracts:detail",
        pk,
        request.user.pk,
        template="contracts/_detail.html",
        context=context,
        reads=(
            "auth",
            "contenttypes",
            "contracts",
            "gateways",
            "performance",
            "procurement",
            "socialvalue",
            "training",
            # What the sections higher apps add read besides (procurement/panels.py).
            *reads_of("contract"),
        ),
    )
    return render(request, "contracts/detail.html", {"page_title": title, "content": content})


def _named_officer_gaps(contract: Contract) -> list[str]:
    """The named officers a current contract over £50,000 lacks, as people read them."""
    if contract.status in (Contract.Status.TERMINATED, Contract.Status.EXPIRED):
        return []
    labels = {"contract_manager": "contract manager", "lead_director": "lead director"}
    return [labels[name] for name in named_officers_missing(contract)]


def _manager_training(contract: Contract, *, on) -> str:
    """A running contract whose manager is not current with the course the policy's rule asks
    of the manager of a contract of its value (decision record 0056)."""
    if contract.status in (Contract.Status.TERMINATED, Contract.Status.EXPIRED):
        return ""
    return contract_manager_warning(
        person=contract.contract_manager, value=contract.whole_life_value, on=on
    )


def _untrained_manager(form) -> User | None:
    """The manager a posted form names whom the training rule refused: the central team is
    offered to record their course."""
    if not form.is_bound or "contract_manager" not in form.errors:
        return None
    proposed = form.instance
    manager = proposed.contract_manager if proposed.contract_manager_id else None
    refused = manager is not None and contract_manager_refusal(
        person=manager, value=proposed.whole_life_value, on=timezone.localdate()
    )
    return manager if refused else None


def _form_context(request: HttpRequest, form, contract: Contract | None, heading: str) -> dict:
    manager = _untrained_manager(form)
    return {
        "contract": contract,
        "heading": heading,
        "untrained_manager": manager,
        "can_record_training": request.user.has_perm("training.record_attendance"),
        "central_team": central_team_for(manager) if manager else [],
    }


def contract_changes(contract: Contract) -> list[dict]:
    """The contract's history, newest first: who, when, why, and each field from what to what."""
    history = contract.history.select_related("history_user").order_by("-history_date", "-pk")
    return changes_of(list(history), Contract)


def _contract_for_change(request: HttpRequest, pk: int) -> Contract:
    return object_for(request, Contract, pk, "contracts.change_contract")


@requires("contracts.add_contract")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = ContractForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"directorate": request.user.directorate_id, "change_reason": "New contract"},
    )
    return form_page(
        request,
        form,
        action=lambda data: contract_create(
            fields=form.contract_fields(), by=request.user, reason=data["change_reason"]
        ),
        refusals=(ContractError,),
        done=lambda contract: f"{contract.reference} has been added to the register",
        next_url=lambda contract: contract.get_absolute_url(),
        template="contracts/contract_form.html",
        context=lambda: _form_context(request, form, None, "Add a contract"),
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_change(request, pk)
    form = ContractForm(
        request.POST if request.method == "POST" else None, instance=contract, user=request.user
    )
    return form_page(
        request,
        form,
        action=lambda data: contract_update(
            contract=contract,
            fields=form.contract_fields(),
            by=request.user,
            reason=data["change_reason"],
        ),
        refusals=(ContractError,),
        done="The contract has been updated",
        next_url=contract.get_absolute_url(),
        template="contracts/contract_form.html",
        context=lambda: _form_context(request, form, contract, f"Edit {contract.reference}"),
    )


EVENT_FORMS = {
    "vary": (VariationForm, "Record a variation"),
    "extend": (ExtensionForm, "Use an extension option"),
    "terminate": (TerminationForm, "Record a termination"),
}
EVENT_SERVICES = {"vary": contract_vary, "extend": contract_extend, "terminate": contract_terminate}


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def record_event(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in EVENT_FORMS:
        raise Http404
    contract = _contract_for_change(request, pk)
    form_class, heading = EVENT_FORMS[action]
    record = EVENT_SERVICES[action]
    return form_page(
        request,
        form_class(request.POST if request.method == "POST" else None),
        action=lambda data: record(contract=contract, by=request.user, **data),
        refusals=(ContractError,),
        done=f"{heading.removeprefix('Record a ').capitalize()} recorded",
        next_url=f"{contract.get_absolute_url()}#events",
        template="contracts/event_form.html",
        context={"contract": contract, "heading": heading, "action": action},
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def confirm_ending(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer to a renewal alert that the contract will end on its end date."""
    contract = _contract_for_change(request, pk)
    form = ConfirmEndingForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        action=lambda data: contract_confirm_ending(
            contract=contract, reason=data["reason"], by=request.user
        ),
        refusals=(ContractError,),
        done="Recorded that the contract will end: its renewal alerts have stopped",
        next_url=f"{contract.get_absolute_url()}#alerts",
        template="contracts/event_form.html",
        context={
            "contract": contract,
            "heading": "Record that the contract will end",
            "action": "confirm_ending",
        },
    )


@requires("contracts.view_register")
@require_http_methods(["GET", "POST"])
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_change(request, pk)
    return form_page(
        request,
        AttachmentForm(request.POST if request.method == "POST" else None, request.FILES or None),
        action=lambda data: attachment_add(
            contract=contract, upload=data["file"], kind=data["kind"], by=request.user
        ),
        refusals=(ContractError,),
        done="The document has been attached",
        next_url=f"{contract.get_absolute_url()}#documents",
        template="contracts/attach.html",
        context={"contract": contract},
    )


@requires("contracts.view_register")
@require_GET
def download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = get_object_or_404(ContractAttachment, pk=attachment_pk, contract_id=pk)
    return download_response(attachment.file, name=attachment.original_name)


@requires("contracts.view_register")
@require_GET
def data_quality(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    problems = data_quality_problems(today=today)
    contracts = contracts_with_status(today=today)
    counts = contracts.aggregate(
        total=_count(Q()),
        **{key: _count(condition) for key, (_, condition) in problems.items()},
    )
    rows = [
        {"key": key, "label": label, "count": counts[key]} for key, (label, _) in problems.items()
    ]
    return render(
        request,
        "contracts/data_quality.html",
        {"rows": rows, "total": counts["total"], "today": today},
    )


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


# --- Import -----------------------------------------------------------------------------------


@requires("contracts.import_contracts")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request,
        kind=IMPORT_KIND,
        form=ImportForm(request.POST if request.method == "POST" else None, request.FILES or None),
        template="contracts/import_upload.html",
        run_url="contracts:import_preview",
    )


@requires("contracts.import_contracts")
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_run_page(
        request,
        kind=IMPORT_KIND,
        token=token,
        upload_url=reverse("contracts:import"),
        done_url=reverse("contracts:register"),
        progress_url=reverse("contracts:import_progress", args=[token]),
        problems_url=reverse("contracts:import_problems", args=[token]),
    )


@requires("contracts.import_contracts")
@require_GET
def import_progress_json(request: HttpRequest, token: str) -> HttpResponse:
    return import_progress(request, kind=IMPORT_KIND, token=token)


@requires("contracts.import_contracts")
@require_GET
def import_problems(request: HttpRequest, token: str) -> HttpResponse:
    return import_problems_csv(request, kind=IMPORT_KIND, token=token)


TEMPLATE_EXAMPLE = {
    "reference": "CR-2026-001",
    "lot": "",
    "title": "Home care services (north)",
    "description": "Adults, health and social care service for the north of the borough",
    "directorate": "Adult Social Care and Health",
    "category": "Care and support services",
    "supplier_name": "Example Care Ltd",
    "supplier_companies_house_number": "01234567",
    "supplier_charity_number": "",
    "supplier_is_sme": "Yes",
    "supplier_is_vcse": "No",
    "contract_manager": "manager@example.gov.uk",
    "lead_director": "director@example.gov.uk",
    "whole_life_value": "£1,250,000.00",
    "annual_value": "£250,000.00",
    "irrecoverable_vat": "£0.00",
    "start_date": "01/04/2026",
    "end_date": "31/03/2029",
    "review_date": "01/04/2027",
    "extension_options": "2",
    "extension_option_months": "12",
    "extension_options_value": "£500,000.00",
    "procurement_route": "Published tender",
    "key_decision_reference": "KD-2026-014",
    "risk_rating": "Medium",
    "cpv_code": "85310000-5",
}


@requires("contracts.import_contracts")
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    headings = [column.name for column in TEMPLATE_COLUMNS]
    rows = [exports.safe_cell(TEMPLATE_EXAMPLE[column.attribute]) for column in TEMPLATE_COLUMNS]
    if fmt == "csv":
        return exports.csv_response(headings, [rows], "contract-register-template.csv")
    return exports.xlsx_response(
        headings, [rows], "contract-register-template.xlsx", title="Contracts"
    )


# --- Suppliers --------------------------------------------------------------------------------


@requires("contracts.view_register")
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    search = query_value(request, "q", search_text(), default="")
    found = Supplier.objects.order_by("name", "pk")
    if search:
        found = found.filter(
            Q(name__icontains=search)
            | Q(companies_house_number__iexact=search)
            | Q(charity_number__iexact=search)
        )
    page = EstimatingPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/suppliers.html",
        {
            "page": page,
            "search": search,
            "can_manage": request.user.has_perm("contracts.manage_suppliers"),
        },
    )


@requires("contracts.manage_suppliers")
@require_http_methods(["GET", "POST"])
def supplier_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    supplier = object_for(request, Supplier, pk, "contracts.manage_suppliers") if pk else None
    form = SupplierForm(request.POST if request.method == "POST" else None, instance=supplier)

    def save(data: dict) -> Supplier:
        fields = {name: data[name] for name in SupplierForm.Meta.fields}
        reason = data["change_reason"]
        if supplier is None:
            return supplier_create(fields=fields, by=request.user, reason=reason)
        return supplier_update(supplier=supplier, fields=fields, by=request.user, reason=reason)

    return form_page(
        request,
        form,
        action=save,
        refusals=(ContractError,),
        done=lambda saved: f"{saved.name} has been saved",
        next_url=lambda saved: f"{reverse('contracts:suppliers')}?q={saved.name}",
        template="contracts/supplier_form.html",
        context=lambda: {"heading": f"Edit {supplier.name}" if supplier else "Add a supplier"},
    )


# --- Publication (no sign-in) -----------------------------------------------------------------


@public
@require_GET
def public_register(request: HttpRequest) -> HttpResponse:
    """The published register, searched, filtered and sorted as the internal one is, on the
    public fields only."""
    today = timezone.localdate()
    context = _register_results_list(request, PublicRegisterFilterForm(request.GET or None))
    return render(request, "contracts/public_register.html", {**context, "today": today})


@public
@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    """The Transparency Code CSV of the published register, following its search and filters."""
    today = timezone.localdate()
    _, contracts, _, _ = _register_query(request, PublicRegisterFilterForm(request.GET or None))
    return exports.transparency_csv(contracts, f"contracts-over-5000-{today:%Y-%m-%d}.csv")
