"""The spend section's pages: its index with the headline figures, spend with no contract (and
explaining a line of it), and contracts paid past their value or their dates, with their
downloads."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from procurement.access import requires
from procurement.downloads import csv_response, xlsx_response
from procurement.query import query_value
from spend.exports import (
    NO_CONTRACT_HEADINGS,
    OVER_VALUE_HEADINGS,
    no_contract_rows,
    over_value_rows,
)
from spend.forms import ExplanationForm, GapFilterForm, PastFilterForm
from spend.selectors.gaps import (
    gap_line,
    gap_lines_shown,
    lines_page,
    no_contract_lines,
    past_lines_shown,
    past_value_or_dates,
    spend_figures,
    thresholds,
)
from spend.services.gaps import SpendError, spend_explain

PAGE_SIZE = 50

# The section's lists, in the order the index gives them: (URL name, text, what it shows). A
# list whose page is not part of this installation is left out.
SECTION_PAGES = [
    ("spend:no_contract", "Spend with no contract", "Payees paid with no contract on the register"),
    (
        "spend:over_value",
        "Contracts past their value or dates",
        "Contracts paid 80% or more of their value, or paid after they ended",
    ),
    ("spend:queue", "Review queue", "Payees and payments waiting for an officer's match"),
    ("spend:import", "Import payments", "Payment files from the finance system"),
    (
        "spend:opportunity_suppliers",
        "Suppliers paid by several directorates",
        "Aggregation opportunities: one supplier paid apart by two or more directorates",
    ),
    (
        "spend:opportunity_categories",
        "Categories bought by several directorates",
        "Aggregation opportunities: one category bought under separate contracts",
    ),
    (
        "spend:opportunity_ending",
        "Contracts ending together",
        "Aggregation opportunities: contracts in one category ending in the same six months",
    ),
    ("spend:payment_performance", "Payment performance", "Invoices paid within 30 days"),
]


def section_links() -> list[dict]:
    links = []
    for name, text, description in SECTION_PAGES:
        try:
            links.append({"url": reverse(name), "text": text, "description": description})
        except NoReverseMatch:
            continue
    return links


@requires("spend.view_spend")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "spend/index.html",
        {"figures": spend_figures(today=today), "links": section_links(), "today": today},
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@requires("spend.view_spend")
@require_GET
def no_contract(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = GapFilterForm(request.GET or None)
    lines = no_contract_lines(today=today, filters=form.filters())
    page = lines_page(lines, number=request.GET.get("page"), per_page=PAGE_SIZE)
    query = _query_without_page(request)
    return render(
        request,
        "spend/no_contract.html",
        {
            "form": form,
            "page": page,
            "lines": gap_lines_shown(list(page.object_list)),
            "thresholds": thresholds(),
            "query": query,
            "can_explain": request.user.has_perm("spend.explain_spend"),
        },
    )


def _line_of(request: HttpRequest, today):
    # A line is named by all three, each possibly empty (a redacted line, no directorate).
    if not {"supplier", "payee", "directorate"} <= request.GET.keys():
        raise Http404("No line of spend with no contract named")
    line = gap_line(
        supplier_id=query_value(request, "supplier"),
        payee_key=request.GET.get("payee", ""),
        directorate_id=query_value(request, "directorate"),
        today=today,
    )
    if line is None:
        raise Http404("No such line of spend with no contract")
    return line


@requires("spend.explain_spend")
@require_http_methods(["GET", "POST"])
def explain(request: HttpRequest) -> HttpResponse:
    line = _line_of(request, timezone.localdate())
    current = line.explanation
    initial = {}
    if current is not None:
        initial = {
            "kind": current.kind,
            "exempt_category": current.exempt_category,
            "waiver_reference": current.waiver_reference,
            "note": current.note,
        }
    form = ExplanationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            spend_explain(line=line, by=request.user, **form.cleaned_data)
        except SpendError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"The spend with {line.name} is explained")
            return redirect("spend:no_contract")
    return render(
        request,
        "spend/explain.html",
        {"form": form, "line": line, "history": _history(current)},
    )


def _history(explanation) -> list:
    if explanation is None:
        return []
    return list(explanation.history.select_related("history_user").order_by("-history_date")[:20])


@requires("spend.view_spend")
@require_GET
def no_contract_csv(request: HttpRequest) -> HttpResponse:
    filters = GapFilterForm(request.GET or None).filters()
    rows = no_contract_rows(today=timezone.localdate(), filters=filters)
    return csv_response(NO_CONTRACT_HEADINGS, rows, "spend-with-no-contract.csv")


@requires("spend.view_spend")
@require_GET
def no_contract_xlsx(request: HttpRequest) -> HttpResponse:
    filters = GapFilterForm(request.GET or None).filters()
    rows = no_contract_rows(today=timezone.localdate(), filters=filters)
    return xlsx_response(
        NO_CONTRACT_HEADINGS, rows, "spend-with-no-contract.xlsx", title="Spend with no contract"
    )


@requires("spend.view_spend")
@require_GET
def over_value(request: HttpRequest) -> HttpResponse:
    form = PastFilterForm(request.GET or None)
    # Paged in the database, as the no-contract list is: a page's rows, not every contract's.
    rows = past_value_or_dates(filters=form.filters())
    page = lines_page(rows, number=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(
        request,
        "spend/over_value.html",
        {
            "form": form,
            "page": page,
            "lines": past_lines_shown(list(page.object_list)),
            "query": _query_without_page(request),
        },
    )


@requires("spend.view_spend")
@require_GET
def over_value_csv(request: HttpRequest) -> HttpResponse:
    rows = over_value_rows(filters=PastFilterForm(request.GET or None).filters())
    return csv_response(OVER_VALUE_HEADINGS, rows, "contracts-past-their-value.csv")


@requires("spend.view_spend")
@require_GET
def over_value_xlsx(request: HttpRequest) -> HttpResponse:
    rows = over_value_rows(filters=PastFilterForm(request.GET or None).filters())
    return xlsx_response(
        OVER_VALUE_HEADINGS,
        rows,
        "contracts-past-their-value.xlsx",
        title="Contracts past their value",
    )
