"""The rules of quarterly assurance (Cotswold §4): compiled once a quarter is over, its figures
frozen; submitted by the central team; challenged and answered; the financial figures signed by
the Chief Finance Officer before the Head of Paid Service signs off; never by whoever compiled or
submitted it; a signed quarter re-opened is a correction, its first signatures kept."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assurance.models import QuarterlyReport, ReviewComment, SignOff
from assurance.selectors import latest_assured, quarter_figures, quarters_of_year
from assurance.services import (
    AssuranceError,
    OwnReportError,
    report_challenge,
    report_compile,
    report_recompile,
    report_reopen,
    report_respond,
    report_sign_finance,
    report_sign_off,
    report_submit,
)
from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import PerformanceException, PerformanceReview
from performance.services import review_record
from performance.tests.factories import KpiFactory
from procurement.dates import financial_quarter, quarter_end, quarter_label, quarter_start
from procurement.roles import Role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 10)  # in the second quarter of 2026/27


@pytest.fixture
def people(make_user):
    return {
        "head": make_user(Role.HEAD_OF_PROCUREMENT),
        "partner": make_user(Role.BUSINESS_PARTNER),
        "hops": make_user(Role.HEAD_OF_PAID_SERVICE),
        "cfo": make_user(Role.CHIEF_FINANCE_OFFICER),
        "officer": make_user(Role.PROCUREMENT_OFFICER),
    }


def compiled(people, quarter=1) -> QuarterlyReport:
    return report_compile(financial_year=2026, quarter=quarter, by=people["head"], today=TODAY)


def in_review(people) -> QuarterlyReport:
    return report_submit(report=compiled(people), by=people["head"])


def signed(people, assurance=SignOff.Assurance.ASSURED) -> QuarterlyReport:
    report = in_review(people)
    report_sign_finance(report=report, statement="The figures agree.", by=people["cfo"])
    return report_sign_off(
        report=report, assurance=assurance, statement="Services are on track.", by=people["hops"]
    )


class TestQuarters:
    def test_financial_quarters_start_in_april(self):
        assert quarter_start(2026, 1) == date(2026, 4, 1)
        assert quarter_end(2026, 1) == date(2026, 6, 30)
        assert quarter_end(2026, 3) == date(2026, 12, 31)
        assert quarter_start(2026, 4) == date(2027, 1, 1)
        assert quarter_end(2026, 4) == date(2027, 3, 31)

    def test_a_day_falls_in_its_financial_quarter(self):
        assert financial_quarter(date(2026, 4, 1)) == (2026, 1)
        assert financial_quarter(date(2026, 6, 30)) == (2026, 1)
        assert financial_quarter(date(2026, 7, 1)) == (2026, 2)
        assert financial_quarter(date(2027, 3, 31)) == (2026, 4)
        assert financial_quarter(date(2027, 1, 1)) == (2026, 4)

    def test_a_quarter_is_named_with_its_months(self):
        assert quarter_label(2026, 4) == "Quarter 4 2026/27 (January to March 2027)"


class TestCompiling:
    def test_only_the_central_team_compiles(self, people):
        for who in ("officer", "hops", "cfo"):
            with pytest.raises(PermissionDenied):
                report_compile(financial_year=2026, quarter=1, by=people[who], today=TODAY)
        assert report_compile(financial_year=2026, quarter=1, by=people["partner"], today=TODAY)

    def test_a_quarter_is_compiled_once_it_is_over(self, people):
        with pytest.raises(AssuranceError, match="has ended"):
            report_compile(financial_year=2026, quarter=2, by=people["head"], today=TODAY)
        # On the quarter's last day it is not over yet; the day after, it is.
        with pytest.raises(AssuranceError):
            report_compile(
                financial_year=2026, quarter=1, by=people["head"], today=date(2026, 6, 30)
            )
        assert report_compile(
            financial_year=2026, quarter=1, by=people["head"], today=date(2026, 7, 1)
        )

    def test_a_quarter_has_one_report(self, people):
        compiled(people)
        with pytest.raises(AssuranceError, match="compiled already"):
            compiled(people)

    def test_the_figures_are_frozen_when_compiled(self, people, make_user):
        contract = ContractOverFiftyThousandFactory(
            whole_life_value=Decimal("2000000.00"),
            start_date=date(2025, 1, 1),
            end_date=date(2028, 1, 1),
            review_date=date(2026, 5, 1),
        )
        report = compiled(people)
        assert report.as_at == date(2026, 6, 30)
        (row,) = report.figures["key_contracts"]
        assert row["reference"] == contract.reference
        assert row["rating_label"] == "Not yet reviewed"
        assert row["review_overdue"] is True
        assert report.figures["portfolio"]["overdue"] == 1
        assert report.figures["financial"]["key_contracts_value"] == "2000000.00"
        # A later review changes the performance pages, not the compiled quarter.
        review_record(
            contract=contract,
            held_on=date(2026, 7, 20),
            rating=PerformanceReview.Rating.GOOD,
            narrative="On track.",
            next_review_date=date(2026, 10, 20),
            frequency_months=3,
            by=contract.contract_manager,
            today=TODAY,
        )
        report.refresh_from_db()
        assert report.figures["key_contracts"][0]["rating_label"] == "Not yet reviewed"
        # Compiled again, the quarter still gives the contract as it stood at the quarter's end:
        # the review after it belongs to the next quarter.
        again = quarter_figures(financial_year=2026, quarter=1)
        assert again["key_contracts"][0]["rating_label"] == "Not yet reviewed"
        assert again["key_contracts"][0]["review_overdue"] is True
        following = quarter_figures(financial_year=2026, quarter=2)
        assert following["key_contracts"][0]["rating_label"] == "Good"
        assert following["key_contracts"][0]["review_due"] == "2026-10-20"
        assert following["key_contracts"][0]["review_overdue"] is False

    def test_exceptions_are_counted_as_they_stood_at_the_quarters_end(self, people):
        contract = ContractOverFiftyThousandFactory(
            whole_life_value=Decimal("2000000.00"),
            start_date=date(2025, 1, 1),
            end_date=date(2028, 1, 1),
        )
        for opened, closed in (
            (date(2026, 5, 1), None),  # open at the end of June
            (date(2026, 5, 2), date(2026, 7, 15)),  # closed after it: open at its end
            (date(2026, 5, 3), date(2026, 6, 10)),  # closed within it
            (date(2026, 7, 20), None),  # raised in the next quarter
        ):
            PerformanceException.objects.create(
                contract=contract,
                kpi=KpiFactory(contract=contract),
                reason="Late visits",
                opened_on=opened,
                closed_on=closed,
                status="closed" if closed else "open",
            )
        figures = quarter_figures(financial_year=2026, quarter=1)
        assert figures["exceptions_open"] == 2
        assert figures["portfolio"]["with_open_exceptions"] == 1
        assert figures["key_contracts"][0]["open_exceptions"] == 2
        assert [e["status"] for e in figures["exceptions_raised"]] == [
            "Open at the quarter's end",
            "Open at the quarter's end",
            "Closed in the quarter",
        ]

    def test_compiling_again_refreshes_the_figures_and_says_who(self, people):
        report = compiled(people)
        ContractOverFiftyThousandFactory(
            whole_life_value=Decimal("3000000.00"), start_date=date(2025, 1, 1)
        )
        report = report_recompile(report=report, by=people["partner"])
        assert len(report.figures["key_contracts"]) == 1
        assert report.compiled_by == people["partner"]
        assert report.history.first().history_change_reason == "Figures compiled again"

    def test_a_report_in_review_is_not_compiled_again(self, people):
        report = in_review(people)
        with pytest.raises(AssuranceError):
            report_recompile(report=report, by=people["partner"])


class TestReview:
    def test_the_central_team_submits(self, people):
        report = compiled(people)
        with pytest.raises(PermissionDenied):
            report_submit(report=report, by=people["hops"])
        report = report_submit(report=report, by=people["partner"])
        assert report.status == QuarterlyReport.Status.IN_REVIEW
        assert report.submitted_by == people["partner"]
        with pytest.raises(AssuranceError):
            report_submit(report=report, by=people["partner"])

    def test_a_challenge_goes_back_to_the_central_team_who_answer_and_resubmit(self, people):
        report = in_review(people)
        with pytest.raises(ValidationError):
            report_challenge(report=report, comment="  ", by=people["hops"])
        report = report_challenge(
            report=report, comment="Why is the care contract unrated?", by=people["hops"]
        )
        assert report.status == QuarterlyReport.Status.CHALLENGED
        with pytest.raises(AssuranceError):
            report_sign_finance(report=report, statement="Fine.", by=people["cfo"])
        with pytest.raises(PermissionDenied):
            report_respond(report=report, response="Review held late.", by=people["hops"])
        report = report_respond(
            report=report, response="Its review was held in July.", by=people["partner"]
        )
        assert report.status == QuarterlyReport.Status.IN_REVIEW
        kinds = list(report.comments.values_list("kind", "written_by"))
        assert kinds == [
            (ReviewComment.Kind.CHALLENGE, people["hops"].pk),
            (ReviewComment.Kind.RESPONSE, people["partner"].pk),
        ]

    def test_the_chief_finance_officer_may_challenge_too(self, people):
        report = report_challenge(
            report=in_review(people), comment="Savings do not agree.", by=people["cfo"]
        )
        assert report.status == QuarterlyReport.Status.CHALLENGED

    def test_others_may_not_challenge(self, people):
        report = in_review(people)
        for who in ("officer", "partner"):
            with pytest.raises((PermissionDenied, OwnReportError)):
                report_challenge(report=report, comment="Why?", by=people[who])


class TestSigning:
    def test_the_finance_figures_are_signed_before_the_quarter(self, people):
        report = in_review(people)
        with pytest.raises(AssuranceError, match="Chief Finance Officer signs"):
            report_sign_off(
                report=report, assurance="assured", statement="Fine.", by=people["hops"]
            )
        with pytest.raises(PermissionDenied):
            report_sign_finance(report=report, statement="Fine.", by=people["hops"])
        report = report_sign_finance(report=report, statement="Agreed.", by=people["cfo"])
        assert report.status == QuarterlyReport.Status.IN_REVIEW
        with pytest.raises(AssuranceError):
            report_sign_finance(report=report, statement="Again.", by=people["cfo"])
        with pytest.raises(PermissionDenied):
            report_sign_off(report=report, assurance="assured", statement="Fine.", by=people["cfo"])

    def test_the_head_of_paid_service_signs_off_with_a_statement(self, people):
        report = signed(people, SignOff.Assurance.WITH_EXCEPTIONS)
        assert report.status == QuarterlyReport.Status.SIGNED
        assurance = report.sign_offs.get(kind=SignOff.Kind.ASSURANCE)
        assert assurance.assurance == SignOff.Assurance.WITH_EXCEPTIONS
        assert assurance.signed_by == people["hops"]
        assert assurance.figures == report.figures
        record = report.history.first()
        assert record.history_user == people["hops"]
        assert record.history_change_reason == "Signed off: Assured with exceptions"

    def test_the_statement_and_its_level_are_required(self, people):
        report = report_sign_finance(
            report=in_review(people), statement="Agreed.", by=people["cfo"]
        )
        with pytest.raises(ValidationError):
            report_sign_off(report=report, assurance="", statement="Fine.", by=people["hops"])
        with pytest.raises(ValidationError):
            report_sign_off(report=report, assurance="assured", statement="", by=people["hops"])

    def test_the_compiler_never_signs_or_challenges_their_own_report(self, make_user, people):
        both = make_user(
            Role.HEAD_OF_PROCUREMENT, Role.HEAD_OF_PAID_SERVICE, Role.CHIEF_FINANCE_OFFICER
        )
        report = report_compile(financial_year=2026, quarter=1, by=both, today=TODAY)
        report = report_submit(report=report, by=people["partner"])
        with pytest.raises(OwnReportError):
            report_sign_finance(report=report, statement="Agreed.", by=both)
        with pytest.raises(OwnReportError):
            report_challenge(report=report, comment="Hmm.", by=both)
        report = report_sign_finance(report=report, statement="Agreed.", by=people["cfo"])
        with pytest.raises(OwnReportError):
            report_sign_off(report=report, assurance="assured", statement="Fine.", by=both)
        assert not both.has_perm("assurance.sign_off_report", report)

    def test_the_submitter_never_signs_either(self, make_user, people):
        both = make_user(Role.BUSINESS_PARTNER, Role.HEAD_OF_PAID_SERVICE)
        report = report_submit(report=compiled(people), by=both)
        report = report_sign_finance(report=report, statement="Agreed.", by=people["cfo"])
        with pytest.raises(OwnReportError):
            report_sign_off(report=report, assurance="assured", statement="Fine.", by=both)

    def test_compiling_again_after_a_challenge_needs_the_finance_signature_again(self, people):
        report = report_sign_finance(
            report=in_review(people), statement="Agreed.", by=people["cfo"]
        )
        report = report_challenge(report=report, comment="Add July's review.", by=people["hops"])
        report = report_recompile(report=report, by=people["head"])
        report = report_respond(report=report, response="Added.", by=people["head"])
        assert not report.has_finance_sign_off()
        old = report.sign_offs.get()
        assert old.superseded_reason == "The figures were compiled again."


class TestCorrections:
    def test_a_signed_quarter_reopened_is_signed_again_as_a_correction(self, people):
        report = signed(people)
        with pytest.raises(PermissionDenied):
            report_reopen(report=report, reason="Wrong.", by=people["cfo"])
        with pytest.raises(ValidationError):
            report_reopen(report=report, reason=" ", by=people["head"])
        report = report_reopen(
            report=report, reason="A late return changed a rating.", by=people["head"]
        )
        assert report.status == QuarterlyReport.Status.COMPILED
        assert report.version == 2
        assert report.sign_offs.filter(superseded_at__isnull=True).count() == 0
        assert quarters_of_year(financial_year=2026)[0].assurance is None
        assert latest_assured(on=TODAY).withdrawn.statement == "Services are on track."

        report = report_submit(report=report, by=people["partner"])
        report = report_sign_finance(report=report, statement="Agreed again.", by=people["cfo"])
        report = report_sign_off(
            report=report,
            assurance=SignOff.Assurance.NOT_ASSURED,
            statement="Care is below target.",
            by=people["hops"],
        )
        shown = latest_assured(on=TODAY)
        assert shown.report == report
        assert shown.is_correction
        assert shown.assurance.assurance == SignOff.Assurance.NOT_ASSURED
        (first,) = shown.superseded
        assert first.version == 1
        assert first.superseded_reason == "A late return changed a rating."

    def test_the_latest_signed_quarter_is_the_one_shown(self, people):
        signed(people)
        second = report_compile(
            financial_year=2026, quarter=2, by=people["head"], today=date(2026, 10, 5)
        )
        assert latest_assured(on=TODAY).report.quarter == 1
        assert quarters_of_year(financial_year=2026)[1].report == second
        assert quarters_of_year(financial_year=2026)[1].assurance is None


def test_refusals_write_nothing(people):
    report = in_review(people)
    before = report.history.count()
    with pytest.raises(PermissionDenied):
        report_sign_off(report=report, assurance="assured", statement="x", by=people["officer"])
    assert report.history.count() == before
    assert SignOff.objects.count() == 0


def test_today_is_used_when_none_is_given(people):
    last = timezone.localdate() - timedelta(days=100)
    year, quarter = financial_quarter(last)
    report = report_compile(financial_year=year, quarter=quarter, by=people["head"])
    assert report.as_at == quarter_end(year, quarter)


def test_whoever_compiled_a_version_before_a_recompile_still_cannot_sign_it(people, make_user):
    """Compiling again (by someone else) does not clear the first compiler to challenge or sign."""
    both = make_user(Role.HEAD_OF_PROCUREMENT, Role.HEAD_OF_PAID_SERVICE)
    report = report_compile(financial_year=2026, quarter=1, by=both, today=TODAY)
    report = report_recompile(report=report, by=people["head"])
    report = report_submit(report=report, by=people["head"])
    report_sign_finance(report=report, statement="The figures agree.", by=people["cfo"])
    with pytest.raises((OwnReportError, PermissionDenied)):
        report_sign_off(
            report=report,
            assurance=SignOff.Assurance.ASSURED,
            statement="Mine.",
            by=both,
        )
    with pytest.raises((OwnReportError, PermissionDenied)):
        report_challenge(report=report, comment="Mine too.", by=both)
