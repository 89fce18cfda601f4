"""Pages of quarterly assurance: the reports, one report with its frozen figures, signatures,
comments and history, and one page for each step (Cotswold §4)."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from procurement.access import requires
from procurement.pages import button_post, form_page, object_for

from .forms import ChallengeForm, CompileForm, FinanceForm, ReopenForm, ResponseForm, SignOffForm
from .models import QuarterlyReport, SignOff
from .selectors import (
    quarters_compiled,
    report_history,
    reports_all,
    reports_waiting_for,
    steps_for,
)
from .services import (
    AssuranceError,
    report_challenge,
    report_compile,
    report_recompile,
    report_reopen,
    report_respond,
    report_sign_finance,
    report_sign_off,
    report_submit,
)


def _report(request: HttpRequest, pk: int, *checks: str) -> QuarterlyReport:
    return object_for(request, reports_all(), pk, "assurance.view_report", *checks)


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def shown_figures(figures: dict) -> dict:
    """The frozen figures with their dates as dates, for the templates."""
    if not figures:
        return {}
    key = [
        {
            **row,
            "latest_review_on": _day(row["latest_review_on"]),
            "review_due": _day(row["review_due"]),
        }
        for row in figures["key_contracts"]
    ]
    raised = [{**row, "opened_on": _day(row["opened_on"])} for row in figures["exceptions_raised"]]
    return {
        **figures,
        "as_at": _day(figures["as_at"]),
        "key_contracts": key,
        "exceptions_raised": raised,
        "overdue_key": sum(1 for row in key if row["review_overdue"]),
    }


@requires("assurance.view_reports")
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    # ?waiting: only the reports waiting for the person's step, as their home page counts them.
    waiting = "waiting" in request.GET
    return render(
        request,
        "assurance/list.html",
        {
            "reports": reports_waiting_for(request.user) if waiting else reports_all(),
            "waiting": waiting,
            "can_compile": request.user.has_perm("assurance.compile_report"),
        },
    )


@requires("assurance.compile_report")
@require_http_methods(["GET", "POST"])
def report_compile_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CompileForm(
        request.POST if request.method == "POST" else None,
        today=today,
        compiled=quarters_compiled(),
    )
    return form_page(
        request,
        form,
        action=lambda data: report_compile(by=request.user, today=today, **data),
        refusals=(AssuranceError,),
        done="The quarter's report has been compiled: its figures are frozen as they stand",
        next_url=lambda report: report.get_absolute_url(),
        template="assurance/form.html",
        context={
            "heading": "Compile a quarter's performance report",
            "button": "Compile the report",
            "back_url": reverse("assurance:list"),
        },
    )


@requires("procurement.use_service")
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    sign_offs = list(report.sign_offs.all())
    return render(
        request,
        "assurance/detail.html",
        {
            "report": report,
            "figures": shown_figures(report.figures),
            "current": [s for s in sign_offs if s.is_current and s.version == report.version],
            "superseded": [s for s in sign_offs if not s.is_current],
            "comments": list(report.comments.all()),
            "history": report_history(report),
            "actions": steps_for(request.user, report),
            "finance_waiting": report.status == QuarterlyReport.Status.IN_REVIEW
            and not report.has_finance_sign_off(),
        },
    )


def _button(request: HttpRequest, pk: int, check: str, action, done: str) -> HttpResponse:
    report = _report(request, pk, check)
    return button_post(
        request,
        action=lambda: action(report=report, by=request.user),
        refusals=(AssuranceError,),
        done=done,
        next_url=report.get_absolute_url(),
    )


@requires("assurance.compile_report")
@require_POST
def report_recompile_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(
        request,
        pk,
        "assurance.compile_report",
        report_recompile,
        "The figures have been compiled again as they now stand",
    )


@requires("procurement.use_service")
@require_POST
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(
        request,
        pk,
        "assurance.submit_report",
        report_submit,
        "The report has been submitted to the Head of Paid Service and the Chief Finance Officer",
    )


# step: (permission on the report, form, service, its text field, heading, button, done)
STEPS = {
    "challenge": (
        "assurance.challenge_report",
        ChallengeForm,
        report_challenge,
        "Challenge the report",
        "Send the challenge",
        "Your challenge has been sent to the central team",
    ),
    "respond": (
        "assurance.submit_report",
        ResponseForm,
        report_respond,
        "Answer the challenge and submit again",
        "Submit the report again",
        "Your answer has been recorded and the report submitted again",
    ),
    "sign_finance": (
        "assurance.sign_finance",
        FinanceForm,
        report_sign_finance,
        "Sign the financial figures",
        "Sign the financial figures",
        "The financial figures have been signed",
    ),
    "sign_off": (
        "assurance.sign_off_report",
        SignOffForm,
        report_sign_off,
        "Sign off the quarter",
        "Sign off the quarter",
        "The quarter has been signed off",
    ),
    "reopen": (
        "assurance.reopen_report",
        ReopenForm,
        report_reopen,
        "Re-open the quarter for correction",
        "Re-open the quarter",
        "The quarter has been re-opened: correct it and submit it again",
    ),
}


@requires("procurement.use_service")
@require_http_methods(["GET", "POST"])
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    permission, form_class, service, heading, button, done = STEPS[step]
    report = _report(request, pk, permission)
    if not steps_for(request.user, report)[step]:
        # Allowed to take the step, but not now: say why before anything is typed.
        messages.info(request, _not_now(report, step))
        return redirect(report)
    form = form_class(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        action=lambda data: service(report=report, by=request.user, **data),
        refusals=(AssuranceError,),
        done=done,
        next_url=report.get_absolute_url(),
        template="assurance/form.html",
        context={
            "report": report,
            "heading": heading,
            "button": button,
            "back_url": report.get_absolute_url(),
            "finance": report.current_sign_off(SignOff.Kind.FINANCE),
            "comments": [c for c in report.comments.all() if c.version == report.version],
            "figures": shown_figures(report.figures) if step.startswith("sign") else None,
        },
    )


def _not_now(report: QuarterlyReport, step: str) -> str:
    status = QuarterlyReport.Status
    if step == "sign_off" and report.status == status.IN_REVIEW:
        return (
            "The Chief Finance Officer signs the financial figures first: the quarter can be "
            "signed off once they have."
        )
    if step == "sign_finance" and report.has_finance_sign_off():
        return "The financial figures of this version are signed already."
    return f"This step is not open while the report is {report.get_status_display().lower()}."
