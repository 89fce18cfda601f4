"""The annual report's supplier resilience section: key supplier risk and the financial,
contractual and operational risk of the key contracts, in its figures and in the PDF's text."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command

from contracts.tests.factories import ContractFactory, SupplierFactory
from performance.services import health_check_record
from procurement.roles import Role
from procurement.thresholds import KEY_CONTRACT_ABOVE
from reporting.annual import resilience_section
from reporting.models import AnnualReport
from reporting.selectors import Scope

pytestmark = pytest.mark.django_db

AS_AT = date(2026, 3, 31)


def _key(**risks):
    return ContractFactory(
        whole_life_value=KEY_CONTRACT_ABOVE + Decimal("0.01"),
        start_date=date(2025, 1, 1),
        end_date=date(2027, 12, 31),
        **risks,
    )


@pytest.fixture
def council(make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    _key(financial_risk="high", operational_risk="low", contractual_risk="medium")
    _key(financial_risk="high")
    ContractFactory(whole_life_value=KEY_CONTRACT_ABOVE, financial_risk="high")  # not key
    strategic = SupplierFactory(is_strategic=True)
    for checked_on, rating in ((date(2025, 6, 1), "weak"), (date(2024, 6, 1), "strong")):
        health_check_record(
            supplier=strategic,
            checked_on=checked_on,
            source="accounts",
            rating=rating,
            notes="",
            by=head,
            today=checked_on + timedelta(days=1),
        )


def test_the_section_counts_key_contract_risk_and_health_checks(council):
    section = resilience_section(Scope(year=2025, today=date(2026, 6, 1)))
    figures = section["figures"]
    assert figures["key_running"] == 2
    assert figures["financial_risk__high"] == 2
    assert figures["operational_risk__low"] == 1
    assert figures["contractual_risk__medium"] == 1
    assert figures["supplier_failure_risk__none"] == 2
    assert (figures["health_checks"], figures["health_concerns"]) == (1, 1)
    assert figures["strategic_suppliers"] == 1
    assert figures["key_no_plans"] == 2
    assert section["tables"][0]["rows"][0] == ["Financial risk", "0", "0", "2", "0"]


def test_the_pdf_has_the_section_heading_and_a_figure(council, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("build_annual_report", "--year", "2025", stdout=io.StringIO())
    report = AnnualReport.objects.get()
    with report.file.open("rb") as stored:
        pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(stored.read())).pages]
    text = " ".join(" ".join(pages).split())
    assert "Supplier resilience and key contract risk" in text
    assert "2 rated high for financial risk" in text
