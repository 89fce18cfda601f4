"""Reads of quarterly assurance: the figures a report freezes when it is compiled (from the
performance app's own selectors, so the report and the performance pages agree), the reports with
their signatures and comments, and the quarters the dashboard shows as assured.

Each runs a fixed number of queries whatever the number of contracts or reports.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from performance.models import PerformanceException, PerformanceReview, Saving
from performance.selectors import (
    PortfolioFilters,
    late_returns_by_contract,
    open_exceptions,
    portfolio,
    portfolio_counts,
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
    rows = portfolio(today=as_at, filters=PortfolioFilters(key_only=True))
    contracts = list(rows)
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
            "review_due": c.review_date.isoformat() if c.review_date else "",
            "review_overdue": bool(c.review_date and c.review_date < as_at),
            "open_exceptions": c.open_exceptions,
            "late_returns": late.get(c.pk, 0),
        }
        for c in contracts
    ]


def _exceptions_raised(start: date, end: date) -> list[dict]:
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
            "status": e.get_status_display(),
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
    """The figures a quarter's report freezes, as at the quarter's last day: the key contracts'
    ratings, exceptions, late KPI returns and overdue reviews, and the financial figures the Chief
    Finance Officer signs (a fixed number of queries; JSON-ready)."""
    start, as_at = quarter_start(financial_year, quarter), quarter_end(financial_year, quarter)
    key = _key_contracts(as_at)
    late = late_returns_by_contract(portfolio_rows(today=as_at).values("pk"), as_at)
    ratings = Counter(row["rating"] for row in key)
    key_value = sum((Decimal(row["whole_life_value"]) for row in key), Decimal("0.00"))
    key_annual = sum((Decimal(row["annual_value"]) for row in key), Decimal("0.00"))
    return {
        "as_at": as_at.isoformat(),
        "portfolio": portfolio_counts(today=as_at),
        "key_contracts": key,
        "key_ratings": {
            rating: ratings[rating] for rating in [*PerformanceReview.Rating.values, NOT_REVIEWED]
        },
        "exceptions_raised": _exceptions_raised(start, as_at),
        "exceptions_open": open_exceptions().filter(opened_on__lte=as_at).count(),
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


def reports_signed() -> QuerySet[QuarterlyReport]:
    return reports_all().filter(status=QuarterlyReport.Status.SIGNED)


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


def quarters_of_year(*, financial_year: int) -> list[AssuredQuarter]:
    """Each of the year's quarters that has a report, first quarter first, with its current
    signatures and the statements a correction superseded (three queries)."""
    reports = reports_all().filter(financial_year=financial_year).order_by("quarter")
    return [assured_quarter(report) for report in reports]


def latest_assured(*, on: date) -> AssuredQuarter | None:
    """The latest quarter signed off whose last day is on or before ``on`` (three queries)."""
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
