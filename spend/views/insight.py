"""The aggregation opportunities and payment performance pages, and their CSV and XLSX."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from procurement.access import requires
from procurement.downloads import csv_response, xlsx_response
from procurement.exportjobs import KINDS, export_logged
from procurement.pages import paged
from spend.exports_insight import KIND_PREFIX
from spend.insight import TABLES, CategoryForm
from spend.selectors.gaps import spend_totals, twelve_months_to
from spend.selectors.insight import (
    category_opportunities,
    contracts_ending_together,
    directorates_paying,
    half_year_bounds,
    payment_performance,
    periods_start,
    supplier_opportunities,
)

LIST_SIZE = 50
FORMATS = ("csv", "xlsx")


@requires("spend.view_spend")
@require_GET
def opportunity_suppliers(request: HttpRequest) -> HttpResponse:
    start, end = twelve_months_to(timezone.localdate())
    page, query = paged(request, supplier_opportunities(start=start, end=end), size=LIST_SIZE)
    rows = list(page)
    paying = directorates_paying(rows, start=start, end=end)
    for row in rows:
        row["directorate_names"] = paying[row["supplier_id"]]
    return render(
        request,
        "spend/opportunity_suppliers.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "start": start,
            "end": end,
            "key": "suppliers",
        },
    )


@requires("spend.view_spend")
@require_GET
def opportunity_categories(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CategoryForm(request.GET or None)
    rows = category_opportunities(on=today, category_id=form.category_id())
    page, query = paged(request, rows, size=LIST_SIZE)
    return render(
        request,
        "spend/opportunity_categories.html",
        {"form": form, "page": page, "query": query, "today": today, "key": "categories"},
    )


@requires("spend.view_spend")
@require_GET
def opportunity_ending(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CategoryForm(request.GET or None)
    rows = contracts_ending_together(on=today, category_id=form.category_id())
    page, query = paged(request, rows, size=LIST_SIZE)
    for row in page:
        row["period_start"], row["period_end"] = half_year_bounds(row["period"])
    return render(
        request,
        "spend/opportunity_ending.html",
        {"form": form, "page": page, "query": query, "today": today, "key": "ending"},
    )


@requires("spend.view_spend")
@require_GET
def payment_performance_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start, end = twelve_months_to(today)
    found = payment_performance(start=start, end=end)
    periods = payment_performance(start=periods_start(today), end=today).by_period
    return render(
        request,
        "spend/payment_performance.html",
        {
            "found": found,
            "periods": periods,
            "suppliers": [found.sme, found.vcse],
            "totals": spend_totals(start=start, end=end),
            "key": "performance",
        },
    )


@requires("spend.view_spend")
@require_GET
def insight_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    table = TABLES.get(key)
    if table is None or fmt not in FORMATS:
        raise Http404("There is no such export")
    today = timezone.localdate()
    rows = table.rows(request.GET, today)
    filename = f"spend-{key}-{today:%Y-%m-%d}.{fmt}"
    export_logged(
        kind=KINDS[KIND_PREFIX + key],
        fmt=fmt,
        query=request.GET.urlencode(),
        filename=filename,
        by=request.user,
    )
    if fmt == "xlsx":
        return xlsx_response(table.headings, rows, filename, title=table.title)
    return csv_response(table.headings, rows, filename)
