from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from performance.models import financial_year_of
from procurement import background
from procurement.access import requires
from procurement.background import BackgroundUnavailable
from procurement.caching import cached_html, query_vary
from procurement.files import download_response
from procurement.forms import show_error
from procurement.pages import paged

from .dashboard import dashboard
from .forms import FigureScopeForm, ReportRequestForm, ScopeForm
from .models import AnnualReport
from .pdf import PdfUnavailable, pdf_unavailable, report_context
from .selectors import FIGURES, Scope, figure_rows
from .services import ReportError, annual_report_request

LIST_SIZE = 50
BUILDING = "The report is being built: it appears below as a new version."


def _scope(form: ScopeForm) -> Scope:
    """The scope the filters ask for; the current year for the whole council if they are
    missing or wrong (the page then shows why)."""
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    directorate = data.get("directorate")
    return Scope(
        year=data.get("year") or financial_year_of(today),
        today=today,
        directorate_id=directorate.pk if directorate else None,
        category_id=data.get("category"),
    )


@requires("reporting.view_dashboard")
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form = ScopeForm(request.GET or None)
    scope = _scope(form)
    content = cached_html(
        request,
        "reporting:dashboard",
        query_vary(request),
        template="reporting/_dashboard.html",
        context=lambda: {"form": form, "board": dashboard(scope), "scope": scope},
    )
    return render(request, "reporting/dashboard.html", {"form": form, "content": content})


@requires("reporting.view_dashboard")
@require_GET
def figure_view(request: HttpRequest, key: str) -> HttpResponse:
    if key not in FIGURES:
        raise Http404("There is no such figure")
    form = FigureScopeForm(request.GET or None)
    scope = _scope(form)
    rows = figure_rows(key, scope)
    page, query = paged(request, rows, size=LIST_SIZE)
    figure = FIGURES[key]
    return render(
        request,
        "reporting/figure_list.html",
        {
            "form": form,
            "figure": figure,
            "key": key,
            "scope": scope,
            "page": page,
            "query": query,
            "total": page.paginator.count,
            "dashboard_url": f"{reverse('reporting:dashboard')}?{scope.query()}",
        },
    )


@requires("reporting.view_annual_reports")
@require_http_methods(["GET", "POST"])
def annual_reports(request: HttpRequest) -> HttpResponse:
    reports = AnnualReport.objects.select_related("requested_by")
    may_build = request.user.has_perm("reporting.build_annual_report")
    if request.method == "POST" and not may_build:
        raise PermissionDenied
    form = ReportRequestForm(
        request.POST or None,
        initial={"year": financial_year_of(timezone.localdate()) - 1},
    )
    page, query = paged(request, reports, size=LIST_SIZE)
    unavailable = pdf_unavailable()
    if request.method == "POST" and form.is_valid():
        try:
            annual_report_request(
                year=form.cleaned_data["year"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except (ReportError, PdfUnavailable) as error:
            show_error(form, error)
        except BackgroundUnavailable as error:
            # The version is kept, as failed, to show it was asked for: the list says why.
            messages.error(request, str(error))
            return redirect("reporting:annual_reports")
        else:
            messages.success(request, BUILDING)
            return redirect("reporting:annual_reports")
    return render(
        request,
        "reporting/annual_reports.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "may_build": may_build,
            "pdf_unavailable": unavailable,
            "building": any(not (r.is_finished or r.is_stalled) for r in page.object_list),
            "worker": background.worker_state(),
        },
    )


@requires("reporting.view_annual_reports")
@require_GET
def annual_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport.objects.select_related("requested_by"), pk=pk)
    return render(
        request,
        "reporting/annual_report.html",
        {**report_context(report.figures, report=report), "pdf_unavailable": pdf_unavailable()},
    )


@requires("reporting.view_annual_reports")
@require_GET
def annual_report_progress(request: HttpRequest, pk: int) -> JsonResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    return JsonResponse(
        {
            "id": report.pk,
            "state": report.state,
            "state_label": report.get_state_display(),
            "progress": report.progress,
            "stage": report.stage,
            "finished": report.is_finished,
        }
    )


@requires("reporting.view_annual_reports")
@require_GET
def annual_report_download(request: HttpRequest, pk: int):
    report = get_object_or_404(AnnualReport, pk=pk, state=AnnualReport.State.READY)
    if not report.file:
        raise Http404("This version has no file")
    return download_response(report.file, name=report.file_name)
