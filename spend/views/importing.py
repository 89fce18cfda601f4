"""The import of payment files: upload (with the finance system they come from), the run (the
shared pages of procurement/uploads.py), a template to fill in, and the files imported."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contracts import exports
from procurement.access import requires
from procurement.pages import paged
from procurement.uploads import (
    import_problems_csv,
    import_progress,
    import_run_page,
    import_upload_page,
)
from spend.forms import PaymentImportForm
from spend.importing import COLUMNS
from spend.importing import KIND as IMPORT_KIND
from spend.selectors.imports import payment_imports

IMPORTS_PER_PAGE = 50


def _options(request: HttpRequest):
    """The run's finance system: the one chosen, or the one named, added with the import (so
    a file refused, or left, adds none)."""

    def options(form: PaymentImportForm) -> dict:
        source = form.cleaned_data.get("source")
        if source is None:
            return {"new_source": form.cleaned_data["new_source"].strip()}
        return {"source": source.pk}

    return options


@requires("spend.import_payments")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = PaymentImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        may_add_source=request.user.has_perm("spend.manage_sources"),
    )
    return import_upload_page(
        request,
        kind=IMPORT_KIND,
        form=form,
        template="spend/import_upload.html",
        run_url="spend:import_preview",
        options=_options(request),
    )


@requires("spend.import_payments")
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_run_page(
        request,
        kind=IMPORT_KIND,
        token=token,
        upload_url=reverse("spend:import"),
        done_url=reverse("spend:imports"),
        progress_url=reverse("spend:import_progress", args=[token]),
        problems_url=reverse("spend:import_problems", args=[token]),
    )


@requires("spend.import_payments")
@require_GET
def import_progress_json(request: HttpRequest, token: str) -> HttpResponse:
    return import_progress(request, kind=IMPORT_KIND, token=token)


@requires("spend.import_payments")
@require_GET
def import_problems(request: HttpRequest, token: str) -> HttpResponse:
    return import_problems_csv(request, kind=IMPORT_KIND, token=token)


TEMPLATE_EXAMPLE = {
    "body": "Northmere Council",
    "directorate": "Adult Social Care",
    "service_area": "Home care",
    "expenditure_category": "Private contractors",
    "paid_on": "15/04/2026",
    "transaction_ref": "5100123",
    "line": "1",
    "amount": "1250.00",
    "payee": "Acme Care Limited",
    "supplier_ref": "S00042",
    "invoice_date": "01/04/2026",
    "invoice_received_on": "03/04/2026",
    "purchase_order": "PO123456",
    "vat": "250.00",
    "company_number": "01234567",
}
TEMPLATE_CREDIT = {**TEMPLATE_EXAMPLE, "transaction_ref": "5100124", "amount": "(125.00)"}


@requires("spend.import_payments")
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    headings = [column.name for column in COLUMNS]
    rows = [
        [exports.safe_cell(example.get(column.attribute, "")) for column in COLUMNS]
        for example in (TEMPLATE_EXAMPLE, TEMPLATE_CREDIT)
    ]
    if fmt == "csv":
        return exports.csv_response(headings, rows, "payments-template.csv")
    return exports.xlsx_response(headings, rows, "payments-template.xlsx", title="Payments")


@requires("spend.import_payments")
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    """The payment files imported: which, from where, by whom, when, and what they added."""
    page, query = paged(request, payment_imports(), size=IMPORTS_PER_PAGE)
    return render(request, "spend/imports.html", {"page": page, "query": query})
