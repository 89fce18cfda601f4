"""Pages of social value: the measure libraries and their import, each contract's plan with its
delivery returns, and the portfolio of committed against delivered."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import exports
from contracts.models import Contract
from contracts.selectors import contract_detail
from procurement.access import requires
from procurement.charts import Bar, BarChart
from procurement.files import download_response
from procurement.numbers import count, money
from procurement.pages import form_page, object_for, paged
from procurement.uploads import (
    import_problems_csv,
    import_progress,
    import_run_page,
    import_upload_page,
)

from .charts import short, value_chart
from .forms import (
    CommitmentChangeForm,
    CommitmentForm,
    DeliveryForm,
    ImportForm,
    PortfolioForm,
    QueryForm,
    ReturnForm,
)
from .importing import COLUMNS
from .importing import KIND as IMPORT_KIND
from .models import Commitment, DeliveryReturn, Measure, MeasureLibrary
from .selectors import (
    GROUPINGS,
    PortfolioFilters,
    PortfolioGroup,
    contract_plan,
    libraries_with_counts,
    plan_summary,
    portfolio_themes,
    portfolio_years,
    returns_awaiting_verification,
    returns_queried,
    social_value_portfolio,
)
from .services import (
    SocialValueError,
    commitment_add,
    commitment_change,
    quarters_open,
    return_correct,
    return_query,
    return_record,
    return_verify,
)


def _contract(request: HttpRequest, pk: int, permission: str) -> Contract:
    return object_for(request, Contract, pk, permission)


def _form_page(request: HttpRequest, form, *, template: str = "socialvalue/form.html", **kwargs):
    return form_page(request, form, refusals=(SocialValueError,), template=template, **kwargs)


def _plan_url(contract: Contract, anchor: str = "") -> str:
    url = reverse("socialvalue:contract", args=[contract.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Measure libraries ------------------------------------------------------------------------


@requires("socialvalue.view_social_value")
@require_GET
def libraries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "socialvalue/libraries.html",
        {
            "libraries": libraries_with_counts(),
            "can_import": request.user.has_perm("socialvalue.manage_library"),
        },
    )


@requires("socialvalue.view_social_value")
@require_GET
def library(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(MeasureLibrary, pk=pk)
    measures = Measure.objects.filter(library=found).select_related("outcome__theme")
    themes: dict = {}
    for measure in measures.order_by("outcome__theme__order", "outcome__order", "order"):
        outcome = measure.outcome
        themes.setdefault(outcome.theme, {}).setdefault(outcome, []).append(measure)
    return render(request, "socialvalue/library.html", {"library": found, "themes": themes})


@requires("socialvalue.manage_library")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request,
        kind=IMPORT_KIND,
        form=ImportForm(request.POST if request.method == "POST" else None, request.FILES or None),
        template="socialvalue/import_upload.html",
        run_url="socialvalue:import_preview",
    )


@requires("socialvalue.manage_library")
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_run_page(
        request,
        kind=IMPORT_KIND,
        token=token,
        upload_url=reverse("socialvalue:import"),
        done_url=reverse("socialvalue:libraries"),
        progress_url=reverse("socialvalue:import_progress", args=[token]),
        problems_url=reverse("socialvalue:import_problems", args=[token]),
    )


@requires("socialvalue.manage_library")
@require_GET
def import_progress_json(request: HttpRequest, token: str) -> HttpResponse:
    return import_progress(request, kind=IMPORT_KIND, token=token)


@requires("socialvalue.manage_library")
@require_GET
def import_problems(request: HttpRequest, token: str) -> HttpResponse:
    return import_problems_csv(request, kind=IMPORT_KIND, token=token)


TEMPLATE_EXAMPLE = [
    [
        "Our council's measures",
        "2026/27",
        "2026",
        "The council's social value policy",
        "Our own measures",
        "Developing and growing a skilled workforce",
        "Creating training opportunities and apprenticeships for local people",
        "SK1",
        "Local people starting an apprenticeship",
        "people",
        "",
    ],
    [
        "Our council's measures",
        "2026/27",
        "2026",
        "The council's social value policy",
        "Our own measures",
        "Encouraging the use of the local economy",
        "Buying from suppliers in the area",
        "LE1",
        "Spend with local suppliers and subcontractors",
        "£",
        "",
    ],
]


@requires("socialvalue.manage_library")
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    headings = [column.name for column in COLUMNS]
    rows = [[exports.safe_cell(value) for value in row] for row in TEMPLATE_EXAMPLE]
    if fmt == "csv":
        return exports.csv_response(headings, rows, "social-value-measures-template.csv")
    return exports.xlsx_response(
        headings, rows, "social-value-measures-template.xlsx", title="Measures"
    )


# --- A contract's plan and returns ------------------------------------------------------------


@requires("socialvalue.view_social_value")
@require_GET
def contract_social_value(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    try:
        contract = contract_detail(pk=pk, today=today)
    except Contract.DoesNotExist:
        raise Http404 from None
    positions = contract_plan(contract, today)
    user = request.user
    return render(
        request,
        "socialvalue/contract.html",
        {
            "contract": contract,
            "positions": positions,
            "summary": plan_summary(positions),
            "returns": sorted(
                (r for p in positions for r in p.returns),
                key=lambda r: (r.period_start, r.commitment.measure.order),
                reverse=True,
            ),
            "can_manage": user.has_perm("socialvalue.manage_contract", contract),
            "can_see_evidence": user.has_perm("socialvalue.view_evidence", contract),
            "chart": _plan_chart(positions),
        },
    )


def _percent_bar(measure: Measure, delivered, committed, percent) -> Bar:
    """A measure's delivery as a percentage of its commitment, with a figure short enough to sit
    beside the bar ("71% (5 of 7)"); the table beside the chart has the units."""
    if percent is None:
        text = f"{count(delivered)} delivered, none committed"
    elif measure.is_money:
        text = f"{percent}% ({money(delivered, 0)} of {money(committed, 0)})"
    else:
        text = f"{percent}% ({count(delivered)} of {count(committed)})"
    return Bar(
        label=short(f"{measure.code}: {measure.description}"), values=(percent,), texts=(text,)
    )


def _plan_chart(positions) -> BarChart:
    return BarChart(
        title="Delivered (verified) as a percentage of each commitment",
        series=("Delivered",),
        maximum=100,
        bars=[
            _percent_bar(p.measure, p.delivered, p.commitment.quantity, p.percent)
            for p in positions
        ],
    )


@requires("socialvalue.view_social_value")
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, "socialvalue.manage_contract")
    form = CommitmentForm(request.POST if request.method == "POST" else None)

    def save(data):
        measure = Measure.objects.filter(pk=data["measure"]).first()
        if measure is None:
            raise SocialValueError("Choose a measure from the list.", field="measure")
        commitment_add(
            contract=contract,
            measure=measure,
            quantity=data["quantity"],
            target_date=data["target_date"],
            note=data["note"],
            by=request.user,
        )

    return _form_page(
        request,
        form,
        action=save,
        done="The commitment has been added to the plan",
        next_url=_plan_url(contract, "plan"),
        context={
            "contract": contract,
            "heading": "Add a social value commitment",
            "button": "Add the commitment",
        },
    )


def _commitment(request: HttpRequest, pk: int, commitment_pk: int) -> Commitment:
    commitment = get_object_or_404(
        Commitment.objects.select_related("contract", "measure"), pk=commitment_pk, contract_id=pk
    )
    if not request.user.has_perm("socialvalue.manage_contract", commitment.contract):
        raise PermissionDenied
    return commitment


@requires("socialvalue.view_social_value")
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    commitment = _commitment(request, pk, commitment_pk)
    form = CommitmentChangeForm(
        request.POST if request.method == "POST" else None,
        initial={"quantity": commitment.quantity, "target_date": commitment.target_date},
    )
    return _form_page(
        request,
        form,
        action=lambda data: commitment_change(
            commitment=commitment,
            quantity=data["quantity"],
            target_date=data["target_date"],
            reason=data["reason"],
            by=request.user,
        ),
        done="The commitment has been changed",
        next_url=_plan_url(commitment.contract, "plan"),
        context={
            "contract": commitment.contract,
            "heading": f"Change the commitment to {commitment.measure.code}",
            "intro": f"{commitment.measure.description} ({commitment.measure.unit})",
            "button": "Save the change",
        },
    )


@requires("socialvalue.view_social_value")
@require_http_methods(["GET", "POST"])
def return_create(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    commitment = _commitment(request, pk, commitment_pk)
    contract = commitment.contract
    form = ReturnForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        quarters=quarters_open(contract, timezone.localdate()),
    )
    return _form_page(
        request,
        form,
        action=lambda data: return_record(
            commitment=commitment,
            period_start=form.period_start(),
            quantity=data["quantity"],
            evidence=data["evidence"],
            upload=data["attachment"],
            by=request.user,
        ),
        done="The return has been recorded for the contract manager to verify",
        next_url=_plan_url(contract, "returns"),
        template="socialvalue/return_form.html",
        context={
            "contract": contract,
            "commitment": commitment,
            "heading": f"Record a return for {commitment.measure.code}",
            "button": "Record the return",
        },
    )


def _return(request: HttpRequest, pk: int, return_pk: int) -> DeliveryReturn:
    """A return of contract ``pk``, to those who may see the supplier's evidence."""
    delivery_return = get_object_or_404(
        DeliveryReturn.objects.select_related(
            "commitment__contract", "commitment__measure", "recorded_by", "checked_by"
        ),
        pk=return_pk,
        commitment__contract_id=pk,
    )
    if not request.user.has_perm("socialvalue.view_evidence", delivery_return.commitment.contract):
        raise PermissionDenied
    return delivery_return


@requires("socialvalue.view_social_value")
@require_GET
def return_detail(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    delivery_return = _return(request, pk, return_pk)
    user = request.user
    awaiting = delivery_return.status == DeliveryReturn.Status.AWAITING
    contract = delivery_return.commitment.contract
    return render(
        request,
        "socialvalue/return.html",
        {
            "delivery_return": delivery_return,
            "contract": contract,
            "measure": delivery_return.commitment.measure,
            "can_check": awaiting and user.has_perm("socialvalue.verify_return", delivery_return),
            "recorded_it": awaiting and delivery_return.recorded_by_id == user.pk,
            "can_correct": delivery_return.status == DeliveryReturn.Status.QUERIED
            and user.has_perm("socialvalue.manage_contract", contract),
        },
    )


def _checkable(request: HttpRequest, pk: int, return_pk: int) -> DeliveryReturn:
    delivery_return = _return(request, pk, return_pk)
    if not request.user.has_perm("socialvalue.verify_return", delivery_return):
        raise PermissionDenied
    return delivery_return


@requires("socialvalue.view_social_value")
@require_POST
def return_verify_view(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    delivery_return = _checkable(request, pk, return_pk)
    try:
        return_verify(delivery_return=delivery_return, by=request.user)
    except SocialValueError as error:
        messages.error(request, str(error))
        return redirect("socialvalue:return", pk=pk, return_pk=return_pk)
    messages.success(request, "The return has been verified: it now counts as delivered")
    return redirect(_plan_url(delivery_return.commitment.contract, "plan"))


@requires("socialvalue.view_social_value")
@require_http_methods(["GET", "POST"])
def return_query_view(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    delivery_return = _checkable(request, pk, return_pk)
    form = QueryForm(request.POST if request.method == "POST" else None)
    return _form_page(
        request,
        form,
        action=lambda data: return_query(
            delivery_return=delivery_return, query=data["query"], by=request.user
        ),
        done="The return has been queried",
        next_url=_plan_url(delivery_return.commitment.contract, "returns"),
        context={
            "contract": delivery_return.commitment.contract,
            "heading": "Query the return",
            "intro": str(delivery_return),
            "button": "Query the return",
        },
    )


@requires("socialvalue.view_social_value")
@require_http_methods(["GET", "POST"])
def return_correct_view(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    delivery_return = _return(request, pk, return_pk)
    contract = delivery_return.commitment.contract
    if not request.user.has_perm("socialvalue.manage_contract", contract):
        raise PermissionDenied
    form = DeliveryForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        initial={"quantity": delivery_return.quantity, "evidence": delivery_return.evidence},
    )
    return _form_page(
        request,
        form,
        action=lambda data: return_correct(
            delivery_return=delivery_return,
            quantity=data["quantity"],
            evidence=data["evidence"],
            upload=data["attachment"],
            by=request.user,
        ),
        done="The return has been corrected and sent back to be verified",
        next_url=_plan_url(contract, "returns"),
        template="socialvalue/return_form.html",
        context={
            "contract": contract,
            "commitment": delivery_return.commitment,
            "query": delivery_return.query,
            "heading": f"Correct the return for {delivery_return.period_label}",
            "button": "Send it to be verified",
        },
    )


@requires("socialvalue.view_social_value")
@require_GET
def evidence(request: HttpRequest, pk: int, return_pk: int) -> FileResponse:
    delivery_return = _return(request, pk, return_pk)
    if not delivery_return.attachment:
        raise Http404("This return has no evidence document")
    return download_response(delivery_return.attachment, name=delivery_return.attachment_name)


@requires("socialvalue.view_social_value")
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    related = ("commitment__contract", "commitment__measure", "recorded_by", "checked_by")
    return render(
        request,
        "socialvalue/mine.html",
        {
            "awaiting": returns_awaiting_verification(user=request.user).select_related(*related),
            "queried": returns_queried(user=request.user).select_related(*related),
        },
    )


# --- The portfolio ----------------------------------------------------------------------------


def _portfolio(request: HttpRequest) -> tuple[PortfolioForm, PortfolioFilters, str]:
    today = timezone.localdate()
    form = PortfolioForm(
        request.GET or None, years=portfolio_years(today), themes=portfolio_themes()
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = PortfolioFilters(
        year=data.get("year"),
        directorate_id=data["directorate"].pk if data.get("directorate") else None,
        theme=data.get("theme", ""),
        supplier_id=data["supplier"].pk if data.get("supplier") else None,
    )
    by = data.get("by") or "theme"
    return form, filters, by


def _group_chart(group: PortfolioGroup) -> BarChart:
    return BarChart(
        title=f"{group.label}: delivered (verified) as a percentage of committed",
        series=("Delivered",),
        maximum=100,
        bars=[
            _percent_bar(row.measure, row.delivered, row.committed, row.percent)
            for row in group.rows
        ],
    )


GROUPS_PAGE = 10


@requires("socialvalue.view_social_value")
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    form, filters, by = _portfolio(request)
    # By supplier or directorate there may be many groups: a page of them at a time.
    page, query = paged(request, social_value_portfolio(filters=filters, by=by), size=GROUPS_PAGE)
    groups = list(page.object_list)
    return render(
        request,
        "socialvalue/portfolio.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "by": by,
            "by_label": GROUPINGS[by][0],
            "groups": [
                (f"group-chart-{index}", group, _group_chart(group))
                for index, group in enumerate(groups, start=1)
            ],
            "value_chart": value_chart(groups, by),
        },
    )


@requires("socialvalue.view_social_value")
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _, filters, by = _portfolio(request)
    headings = [
        GROUPINGS[by][0],
        "Library",
        "Theme",
        "Measure code",
        "Measure",
        "Unit",
        "Contracts",
        "Committed",
        "Delivered (verified)",
        "Awaiting verification",
        "Delivered %",
        "Proxy value (£ per unit)",
        "Committed £ value",
        "Delivered £ value",
    ]
    rows = []
    for group in social_value_portfolio(filters=filters, by=by):
        for row in group.rows:
            measure = row.measure
            rows.append(
                [
                    exports.safe_cell(value)
                    for value in (
                        group.label,
                        str(measure.library),
                        measure.outcome.theme.name,
                        measure.code,
                        measure.description,
                        measure.unit,
                        row.contracts,
                        row.committed,
                        row.delivered,
                        row.awaiting,
                        row.percent,
                        measure.proxy_value,
                        row.committed_value,
                        row.delivered_value,
                    )
                ]
            )
    return exports.csv_response(headings, rows, "social-value.csv")
