"""The annual report's quarterly assurance section: the quarters the Head of Paid Service signed
off, found in the PDF's text."""

from datetime import date

import pytest

from assurance.models import SignOff
from assurance.services import (
    report_compile,
    report_sign_finance,
    report_sign_off,
    report_submit,
)
from procurement.roles import Role
from reporting.models import AnnualReport
from reporting.services import annual_report_build

from .test_reports import pdf_of

pytestmark = pytest.mark.django_db


def test_the_pdf_has_the_quarters_signed_off(settings, tmp_path, make_user):
    settings.MEDIA_ROOT = tmp_path
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    hops = make_user(Role.HEAD_OF_PAID_SERVICE, first_name="Alan", last_name="Brierley")
    cfo = make_user(Role.CHIEF_FINANCE_OFFICER)
    for quarter in (1, 2):
        report = report_compile(
            financial_year=2025, quarter=quarter, by=head, today=date(2026, 4, 10)
        )
        report = report_submit(report=report, by=head)
        report_sign_finance(report=report, statement="Agreed.", by=cfo)
        report_sign_off(
            report=report,
            assurance=SignOff.Assurance.WITH_EXCEPTIONS,
            statement="Assured, save for home care.",
            by=hops,
        )
    report = AnnualReport.objects.create(
        year=2025, version=1, source="page", requested_by=head, reason="For the committee"
    )
    report = annual_report_build(report_id=report.pk)
    section = next(s for s in report.figures["sections"] if s["slug"] == "assurance")
    assert section["figures"]["signed"] == 2
    text = " ".join(" ".join(page.extract_text() for page in pdf_of(report).pages).split())
    assert "Quarterly performance assurance" in text
    assert "The Head of Paid Service signed off 2 quarters of 2025/26" in text
    assert "2 assured with exceptions" in text
