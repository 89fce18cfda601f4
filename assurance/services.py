"""Every write of quarterly assurance: compile, submit, challenge, answer, sign and re-open.

Each checks the person (assurance/rules.py) and the report's state (its transitions), locks the
report, and records who, when and why in the report's history.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from procurement.dates import QUARTERS, quarter_end
from procurement.fsm import require_transition
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require

from . import notifications
from .models import QuarterlyReport, ReviewComment, SignOff
from .selectors import quarter_figures


class AssuranceError(DomainError):
    """A step the rules of quarterly assurance refuse, with a message for the person."""


class OwnReportError(AssuranceError):
    """The person compiled or submitted the report they would review or sign."""

    refuses_person = True


OWN_REPORT = (
    "You compiled or submitted this report, so someone else must review and sign it: "
    "the council's assurance cannot come from the person who prepared the figures."
)


def _locked(report: QuarterlyReport) -> QuarterlyReport:
    return (
        QuarterlyReport.objects.select_for_update().prefetch_related("sign_offs").get(pk=report.pk)
    )


def _refuse_own_report(report: QuarterlyReport, by: User) -> None:
    if by.pk in report.prepared_by():
        raise OwnReportError(OWN_REPORT)


def _require_state(transition, message: str) -> None:
    if not can_proceed(transition, check_conditions=False):
        raise AssuranceError(message)


def _comment(report: QuarterlyReport, *, kind: str, text: str, by: User) -> ReviewComment:
    comment = ReviewComment(
        report=report, version=report.version, kind=kind, text=text, written_by=by
    )
    comment.written_at = timezone.now()
    return save_with_history(comment, by=by, reason=comment.get_kind_display())


def _required_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


@transaction.atomic
def report_compile(
    *, financial_year: int, quarter: int, by: User, today: date | None = None
) -> QuarterlyReport:
    """Compile a quarter's performance report once the quarter is over, freezing its figures."""
    require(by, "assurance.compile_report")
    today = today or timezone.localdate()
    if quarter not in QUARTERS:
        raise ValidationError({"quarter": "Choose a quarter from 1 to 4"})
    if quarter_end(financial_year, quarter) >= today:
        raise AssuranceError(
            "A quarter's report is compiled once the quarter is over: choose a quarter that "
            "has ended."
        )
    if QuarterlyReport.objects.filter(financial_year=financial_year, quarter=quarter).exists():
        raise AssuranceError(
            "This quarter's report is compiled already: open it to compile its figures again."
        )
    report = QuarterlyReport(
        financial_year=financial_year,
        quarter=quarter,
        as_at=quarter_end(financial_year, quarter),
        figures=quarter_figures(financial_year=financial_year, quarter=quarter),
        compiled_by=by,
        compiled_at=timezone.now(),
    )
    return save_with_history(report, by=by, reason="Quarterly performance report compiled")


@transaction.atomic
def report_recompile(*, report: QuarterlyReport, by: User) -> QuarterlyReport:
    """Compile the figures again before the report is (re)submitted: the Chief Finance
    Officer's signature on the earlier figures no longer stands."""
    require(by, "assurance.compile_report")
    report = _locked(report)
    if report.status not in (QuarterlyReport.Status.COMPILED, QuarterlyReport.Status.CHALLENGED):
        raise AssuranceError(
            "The figures are compiled again only before the report is submitted, or while a "
            "challenge waits for an answer."
        )
    now = timezone.now()
    for sign_off in report.sign_offs.all():
        if sign_off.version == report.version and sign_off.is_current:
            sign_off.superseded_at = now
            sign_off.superseded_reason = "The figures were compiled again."
            save_with_history(sign_off, by=by, reason="Superseded: figures compiled again")
    report.figures = quarter_figures(financial_year=report.financial_year, quarter=report.quarter)
    report.compiled_by, report.compiled_at = by, now
    return save_with_history(report, by=by, reason="Figures compiled again")


@transaction.atomic
def report_submit(*, report: QuarterlyReport, by: User) -> QuarterlyReport:
    """Submit the compiled report to the Head of Paid Service and the Chief Finance Officer."""
    report = _locked(report)
    require_transition(by, report.submit)
    _require_state(report.submit, "Only a compiled report that is not yet in review is submitted.")
    report.submit(by=by, at=timezone.now())
    report = save_with_history(report, by=by, reason="Submitted for review")
    notifications.notify_submitted(report, by=by)
    return report


@transaction.atomic
def report_challenge(*, report: QuarterlyReport, comment: str, by: User) -> QuarterlyReport:
    """A reviewer challenges the report: it goes back to the central team for an answer."""
    report = _locked(report)
    _refuse_own_report(report, by)
    require_transition(by, report.challenge)
    _require_state(report.challenge, "Only a report in review can be challenged.")
    text = _required_text(comment, "comment", "Enter your challenge")
    comment = _comment(report, kind=ReviewComment.Kind.CHALLENGE, text=text, by=by)
    report.challenge()
    report = save_with_history(report, by=by, reason=f"Challenged: {text}")
    notifications.notify_challenged(report, comment)
    return report


@transaction.atomic
def report_respond(*, report: QuarterlyReport, response: str, by: User) -> QuarterlyReport:
    """The central team answers a challenge and submits the report again."""
    report = _locked(report)
    require_transition(by, report.resubmit)
    _require_state(report.resubmit, "Only a challenged report waits for an answer.")
    text = _required_text(response, "response", "Enter your answer to the challenge")
    _comment(report, kind=ReviewComment.Kind.RESPONSE, text=text, by=by)
    report.resubmit(by=by, at=timezone.now())
    report = save_with_history(report, by=by, reason=f"Challenge answered and resubmitted: {text}")
    notifications.notify_submitted(report, by=by)
    return report


def _sign(report: QuarterlyReport, *, kind: str, statement: str, by: User, assurance: str = ""):
    sign_off = SignOff(
        report=report,
        version=report.version,
        kind=kind,
        assurance=assurance,
        statement=statement,
        figures=report.figures,
        signed_by=by,
        signed_at=timezone.now(),
    )
    return save_with_history(sign_off, by=by, reason=f"Signed: {sign_off.get_kind_display()}")


@transaction.atomic
def report_sign_finance(*, report: QuarterlyReport, statement: str, by: User) -> QuarterlyReport:
    """The Chief Finance Officer signs the report's financial figures, with their advice."""
    report = _locked(report)
    _refuse_own_report(report, by)
    require_transition(by, report.sign_finance)
    _require_state(report.sign_finance, "Only a report in review can be signed.")
    if report.has_finance_sign_off():
        raise AssuranceError("The financial figures of this version are signed already.")
    text = _required_text(statement, "statement", "Enter your advice on the financial figures")
    sign_off = _sign(report, kind=SignOff.Kind.FINANCE, statement=text, by=by)
    report.sign_finance()
    report = save_with_history(report, by=by, reason="Financial figures signed")
    notifications.notify_finance_signed(report, sign_off)
    return report


@transaction.atomic
def report_sign_off(
    *, report: QuarterlyReport, assurance: str, statement: str, by: User
) -> QuarterlyReport:
    """The Head of Paid Service signs the quarter off with a statement of assurance (or
    otherwise), once the Chief Finance Officer has signed the financial figures."""
    report = _locked(report)
    _refuse_own_report(report, by)
    require_transition(by, report.sign_off)
    _require_state(report.sign_off, "Only a report in review can be signed off.")
    if not report.has_finance_sign_off():
        raise AssuranceError(
            "The Chief Finance Officer signs the financial figures first: the quarter is signed "
            "off once they have."
        )
    if assurance not in SignOff.Assurance.values:
        raise ValidationError({"assurance": "Choose the assurance you give"})
    text = _required_text(statement, "statement", "Enter your statement of assurance")
    sign_off = _sign(
        report, kind=SignOff.Kind.ASSURANCE, statement=text, by=by, assurance=assurance
    )
    report.sign_off()
    label = SignOff.Assurance(assurance).label
    report = save_with_history(report, by=by, reason=f"Signed off: {label}")
    notifications.notify_signed(report, sign_off)
    return report


@transaction.atomic
def report_reopen(*, report: QuarterlyReport, reason: str, by: User) -> QuarterlyReport:
    """Re-open a signed quarter to correct it: its signatures are kept, marked superseded, and
    the corrected version is submitted and signed again."""
    report = _locked(report)
    require_transition(by, report.reopen)
    _require_state(report.reopen, "Only a signed quarter can be re-opened.")
    text = _required_text(reason, "reason", "Say why the quarter is re-opened")
    now = timezone.now()
    for sign_off in report.sign_offs.all():
        if sign_off.version == report.version and sign_off.is_current:
            sign_off.superseded_at, sign_off.superseded_reason = now, text
            save_with_history(sign_off, by=by, reason="Superseded: quarter re-opened")
    comment = _comment(report, kind=ReviewComment.Kind.REOPENED, text=text, by=by)
    report.reopen()
    report = save_with_history(report, by=by, reason=f"Re-opened for correction: {text}")
    notifications.notify_reopened(report, comment)
    return report
