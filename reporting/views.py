from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.models import financial_year_of
from procurement import background
from procurement.access import public, requires
from procurement.background import BackgroundUnavailable
from procurement.caching import cached, cached_html, query_vary
from procurement.files import download_response
from procurement.forms import show_error
from procurement.pages import paged

from .dashboard import (
    SECTION_BY_SLUG,
    SECTION_OF_FIGURE,
    SECTIONS,
    assurance_figures,
    dashboard,
    dashboard_url,
    headline,
    key_figures,
    plan_theme_figures,
    section_url,
    spend_figures,
)
from .forms import (
    FigureScopeForm,
    PublishReportForm,
    PublishReviewForm,
    ReportRequestForm,
    ScopeForm,
)
from .models import AnnualReport, PublishedReport
from .pdf import PdfUnavailable, pdf_unavailable, report_context, social_value_review_pdf
from .selectors import (
    FIGURES,
    Scope,
    figure_rows,
    plan_themes_in_year,
    published_report,
    published_reports,
    published_social_value_reviews,
    social_value_review,
)
from .services import (
    ReportError,
    annual_report_publish,
    annual_report_request,
    social_value_review_publish,
)

LIST_SIZE = 50
# What the dashboard's figures read: a write to any of these retires its cached pieces.
DASHBOARD_READS = (
    *("contracts", "gateways", "maturity", "performance", "socialvalue"),
    *("procurement.contractcategory", "procurement.directorate", "procurement.user"),
    "procurement.plantheme",
    # The contract figures kept for the dashboard (reporting/summary.py).
    *("reporting.contractfigure", "reporting.contractfigureday"),
    # Spend's payments and settings (its section).
    "spend",
    # The quarters signed off as assured.
    "assurance",
)
BUILDING = "The report is being built as a new version: how far it has got is shown below."


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


def _years(form: ScopeForm) -> set[int]:
    return {year for year, _ in form.fields["year"].choices}


@requires("reporting.view_dashboard")
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form = ScopeForm(request.GET or None)
    scope = _scope(form)
    has_previous = scope.year - 1 in _years(form)

    def context() -> dict:
        now = key_figures(scope)
        before = key_figures(scope.previous) if has_previous else None
        return {
            "form": form,
            "scope": scope,
            "headline": headline(now, before),
            "assurance": assurance_figures(scope),
            "previous_label": scope.previous.label if has_previous else "",
            "sections": [(section, section_url(section.slug, scope)) for section in SECTIONS],
        }

    content = cached_html(
        request,
        "reporting:dashboard",
        query_vary(request),
        template="reporting/_dashboard.html",
        context=context,
        reads=DASHBOARD_READS,
    )
    return render(request, "reporting/dashboard.html", {"form": form, "content": content})


def _plan_themes(scope: Scope, *, has_previous: bool, shown: bool) -> dict:
    """The Council Plan themes section's figures, each theme's line with its line of the year
    before (None without one) to show beside it (six queries)."""
    if not shown:
        return {"plan_themes": None}
    figures = plan_theme_figures(scope)
    before = {}
    if has_previous:
        before = {line.theme: line for line in plan_themes_in_year(scope.previous)}
    return {
        "plan_themes": figures,
        "plan_theme_rows": [(line, before.get(line.theme)) for line in figures.lines],
    }


@requires("reporting.view_dashboard")
@require_GET
def section_view(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTION_BY_SLUG:
        raise Http404("There is no such part of the dashboard")
    form = ScopeForm(request.GET or None)
    scope = _scope(form)
    has_previous = scope.year - 1 in _years(form)

    def context() -> dict:
        board = dashboard(scope)
        if has_previous:
            board.compare(dashboard(scope.previous))
        return {
            "form": form,
            "scope": scope,
            "board": board,
            "section": SECTION_BY_SLUG[section],
            "previous_label": scope.previous.label if has_previous else "",
            "sections": [(other, section_url(other.slug, scope)) for other in SECTIONS],
            "spend": spend_figures(scope) if section == "spend" else None,
            **_plan_themes(scope, has_previous=has_previous, shown=section == "plan-themes"),
        }

    content = cached_html(
        request,
        "reporting:section",
        section,
        query_vary(request),
        template="reporting/_section.html",
        context=context,
        reads=DASHBOARD_READS,
    )
    return render(
        request,
        "reporting/section.html",
        {
            "form": form,
            "content": content,
            "section": SECTION_BY_SLUG[section],
            "dashboard_url": dashboard_url(scope),
        },
    )


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
    section = SECTION_OF_FIGURE.get(key)
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
            "section": section,
            "back_url": section_url(section.slug, scope) if section else dashboard_url(scope),
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
    worker = background.worker_state()
    # Builds under way, wherever they fall in the list: shown at the top, following themselves.
    under_way = [
        report
        for report in AnnualReport.objects.filter(
            state__in=[AnnualReport.State.QUEUED, AnnualReport.State.BUILDING]
        ).order_by("-requested_at")[:5]
        if not report.is_stalled
    ]
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
            "under_way": [
                (report, report.progress_words(worker_running=worker.is_working))
                for report in under_way
            ],
            "building": bool(under_way),
            "worker": worker,
        },
    )


@requires("reporting.view_annual_reports")
@require_GET
def annual_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport.objects.select_related("requested_by"), pk=pk)
    return _annual_report_page(request, report, PublishReportForm())


def _annual_report_page(request: HttpRequest, report: AnnualReport, form) -> HttpResponse:
    published = PublishedReport.objects.filter(year=report.year).first()
    return render(
        request,
        "reporting/annual_report.html",
        {
            **report_context(report.figures, report=report),
            "pdf_unavailable": pdf_unavailable(),
            "published": published,
            "may_publish": request.user.has_perm("reporting.publish_annual_report"),
            "publish_form": form,
        },
    )


@requires("reporting.view_annual_reports")
@require_http_methods(["GET", "POST"])
def social_value_reviews(request: HttpRequest) -> HttpResponse:
    """The years whose social value review is published, and (for the head of procurement) the
    form that publishes another."""
    may_publish = request.user.has_perm("reporting.publish_social_value_review")
    if request.method == "POST" and not may_publish:
        raise PermissionDenied
    form = PublishReviewForm(
        request.POST or None, initial={"year": financial_year_of(timezone.localdate()) - 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            published = social_value_review_publish(
                year=form.cleaned_data["year"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ReportError as error:
            show_error(form, error)
        else:
            messages.success(request, f"The {published.year_label} review is now published")
            return redirect("reporting:social_value_reviews")
    return render(
        request,
        "reporting/social_value_reviews.html",
        {
            "form": form,
            "may_publish": may_publish,
            "published": list(published_social_value_reviews()),
        },
    )


@requires("reporting.publish_annual_report")
@require_POST
def annual_report_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The head of procurement puts this version on the public page (reporting/services.py)."""
    report = get_object_or_404(AnnualReport.objects.select_related("requested_by"), pk=pk)
    form = PublishReportForm(request.POST)
    if form.is_valid():
        try:
            annual_report_publish(
                report=report, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ReportError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Version {report.version} is now the published report")
            return redirect(report)
    return _annual_report_page(request, report, form)


@requires("reporting.view_annual_reports")
@require_GET
def annual_report_progress(request: HttpRequest, pk: int) -> JsonResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    running = background.worker_state().is_working
    return JsonResponse(
        {
            "id": report.pk,
            "year": report.year_label,
            "state": report.state,
            "state_label": report.get_state_display(),
            "progress": report.progress,
            "stage": report.stage,
            "finished": report.is_finished or report.is_stalled,
            "worker_running": running,
            "label": report.progress_words(worker_running=running),
        }
    )


@requires("reporting.view_annual_reports")
@require_GET
def annual_report_download(request: HttpRequest, pk: int):
    report = get_object_or_404(AnnualReport, pk=pk, state=AnnualReport.State.READY)
    if not report.file:
        raise Http404("This version has no file")
    return download_response(report.file, name=report.file_name)


# --- Publication (no sign-in) -----------------------------------------------------------------


@public
@require_GET
def public_annual_reports(request: HttpRequest) -> HttpResponse:
    """Every year's published annual report, for anyone: drafts and superseded versions are
    not listed."""
    return render(
        request, "reporting/public_annual_reports.html", {"published": list(published_reports())}
    )


@public
@require_GET
def public_annual_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A year's published version as a web page; any other version is 404."""
    report = published_report(pk)
    return render(
        request,
        "reporting/public_annual_report.html",
        report_context(report.figures, report=report),
    )


@public
@require_GET
def public_annual_report_pdf(request: HttpRequest, pk: int):
    """A year's published version's PDF; any other version is 404."""
    report = published_report(pk)
    if not report.file:
        raise Http404("This version has no file")
    return download_response(report.file, name=report.file_name)


def _review_context(year: int) -> dict:
    published, groups = social_value_review(year)
    return {
        "published": published,
        "groups": groups,
        "council": settings.COUNCIL_NAME,
        "title": f"Social value review {published.year_label}",
    }


@public
@require_GET
def public_social_value_reviews(request: HttpRequest) -> HttpResponse:
    """The years whose social value review the council has published, for anyone."""
    return render(
        request,
        "reporting/public_social_value_reviews.html",
        {"published": list(published_social_value_reviews())},
    )


@public
@require_GET
def public_social_value_review(request: HttpRequest, year: int) -> HttpResponse:
    """A published year's review: committed against delivered by theme, raw outputs beside the
    money. A year not published is 404."""
    return render(request, "reporting/public_social_value_review.html", _review_context(year))


@public
@require_GET
def public_social_value_review_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """A published year's review as a PDF; a year not published is 404. Anyone may ask, so it
    is drawn once and kept until the data changes (on the day), not drawn for every request."""
    try:
        pdf = cached(
            "public-social-value-review-pdf",
            year,
            build=lambda: social_value_review_pdf(_review_context(year)),
        )
    except PdfUnavailable as error:
        return render(
            request, "reporting/public_pdf_unavailable.html", {"reason": str(error)}, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"social-value-review-{year}-{(year + 1) % 100:02d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
