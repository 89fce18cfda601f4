"""The pages of quarterly assurance, and the dashboard's assured quarter."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assurance.models import QuarterlyReport, SignOff
from assurance.services import (
    report_challenge,
    report_compile,
    report_reopen,
    report_respond,
    report_sign_finance,
    report_sign_off,
    report_submit,
)
from procurement.roles import Role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 10)


@pytest.fixture
def people(make_user):
    return {
        "head": make_user(Role.HEAD_OF_PROCUREMENT),
        "hops": make_user(Role.HEAD_OF_PAID_SERVICE, first_name="Alan", last_name="Brierley"),
        "cfo": make_user(Role.CHIEF_FINANCE_OFFICER),
        "member": make_user(Role.LEAD_MEMBER),
    }


def signed(people, quarter=1) -> QuarterlyReport:
    report = report_compile(financial_year=2026, quarter=quarter, by=people["head"], today=TODAY)
    report = report_submit(report=report, by=people["head"])
    report_sign_finance(report=report, statement="Agreed.", by=people["cfo"])
    return report_sign_off(
        report=report,
        assurance=SignOff.Assurance.ASSURED,
        statement="I am assured.",
        by=people["hops"],
    )


def test_the_report_page_offers_each_person_their_step(client, people):
    report = report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY)
    client.force_login(people["head"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Submit for review" in page
    assert "Challenge the report" not in page
    client.post(reverse("assurance:submit", args=[report.pk]))
    client.force_login(people["hops"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Challenge the report" in page
    assert "Sign off the quarter" not in page  # the financial figures are not signed yet
    response = client.post(
        reverse("assurance:challenge", args=[report.pk]), {"comment": "Why so few reviews?"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.CHALLENGED


def test_a_member_reads_a_signed_quarter_only(client, people):
    report = signed(people)
    in_review = report_submit(
        report=report_compile(financial_year=2025, quarter=4, by=people["head"], today=TODAY),
        by=people["head"],
    )
    client.force_login(people["member"])
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(in_review.get_absolute_url()).status_code == 403
    assert client.get(reverse("assurance:list")).status_code == 403


def test_the_report_page_reads_a_fixed_number_of_queries(client, people):
    report = signed(people)
    client.force_login(people["head"])
    client.get(report.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(report.get_absolute_url())
    report = report_reopen(report=report, reason="A rating changed.", by=people["head"])
    report = report_submit(report=report, by=people["head"])
    report = report_challenge(report=report, comment="Which rating?", by=people["hops"])
    report_respond(report=report, response="The care contract's.", by=people["head"])
    client.get(report.get_absolute_url())
    with CaptureQueriesContext(connection) as later:
        client.get(report.get_absolute_url())
    assert len(later) == len(first)


def test_the_dashboard_shows_the_quarter_assured_and_a_correction_as_one(client, people):
    report = signed(people)
    client.force_login(people["member"])
    page = client.get(reverse("reporting:dashboard"), {"year": 2026}).content.decode()
    assert "Quarter 1 2026/27 (April to June 2026): assured" in page
    assert "Alan Brierley" in page
    assert "I am assured." in page
    assert "Corrected" not in page

    report = report_reopen(
        report=report, reason="A late return changed a rating.", by=people["hops"]
    )
    page = client.get(reverse("reporting:dashboard"), {"year": 2026}).content.decode()
    assert "No quarter has been signed off as assured yet." not in page
    assert "Quarter 1 2026/27 (April to June 2026): re-opened for correction" in page
    assert "It was signed off as assured by Alan Brierley" in page
    assert "A late return changed a rating." in page
    assert "Its statement no longer stands" in page
    # The member still reads the report being corrected, with the signature it had.
    detail = client.get(report.get_absolute_url())
    assert detail.status_code == 200
    assert "I am assured." in detail.content.decode()
    report = report_submit(report=report, by=people["head"])
    report_sign_finance(report=report, statement="Agreed again.", by=people["cfo"])
    report_sign_off(
        report=report,
        assurance=SignOff.Assurance.WITH_EXCEPTIONS,
        statement="Assured, save for care.",
        by=people["hops"],
    )
    page = client.get(reverse("reporting:dashboard"), {"year": 2026}).content.decode()
    assert "assured with exceptions" in page
    assert "Corrected" in page
    assert "A late return changed a rating." in page


def test_a_step_not_yet_open_says_why_before_anything_is_typed(client, people):
    report = report_submit(
        report=report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY),
        by=people["head"],
    )
    client.force_login(people["hops"])
    response = client.get(reverse("assurance:sign_off", args=[report.pk]), follow=True)
    assert response.redirect_chain == [(report.get_absolute_url(), 302)]
    assert "The Chief Finance Officer signs the financial figures first" in (
        response.content.decode()
    )


def test_the_finance_signature_page_shows_the_figures_signed(client, people):
    report = report_submit(
        report=report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY),
        by=people["head"],
    )
    client.force_login(people["cfo"])
    page = client.get(reverse("assurance:sign_finance", args=[report.pk])).content.decode()
    assert "The figures, as at 30 June 2026" in page
    assert "Savings recorded for the year" in page


def test_the_compile_page_offers_only_quarters_not_compiled(client, people):
    report_compile(financial_year=2025, quarter=4, by=people["head"], today=TODAY)
    client.force_login(people["head"])
    page = client.get(reverse("assurance:compile")).content.decode()
    assert 'value="2025-4"' not in page
    assert 'value="2025-3"' in page


def test_the_challenge_comes_before_the_figures(client, people):
    report = report_submit(
        report=report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY),
        by=people["head"],
    )
    report_challenge(report=report, comment="Why so few reviews?", by=people["hops"])
    client.force_login(people["head"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert page.index("Why so few reviews?") < page.index("The figures, as at")


def test_the_home_page_lists_the_report_waiting_for_each_step(client, people):
    report = report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY)
    waiting = "Quarterly performance reports waiting for you"
    client.force_login(people["head"])
    assert waiting in client.get(reverse("procurement:home")).content.decode()  # to submit
    client.force_login(people["cfo"])
    assert waiting not in client.get(reverse("procurement:home")).content.decode()
    report = report_submit(report=report, by=people["head"])
    for person in ("cfo", "hops"):
        client.force_login(people[person])
        page = client.get(reverse("procurement:home")).content.decode()
        assert waiting in page
        listed = client.get(reverse("assurance:list") + "?waiting").context["reports"]
        assert listed == [report]
    client.force_login(people["head"])
    assert waiting not in client.get(reverse("procurement:home")).content.decode()  # prepared it
