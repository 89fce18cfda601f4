"""Who hears what on the way to a signed quarter: whoever acts next, never the person who prepared
the version as a reviewer, never the actor of their own step, and each step once."""

from datetime import date

import pytest
from django.core import mail

from assurance import notifications
from assurance.models import QuarterlyReport, SignOff
from assurance.services import (
    OwnReportError,
    report_challenge,
    report_compile,
    report_reopen,
    report_respond,
    report_sign_finance,
    report_sign_off,
    report_submit,
)
from procurement.models import Notification
from procurement.roles import Role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 10)


@pytest.fixture
def people(make_user):
    return {
        "head": make_user(Role.HEAD_OF_PROCUREMENT, email="head@council.example"),
        "partner": make_user(Role.BUSINESS_PARTNER, email="partner@council.example"),
        "hops": make_user(Role.HEAD_OF_PAID_SERVICE, email="hops@council.example"),
        "cfo": make_user(Role.CHIEF_FINANCE_OFFICER, email="cfo@council.example"),
        "gone": make_user(Role.HEAD_OF_PAID_SERVICE, email="gone@council.example", is_active=False),
    }


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run a step, send what it claimed as its commit would, and return who was emailed."""

    def run(service, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**kwargs)
        assert all(len(message.to) == 1 for message in mail.outbox)
        return result, sorted(message.to[0] for message in mail.outbox)

    return run


def compiled(people) -> QuarterlyReport:
    return report_compile(financial_year=2026, quarter=1, by=people["head"], today=TODAY)


def test_a_submitted_quarter_asks_both_reviewers(people, step):
    report, to = step(report_submit, report=compiled(people), by=people["partner"])
    assert to == ["cfo@council.example", "hops@council.example"]
    message = next(m for m in mail.outbox if m.to == ["cfo@council.example"])
    assert message.subject == "Quarterly report for your review: " + report.label
    assert f"/assurance/{report.pk}/" in message.body
    assert "The Chief Finance Officer signs its financial figures" in message.body
    rows = Notification.objects.filter(kind=Notification.Kind.QUARTERLY_ASSURANCE)
    assert {row.recipient_role for row in rows} == {
        "Chief Finance Officer",
        "Head of Paid Service",
    }


def test_a_reviewer_who_prepared_the_version_is_not_asked(people, make_user, step):
    both = make_user(Role.HEAD_OF_PROCUREMENT, Role.HEAD_OF_PAID_SERVICE, email="both@x.example")
    report = report_compile(financial_year=2026, quarter=1, by=both, today=TODAY)
    _, to = step(report_submit, report=report, by=people["head"])
    assert to == ["cfo@council.example", "hops@council.example"]


def test_the_finance_signature_hands_on_to_the_head_of_paid_service(people, step):
    report = report_submit(report=compiled(people), by=people["head"])
    _, to = step(report_sign_finance, report=report, statement="They agree.", by=people["cfo"])
    assert to == ["hops@council.example"]
    assert "They agree." in mail.outbox[0].body


def test_a_challenge_goes_to_whoever_prepared_it(people, step):
    report = report_submit(report=compiled(people), by=people["partner"])
    _, to = step(report_challenge, report=report, comment="Why is C7 red?", by=people["hops"])
    assert to == ["head@council.example", "partner@council.example"]
    assert "Why is C7 red?" in mail.outbox[0].body


def test_an_answer_asks_only_the_signature_still_missing(people, step):
    report = report_submit(report=compiled(people), by=people["head"])
    report_sign_finance(report=report, statement="They agree.", by=people["cfo"])
    report_challenge(report=report, comment="Why is C7 red?", by=people["hops"])
    _, to = step(report_respond, report=report, response="Late return.", by=people["head"])
    assert to == ["hops@council.example"]
    assert "Its financial figures are signed" in mail.outbox[0].body


def test_sign_off_and_reopening_tell_the_preparers_and_signers(people, step):
    report = report_submit(report=compiled(people), by=people["partner"])
    report_sign_finance(report=report, statement="They agree.", by=people["cfo"])
    report, to = step(
        report_sign_off,
        report=report,
        assurance=SignOff.Assurance.WITH_EXCEPTIONS,
        statement="On track but for C7.",
        by=people["hops"],
    )
    assert to == ["cfo@council.example", "head@council.example", "partner@council.example"]
    assert "assured with exceptions" in mail.outbox[0].body
    _, to = step(report_reopen, report=report, reason="C7 was mis-rated.", by=people["head"])
    assert to == ["cfo@council.example", "hops@council.example"]
    assert "C7 was mis-rated." in mail.outbox[0].body


def test_each_step_is_claimed_once(people, step):
    """The same step's emails worked out again (a retried task, a replayed commit) find their
    keys in the ledger and claim nothing: the keys name the step, not the moment."""
    report = report_submit(report=compiled(people), by=people["head"])
    rows = list(Notification.objects.filter(kind=Notification.Kind.QUARTERLY_ASSURANCE))
    assert len(rows) == 2
    notifications.notify_submitted(report, by=people["head"])
    assert Notification.objects.filter(kind=Notification.Kind.QUARTERLY_ASSURANCE).count() == 2


def test_a_refused_step_claims_nothing(people, step):
    report = report_submit(report=compiled(people), by=people["head"])
    before = Notification.objects.count()
    with pytest.raises(OwnReportError):
        report_challenge(report=report, comment="Mine.", by=people["head"])
    assert Notification.objects.count() == before
