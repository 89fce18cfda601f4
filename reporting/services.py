"""Builds of the annual Audit & Transparency report: asked for on the page, by the command or by
the yearly schedule, each a new stored version."""

import contextlib
import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from performance.models import financial_year_label, financial_year_of
from procurement import background
from procurement.background import BackgroundUnavailable
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require

from .annual import SECTIONS, annual_figures
from .models import AnnualReport, PublishedReport, PublishedSocialValueReview
from .pdf import PdfUnavailable, pdf_unavailable, report_pdf
from .selectors import Scope

logger = logging.getLogger(__name__)
FIRST_YEAR = 2000
Source = AnnualReport.Source
# Why a version was never built, when it could not be handed to a worker.
NOT_QUEUED = "Not built: the service's background work was unavailable when it was asked for"


class ReportError(DomainError):
    """A report that cannot be built as asked."""


def report_years(*, today: date) -> list[int]:
    """The financial years a report can be built for, the latest first: up to the current one
    (which is then a report of the year so far)."""
    return list(range(financial_year_of(today), FIRST_YEAR - 1, -1))


def _check_year(year: int, *, today: date) -> None:
    if year not in report_years(today=today):
        raise ReportError(
            f"Choose a financial year from {financial_year_label(FIRST_YEAR)} to "
            f"{financial_year_label(financial_year_of(today))}"
        )


def _check_pdf() -> None:
    """Refused before a version is made that could only fail: this server cannot draw PDFs."""
    if reason := pdf_unavailable():
        raise PdfUnavailable(reason)


def _new_version(*, year: int, source: str, by: User | None, reason: str) -> AnnualReport:
    # Two requests at once may pick the same number: the unique constraint refuses the second,
    # which then takes the next.
    for _ in range(5):
        try:
            with transaction.atomic():
                latest = AnnualReport.objects.filter(year=year).aggregate(v=Max("version"))["v"]
                return AnnualReport.objects.create(
                    year=year,
                    version=(latest or 0) + 1,
                    source=source,
                    requested_by=by,
                    reason=reason.strip(),
                )
        except IntegrityError:
            if source == Source.SCHEDULE:
                raise
    raise ReportError(
        "Another build of this year was being asked for at the same moment: try again"
    )


def _enqueue(report: AnnualReport) -> None:
    transaction.on_commit(lambda: _queue(report.pk))


def _queue(report_id: int) -> None:
    """Hand the version to a worker; if that cannot be done, end it as failed, saying why."""
    from .tasks import annual_report_build_task

    try:
        background.enqueue(annual_report_build_task, report_id)
    except BackgroundUnavailable:
        report = AnnualReport.objects.get(pk=report_id)
        if can_proceed(report.drop):
            report.drop(error=NOT_QUEUED)
            with contextlib.suppress(ConcurrentTransition):  # a worker took it after all
                report.save(update_fields=["state", "finished_at", "error"])
        raise


@transaction.atomic
def annual_report_request(*, year: int, by: User, reason: str = "") -> AnnualReport:
    """The central team asks for a new version of a year's report; a worker builds it. With
    Redis out of reach the version is kept as failed and ``BackgroundUnavailable`` raised."""
    require(by, "reporting.build_annual_report")
    _check_year(year, today=timezone.localdate())
    _check_pdf()
    report = _new_version(year=year, source=Source.PAGE, by=by, reason=reason)
    _enqueue(report)
    return report


def year_due(on: date) -> int:
    """The latest financial year whose report is due by ``on``: each is due on 1 May after it
    closes, a month for the last quarter's returns and savings to be recorded."""
    return on.year - 1 if on >= date(on.year, 5, 1) else on.year - 2


def annual_report_schedule(*, on: date) -> AnnualReport | None:
    """The scheduled build of the latest year due by ``on``: once a year, however often the
    schedule runs (None if that year's scheduled build exists already)."""
    year = year_due(on)
    if AnnualReport.objects.filter(year=year, source=Source.SCHEDULE).exists():
        return None
    try:
        with transaction.atomic():
            report = _new_version(year=year, source=Source.SCHEDULE, by=None, reason="")
            _enqueue(report)
    except IntegrityError:
        return None
    return report


def annual_report_command(*, year: int, reason: str = "") -> AnnualReport:
    """``build_annual_report --year``: a new version, built here and now."""
    _check_year(year, today=timezone.localdate())
    _check_pdf()
    report = _new_version(year=year, source=Source.COMMAND, by=None, reason=reason)
    return annual_report_build(report_id=report.pk)


def _note_progress(report_id: int, percent: int, stage: str) -> None:
    AnnualReport.objects.filter(pk=report_id).update(progress=percent, stage=stage)


def annual_report_build(*, report_id: int) -> AnnualReport:
    """Work out the figures of a queued version, draw its PDF and store both. A version already
    taken by another worker, or finished, is left alone."""
    report = AnnualReport.objects.get(pk=report_id)
    if not can_proceed(report.start):
        return report
    report.start()
    try:
        report.save(update_fields=["state", "started_at", "progress", "stage"])
    except ConcurrentTransition:  # another worker claimed it first
        report.refresh_from_db()
        return report
    steps = len(SECTIONS) + 1

    def progress(done: int, of: int, section: str) -> None:
        _note_progress(report_id, done * 100 // steps, f"Working out: {section}")

    try:
        scope = Scope(year=report.year, today=timezone.localdate())
        figures = annual_figures(scope, progress=progress)
        _note_progress(report_id, len(SECTIONS) * 100 // steps, "Drawing the PDF")
        pdf, pages = report_pdf(figures, report=report)
    except Exception as error:
        logger.exception("Annual report %s failed", report_id)
        report.refresh_from_db()  # with the progress noted on the way
        report.fail(error=f"{type(error).__name__}: {error}")
        report.save(update_fields=["state", "finished_at", "error"])
        return report
    with transaction.atomic():
        report.file.save(report.file_name, ContentFile(pdf), save=False)
        report.figures = figures
        report.pages = pages
        report.finish()
        report.save()
    return report


@transaction.atomic
def annual_report_publish(*, report: AnnualReport, by: User, reason: str) -> PublishedReport:
    """The head of procurement puts a ready version on the public page, in place of any version
    of its year published before (which its history keeps)."""
    require(by, "reporting.publish_annual_report")
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.state != AnnualReport.State.READY or not report.file:
        raise ReportError("Only a version that has been built, with its PDF, can be published")
    published = PublishedReport.objects.select_for_update().filter(year=report.year).first()
    if published is not None and published.report_id == report.pk:
        raise ReportError(f"Version {report.version} is already the published version")
    published = published or PublishedReport(year=report.year)
    published.report, published.published_by = report, by
    published.published_at = timezone.now()
    return save_with_history(published, by=by, reason=reason.strip())


@transaction.atomic
def social_value_review_publish(*, year: int, by: User, reason: str) -> PublishedSocialValueReview:
    """The head of procurement publishes a year's social value review: from then on anyone reads
    it, as a page and a PDF."""
    require(by, "reporting.publish_social_value_review")
    _check_year(year, today=timezone.localdate())
    if PublishedSocialValueReview.objects.filter(year=year).exists():
        raise ReportError(f"The {financial_year_label(year)} review is already published")
    review = PublishedSocialValueReview(year=year, published_by=by, published_at=timezone.now())
    return save_with_history(review, by=by, reason=reason.strip())
