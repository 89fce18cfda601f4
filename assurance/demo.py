"""Demo quarterly assurance: the quarter before last compiled, challenged, answered and signed
off (assured with exceptions), and the last quarter compiled and in review.

Built through the same services as the pages, by the demo's own central team and statutory
officers, so every step has its history and obeys the rules.
"""

from django.utils import timezone

from procurement.dates import financial_quarter
from procurement.models import User

from .models import QuarterlyReport, SignOff
from .services import (
    report_challenge,
    report_compile,
    report_respond,
    report_sign_finance,
    report_sign_off,
    report_submit,
)

DEMO_DOMAIN = "northmere.example"


def _person(local: str) -> User:
    return User.objects.get(email=f"{local}@{DEMO_DOMAIN}")


def _quarters_before(year: int, quarter: int, count: int) -> list[tuple[int, int]]:
    found = []
    for _ in range(count):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        found.append((year, quarter))
    return found


def build(options: dict) -> str:
    if QuarterlyReport.objects.exists():
        return "Quarterly assurance: already loaded."
    today = timezone.localdate()
    head, partner = _person("head"), _person("partner")
    hops, cfo = _person("hops"), _person("cfo")
    last, before = _quarters_before(*financial_quarter(today), 2)

    signed = report_compile(financial_year=before[0], quarter=before[1], by=head, today=today)
    signed = report_submit(report=signed, by=head)
    signed = report_challenge(
        report=signed,
        comment="Two key contracts have reviews overdue: when will they be held, and by whom?",
        by=hops,
    )
    signed = report_respond(
        report=signed,
        response="Both reviews are booked for next month with the contract managers; the "
        "central team will confirm the ratings in the next quarter's report.",
        by=partner,
    )
    report_sign_finance(
        report=signed,
        statement="The key contracts' values agree with the ledger, and the savings recorded "
        "agree with the budget monitoring for the quarter.",
        by=cfo,
    )
    report_sign_off(
        report=signed,
        assurance=SignOff.Assurance.WITH_EXCEPTIONS,
        statement="I am assured that commissioned services were delivered to the quality and "
        "standard the council set, with the exceptions listed, each with a remedial plan.",
        by=hops,
    )

    in_review = report_compile(financial_year=last[0], quarter=last[1], by=head, today=today)
    report_submit(report=in_review, by=head)
    return (
        f"Quarterly assurance: {signed.short_label} signed off, {in_review.short_label} in review."
    )
