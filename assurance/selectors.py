"""Reads of quarterly assurance: the figures a report freezes when it is compiled (from the
performance app's own selectors, so the report and the performance pages agree), the reports with
their signatures and comments, and the quarters the dashboard shows as assured.

Each runs a fixed number of queries whatever the number of contracts or reports.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from performance.models import PerformanceException, PerformanceReview, Saving
from performance.selectors import (
    PortfolioFilters,
    exceptions_open_on,
    late_returns_by_contract,
    portfolio_as_at,
    portfolio_counts_as_at,
    portfolio_rows,
)
from procurement.dates import quarter_end, quarter_start

from .models import QuarterlyReport, ReviewComment, SignOff

NOT_REVIEWED = "none"


def _rating_label(rating: str | None, other: str | None) -> str:
    if not rating:
        return "Not yet reviewed"
    if rating == PerformanceReview.Rating.OTHER:
        return f"Other: {other}"
    return PerformanceReview.Rating(rating).label


def _key_contracts(as_at: date) -> list[dict]:
    contracts = list(portfolio_as_at(on=as_at, filters=PortfolioFilters(key_only=True)))
    late = late_returns_by_contract([c.pk for c in contracts], as_at)
    return [
        {
            "reference": c.reference,
            "title": c.title,
            "supplier": c.supplier.name,
            "directorate": c.directorate.name,
            "whole_life_value": str(c.whole_life_value or Decimal("0.00")),
            "annual_value": str(c.annual_value or Decimal("0.00")),
            "rating": c.latest_rating or NOT_REVIEWED,
            "rating_label": _rating_label(c.latest_rating, c.latest_rating_other),
            "latest_review_on": c.latest_review_on.isoformat() if c.latest_review_on else "",
            "review_due": c.review_due.isoformat() if c.review_due else "",
            "review_overdue": bool(c.review_due and c.review_due < as_at),
            "open_exceptions": c.open_exceptions,
            "late_returns": late.get(c.pk, 0),
        }
        for c in contracts
    ]


def _exceptions_raised(start: date, end: date) -> list[dict]:
    """The exceptions raised in the quarter, each with its status at the quarter's end."""
    open_at_end = set(exceptions_open_on(on=end).values_list("pk", flat=True))
    raised = (
        PerformanceException.objects.filter(opened_on__range=(start, end))
        .select_related("contract", "accountable_officer")
        .order_by("opened_on", "pk")
    )
    return [
        {
            "reference": e.contract.reference,
            "title": e.contract.title,
            "opened_on": e.opened_on.isoformat(),
            "reason": e.reason,
            "accountable_officer": str(e.accountable_officer or ""),
            "status": (
                "Open at the quarter's end" if e.pk in open_at_end else "Closed in the quarter"
            ),
        }
        for e in raised
    ]


def _savings(financial_year: int) -> dict:
    totals = Saving.objects.filter(financial_year=financial_year).aggregate(
        cashable=Sum("cashable"), non_cashable=Sum("non_cashable")
    )
    cashable = totals["cashable"] or Decimal("0.00")
    non_cashable = totals["non_cashable"] or Decimal("0.00")
    return {
        "cashable": str(cashable),
        "non_cashable": str(non_cashable),
        "total": str(cashable + non_cashable),
    }


def quarter_figures(*, financial_year: int, quarter: int) -> dict:
    """The figures a quarter's report freezes, as they stood at the end of the quarter's last day
    however late it is compiled: the key contracts' ratings, exceptions, late KPI returns and
    overdue reviews, and the financial figures the Chief Finance Officer signs (a fixed number of
    queries; JSON-ready)."""
    start, as_at = quarter_start(financial_year, quarter), quarter_end(financial_year, quarter)
    key = _key_contracts(as_at)
    late = late_returns_by_contract(portfolio_rows(today=as_at).values("pk"), as_at)
    ratings = Counter(row["rating"] for row in key)
    key_value = sum((Decimal(row["whole_life_value"]) for row in key), Decimal("0.00"))
    key_annual = sum((Decimal(row["annual_value"]) for row in key), Decimal("0.00"))
    return {
        "as_at": as_at.isoformat(),
        "portfolio": portfolio_counts_as_at(on=as_at),
        "key_contracts": key,
        "key_ratings": {
            rating: ratings[rating] for rating in [*PerformanceReview.Rating.values, NOT_REVIEWED]
        },
        "exceptions_raised": _exceptions_raised(start, as_at),
        "exceptions_open": exceptions_open_on(on=as_at)
        .filter(contract__in=portfolio_rows(today=as_at))
        .count(),
        "late_returns": {
            "returns": sum(late.values()),
            "contracts": sum(1 for count in late.values() if count),
        },
        "financial": {
            "key_contracts_value": str(key_value),
            "key_contracts_annual_value": str(key_annual),
            "savings": _savings(financial_year),
        },
    }


def _with_signatures(reports: QuerySet[QuarterlyReport]) -> QuerySet[QuarterlyReport]:
    return reports.select_related("compiled_by", "submitted_by").prefetch_related(
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("signed_by")),
        Prefetch("comments", queryset=ReviewComment.objects.select_related("written_by")),
    )


def reports_all() -> QuerySet[QuarterlyReport]:
    """Every quarter's report, newest quarter first, with its signatures (three queries)."""
    return _with_signatures(QuarterlyReport.objects.all())


def quarters_compiled() -> frozenset[tuple[int, int]]:
    """(financial year, quarter) of every quarter compiled already (one query)."""
    return frozenset(QuarterlyReport.objects.values_list("financial_year", "quarter"))


def reports_signed() -> QuerySet[QuarterlyReport]:
    """The quarters signed off, and those signed off once and re-opened to be corrected."""
    return reports_all().filter(Q(status=QuarterlyReport.Status.SIGNED) | Q(version__gt=1))


def report_history(report: QuarterlyReport) -> list:
    """The report's history, newest first: who moved it on, when, why and to what status (one
    query). The figures each record kept are not listed: the signatures keep what was signed."""
    return list(report.history.select_related("history_user").order_by("-history_date", "-pk"))


@dataclass(frozen=True)
class AssuredQuarter:
    """A quarter as the members' dashboard shows it: assured or not yet, by whom, and whether
    the signed statement corrects an earlier one."""

    report: QuarterlyReport
    assurance: SignOff | None
    finance: SignOff | None
    superseded: list[SignOff]

    @property
    def is_correction(self) -> bool:
        return self.report.is_signed and self.report.version > 1

    @property
    def withdrawn(self) -> SignOff | None:
        """While a signed quarter is re-opened and not yet signed again: the statement it had,
        superseded (members see that the quarter is being corrected, not that it never was)."""
        if self.report.is_signed or not self.superseded:
            return None
        return self.superseded[-1]


def quarters_of_year(*, financial_year: int) -> list[AssuredQuarter]:
    """Each of the year's quarters that has a report, first quarter first, with its current
    signatures and the statements a correction superseded (three queries)."""
    reports = reports_all().filter(financial_year=financial_year).order_by("quarter")
    return [assured_quarter(report) for report in reports]


def latest_assured(*, on: date) -> AssuredQuarter | None:
    """The latest quarter signed off (or signed off and re-opened to be corrected) whose last
    day is on or before ``on`` (three queries)."""
    for report in reports_signed():
        if report.end <= on:
            return assured_quarter(report)
    return None


def assured_quarter(report: QuarterlyReport) -> AssuredQuarter:
    """``report`` as the dashboard shows it (reads its prefetched signatures)."""
    return AssuredQuarter(
        report=report,
        assurance=report.current_sign_off(SignOff.Kind.ASSURANCE),
        finance=report.current_sign_off(SignOff.Kind.FINANCE),
        superseded=[
            s
            for s in report.sign_offs.all()
            if not s.is_current and s.kind == SignOff.Kind.ASSURANCE
        ],
    )


def steps_for(user, report: QuarterlyReport) -> dict[str, bool]:
    """Which steps ``user`` may take on ``report`` now: what its page offers them and what
    their home page counts."""
    status = QuarterlyReport.Status
    compiles = user.has_perm("assurance.compile_report")
    return {
        "recompile": compiles and report.status in (status.COMPILED, status.CHALLENGED),
        "submit": report.status == status.COMPILED
        and user.has_perm("assurance.submit_report", report),
        "respond": report.status == status.CHALLENGED
        and user.has_perm("assurance.submit_report", report),
        "challenge": report.status == status.IN_REVIEW
        and user.has_perm("assurance.challenge_report", report),
        "sign_finance": report.status == status.IN_REVIEW
        and not report.has_finance_sign_off()
        and user.has_perm("assurance.sign_finance", report),
        "sign_off": report.status == status.IN_REVIEW
        and report.has_finance_sign_off()
        and user.has_perm("assurance.sign_off_report", report),
        "reopen": report.is_signed and user.has_perm("assurance.reopen_report", report),
    }


# The steps that wait for someone: each counts on their home page.
WAITING_STEPS = ("submit", "respond", "challenge", "sign_finance", "sign_off")


def reports_waiting_for(user) -> list[QuarterlyReport]:
    """The reports not yet signed off on which ``user`` has a step to take now (one query for
    the open reports, a handful a year, and one for each one's preparers)."""
    open_reports = reports_all().exclude(status=QuarterlyReport.Status.SIGNED)
    return [
        report
        for report in open_reports
        if any(steps_for(user, report)[step] for step in WAITING_STEPS)
    ]
