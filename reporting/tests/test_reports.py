"""The annual report's builds: the PDF itself (text and fonts taken out of it), the command, the
yearly schedule and a build that fails."""

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from django.core.management import CommandError, call_command

from gateways.tests.factories import ProjectFactory
from procurement.caching import Retirement
from reporting.models import AnnualReport
from reporting.pdf import pdf_unavailable
from reporting.services import annual_report_build, annual_report_schedule, year_due
from spend.tests.factories import PaymentFactory

from . import world
from .pdfs import embedded_fonts

# What pdf_unavailable says on a server without Pango.
NO_PANGO = (
    "PDFs cannot be built on this server because its PDF libraries are missing "
    "(cannot load library 'pango-1.0-0'). Tell the administrator of this service."
)

pytestmark = pytest.mark.django_db


def pdf_of(report: AnnualReport) -> pypdf.PdfReader:
    with report.file.open("rb") as stored:
        return pypdf.PdfReader(io.BytesIO(stored.read()))


def test_the_command_builds_a_pdf_with_its_sections_and_year(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.build()
    PaymentFactory(paid_on=date(2025, 4, 1), amount=Decimal("1000"))
    PaymentFactory(paid_on=date(2026, 3, 31), amount=Decimal("250"))
    PaymentFactory(paid_on=date(2026, 4, 1), amount=Decimal("9999"))  # the next year
    out = io.StringIO()
    call_command(
        "build_annual_report", "--year", "2025", "--reason", "For the committee", stdout=out
    )
    report = AnnualReport.objects.get()
    assert (report.version, report.source, report.state) == (1, "command", "ready")
    assert out.getvalue().startswith("Built Annual report 2025/26, version 1:")
    pdf = pdf_of(report)
    assert len(pdf.pages) == report.pages > 8
    text = [page.extract_text() for page in pdf.pages]
    # The title page as words: where a line breaks depends on the fonts the machine has.
    title_page = " ".join(text[0].split())
    assert "Audit and Transparency report 2025/26" in title_page
    assert "1 April 2025 to 31 March 2026" in title_page
    assert "Why this version: For the committee" in title_page
    assert "Contents" in text[1]
    for heading in (
        "Forward plan delivery",
        "Gateway volumes, outcomes and time to decision",
        "Compliance",
        "Social value committed and delivered",
        "Council Plan themes: other key policy outcomes",
        "Savings",
        "SME and VCSE share of awards and value",
        "Performance reviews of key contracts",
        "Quarterly performance assurance",
        "Maturity position, movement and action plan",
        "Spend and payments",
        "Training and capability",
        "Supplier resilience and key contract risk",
    ):
        assert heading in text[1]  # in the contents, with its page
        assert any(page.lstrip().split("\n", 1)[0].endswith(heading) for page in text[2:]), heading
    everything = "\n".join(text)
    assert "£1,000 was due to be delivered in 2025/26, and £400 (40%)" in everything
    assert "A decision took a median of 7.5 working days from submission." in everything
    assert f"Page 3 of {len(pdf.pages)}" in text[2]
    # Set in the shipped Source Sans Pro alone, the charts' labels too, whatever the machine has.
    assert embedded_fonts(pdf) == {"SourceSansPro-Regular", "SourceSansPro-Bold"}
    # Tagged, with its title and language.
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert pdf.metadata.title.startswith("Audit and Transparency report 2025/26")
    # The stored figures are the ones the PDF shows.
    assert report.figures["label"] == "2025/26"
    assert len(report.figures["sections"]) == 13
    assert "The council paid £1,250 in 2025/26" in " ".join(everything.split())


def test_a_second_run_adds_a_version_and_keeps_the_first(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("build_annual_report", "--year", "2024", stdout=io.StringIO())
    first = AnnualReport.objects.get()
    ProjectFactory(planned_start_date=date(2024, 6, 1), estimated_value=Decimal("250000"))
    call_command("build_annual_report", "--year", "2024", stdout=io.StringIO())
    first.refresh_from_db()
    second = AnnualReport.objects.exclude(pk=first.pk).get()
    assert (first.version, second.version) == (1, 2)
    assert first.file.storage.exists(first.file.name)
    plan = next(s for s in first.figures["sections"] if s["slug"] == "forward-plan")
    plan_now = next(s for s in second.figures["sections"] if s["slug"] == "forward-plan")
    assert (plan["figures"]["planned"], plan_now["figures"]["planned"]) == (0, 1)


def test_the_command_refuses_a_year_to_come():
    with pytest.raises(CommandError, match="Choose a financial year from 2000/01 to"):
        call_command("build_annual_report", "--year", "2999", stdout=io.StringIO())
    assert not AnnualReport.objects.exists()


def test_a_long_table_breaks_across_pages_with_its_headings_repeated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for number in range(60):
        ProjectFactory(
            reference=f"LONG-{number:02d}",
            planned_start_date=date(2025, 9, 1),
            estimated_value=Decimal("150000"),
        )
    call_command("build_annual_report", "--year", "2025", stdout=io.StringIO())
    report = AnnualReport.objects.get()
    pages = [page.extract_text() for page in pdf_of(report).pages]
    listing = [p for p in pages if "LONG-" in p]
    assert len(listing) >= 2
    assert all("Planned start" in page for page in listing)
    everything = "\n".join(pages)
    assert "LONG-49" in everything
    assert "LONG-50" not in everything
    assert "And 10 more, not listed here." in everything
    assert "SourceSansPro-It" in embedded_fonts(pdf_of(report))  # that note is in italics


def test_the_report_is_due_on_1_may_after_its_year():
    assert year_due(date(2026, 4, 30)) == 2024
    assert year_due(date(2026, 5, 1)) == 2025
    assert year_due(date(2027, 3, 31)) == 2025


def test_the_schedule_builds_each_year_once(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks() as queued:
        report = annual_report_schedule(on=date(2026, 5, 1))
        again = annual_report_schedule(on=date(2026, 5, 2))
    assert (report.year, report.source, again) == (2025, "schedule", None)
    # and the page cache retired
    assert len([q for q in queued if not isinstance(q, Retirement)]) == 1
    annual_report_build(report_id=report.pk)
    assert annual_report_build(report_id=report.pk).state == "ready"  # a retry does nothing
    assert AnnualReport.objects.count() == 1


def test_a_build_that_fails_says_why(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    report = AnnualReport.objects.create(year=2025, version=1, source="page")

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("reporting.services.report_pdf", broken)
    failed = annual_report_build(report_id=report.pk)
    assert (failed.state, failed.error, failed.file.name) == (
        "failed",
        "OSError: No space left on device",
        "",
    )


def test_a_build_on_a_server_that_cannot_draw_pdfs_fails_saying_why(
    settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    report = AnnualReport.objects.create(year=2025, version=1, source="schedule")
    monkeypatch.setattr("reporting.pdf.pdf_unavailable", lambda: NO_PANGO)
    failed = annual_report_build(report_id=report.pk)
    assert (failed.state, failed.error, failed.file.name) == (
        "failed",
        f"PdfUnavailable: {NO_PANGO}",
        "",
    )


def test_the_command_refuses_on_a_server_that_cannot_draw_pdfs(monkeypatch):
    monkeypatch.setattr("reporting.services.pdf_unavailable", lambda: NO_PANGO)
    with pytest.raises(CommandError, match="its PDF libraries are missing"):
        call_command("build_annual_report", "--year", "2025", stdout=io.StringIO())
    assert not AnnualReport.objects.exists()


def test_a_server_without_the_report_fonts_cannot_draw_pdfs(monkeypatch, tmp_path):
    (tmp_path / "SourceSansPro-Regular.ttf").write_bytes(b"")
    monkeypatch.setattr("reporting.pdf.font_folder", lambda: tmp_path)
    reason = pdf_unavailable.__wrapped__()  # not the answer this process keeps
    assert reason.startswith("PDFs cannot be built on this server because its PDF libraries are")
    assert "font files SourceSansPro-Bold.ttf, SourceSansPro-It.ttf, SourceSansPro-BoldIt.ttf" in (
        reason
    )


def test_this_server_draws_pdfs():
    assert pdf_unavailable() is None
