"""A gateway report in its author's hands: starting it, completing it, attaching documents,
proposing KPIs, submitting it and withdrawing it. Only its author changes it, and only while it is
a draft or returned (``gateways.rules.may_edit_report``); the author withdraws it until it is
decided (``may_withdraw_report``)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from contracts.services import attachment_problem, attachment_store
from gateways import notifications
from gateways.models import GatewayReview, ProcurementProject, ProposedKpi, ReportAttachment
from gateways.progress import OPEN_STATES, current_step
from gateways.routing import policy_on
from gateways.rules import (
    is_author,
    is_direct_award,
    is_editable,
    is_withdrawable,
    may_edit_report,
    may_withdraw_report,
)
from gateways.stages import EXTENSION_TEST_WORDS, REPORT_FIELDS
from performance.selectors import performance_summary
from procurement.history import save_with_history
from procurement.models import GatewayStage, User
from procurement.services import require

from .common import GatewayError, locked, require_rule, save_review
from .evaluation import recommendation_check
from .routing import route_on_submission
from .themes import themes_check
from .weighting import weighting_check, weighting_start

ROLLING_NOT_EXTENDED = (
    "This is a rolling contract with no end date: an extension option has no end to move."
)
NOT_AUTHOR_CHANGES = "Only the report's author can change it."
CHANGED_ONLY_WHILE_EDITABLE = "The report can be changed only while it is a draft or returned."


def locked_for_change(review: GatewayReview, by: User) -> GatewayReview:
    """The report, locked, where ``by`` may change it: its author, while a draft or returned."""
    review = locked(review)
    require_rule(
        may_edit_report,
        by,
        review,
        (is_author, NOT_AUTHOR_CHANGES),
        (is_editable, CHANGED_ONLY_WHILE_EDITABLE),
    )
    return review


def _unknown_fields(fields: Mapping[str, Any]) -> None:
    """Refuse any field that is not a part of a gateway report."""
    unknown = set(fields) - REPORT_FIELDS
    if unknown:
        raise GatewayError(
            f"These are not parts of a gateway report: {', '.join(sorted(unknown))}."
        )


@transaction.atomic
def review_create(
    *,
    author: User,
    stage: str,
    summary: str,
    project: ProcurementProject | None = None,
    contract=None,
    is_extension: bool = False,
    report: Mapping[str, Any] | None = None,
) -> GatewayReview:
    """Start a gateway report, as a draft. ``report`` holds the stage's own fields (for a
    Gateway 3 extension, the four tests' evidence or an exception)."""
    _unknown_fields(report or {})
    if project is None and contract is None:
        raise GatewayError("A gateway report is about a procurement project or a contract.")
    if is_extension and contract is not None and contract.is_rolling:
        raise GatewayError(ROLLING_NOT_EXTENDED)
    if project is not None:
        require(author, "gateways.change_project", project)
    else:
        require(author, "contracts.change_contract", contract)
    open_reports = GatewayReview.objects.filter(
        project=project, contract=contract, stage=stage, state__in=OPEN_STATES
    )
    if open_reports.exists():
        raise GatewayError(
            f"A {GatewayStage(stage).label} report is already open for this; continue that one."
        )
    report = dict(report or {})
    if stage == GatewayStage.G3 and contract is not None and not report.get("performance_evidence"):
        # Gateway 3 starts from the contract's own performance record.
        report["performance_evidence"] = performance_summary(
            contract, timezone.localdate()
        ).as_text()
    review = GatewayReview(
        author=author,
        stage=stage,
        summary=summary,
        project=project,
        contract=contract,
        is_extension=is_extension,
        **report,
    )
    save_with_history(review, by=author, reason="Report started")
    if stage == GatewayStage.G1 and project is not None:
        weighting_start(review, by=author)
    return review


@transaction.atomic
def review_submit(*, review: GatewayReview, by: User, today: date | None = None) -> GatewayReview:
    """Submit (or resubmit) a report. The first submission fixes its route for good."""
    review = locked(review)
    today = today or timezone.localdate()
    require_rule(
        may_edit_report,
        by,
        review,
        (is_author, "Only the report's author can submit it."),
        (
            is_editable,
            f"This report cannot be submitted: it is {review.get_state_display().lower()}.",
        ),
    )
    _check_submission(review, today=today)
    route_on_submission(review, by=by, today=today)
    review.round += 1
    review.submitted_at = timezone.now()
    review.decided_at = None
    review.submit()
    reason = "Submitted" if review.round == 1 else f"Resubmitted (round {review.round})"
    review = save_review(review, by=by, reason=reason)
    notifications.notify_step(review, current_step(review))
    return review


def _check_submission(review: GatewayReview, *, today: date) -> None:
    """Everything a report must hold before it goes to its approvers."""
    if review.is_extension and review.contract:
        _check_extension_options(review)
    missing = review.report_missing()
    if missing:
        raise GatewayError(f"Complete the report before submitting it: {'; '.join(missing)}.")
    if is_direct_award(review) and not review.exception_justification.strip():
        raise GatewayError(
            f"The route is {review.procurement_route_label.lower()}, without competition: "
            "record the exception and its justification for the approver."
        )
    if review.stage == GatewayStage.G1 and review.project_id:
        weighting_check(review)
    themes_check(review)
    if review.stage == GatewayStage.G2 and review.project_id:
        recommendation_check(review)
        kpis_check(review)
    if review.stage == GatewayStage.G3 and review.is_extension:
        _check_extension_tests(review)
    if review.stage == GatewayStage.G2 and review.project_id:
        _check_award_variance(review, today=today)


def _check_extension_options(review: GatewayReview) -> None:
    """An extension needs a fixed end to move and an extension option left to use."""
    if review.contract.is_rolling:
        raise GatewayError(ROLLING_NOT_EXTENDED)
    if review.contract.extensions_remaining <= 0:
        raise GatewayError("This contract has no extension options left to extend it by.")


def _check_extension_tests(review: GatewayReview) -> None:
    """Gateway 3 shows the evidence for each test of "retender rather than extend", the
    contract's own record among it, or records an exception for the approver."""
    missing = review.extension_tests_missing()
    performance = performance_summary(review.contract, timezone.localdate())
    if not performance.is_satisfactory:
        label = EXTENSION_TEST_WORDS["performance_evidence"]
        missing = [test for test in missing if test != label]
        missing.append(f"{label} (the contract's record shows: {performance.as_text()})")
    if missing and not review.exception_justification.strip():
        raise GatewayError(
            "Show the evidence for every extension test, or record an exception with its "
            f"justification for the approver. Missing: {'; '.join(missing).lower()}."
        )


def _check_award_variance(review: GatewayReview, *, today: date) -> None:
    """An award more than the policy's tolerance above the estimate approved at Gateway 1 needs
    an explanation, which the approvers see beside the report."""
    excess = review.award_excess(policy=review.policy or policy_on(today))
    if excess and not review.award_variance_explanation.strip():
        raise GatewayError(f"The award is {excess}: explain why, for the approvers to see.")


def kpis_check(review: GatewayReview) -> None:
    """A Gateway 2 award over the KPI threshold proposes its KPIs, or says why none apply."""
    problem = review.kpis_missing(review.proposed_kpis.count())
    if problem:
        raise GatewayError(f"{problem}.")


@transaction.atomic
def review_update_report(
    *, review: GatewayReview, fields: Mapping[str, Any], by: User
) -> GatewayReview:
    """The author completes or corrects the report while it is a draft or returned."""
    review = locked_for_change(review, by)
    _unknown_fields(fields)
    for name, value in fields.items():
        setattr(review, name, value)
    return save_review(review, by=by, reason="Report updated")


@transaction.atomic
def review_withdraw(*, review: GatewayReview, by: User, reason: str) -> GatewayReview:
    """The author withdraws the report; it stays on record."""
    review = locked(review)
    if not is_author(by, review):
        raise GatewayError("Only the report's author can withdraw it.")
    if not reason.strip():
        raise GatewayError("Say why the report is withdrawn.")
    require_rule(
        may_withdraw_report,
        by,
        review,
        (
            is_withdrawable,
            f"This report cannot be withdrawn: it is {review.get_state_display().lower()}.",
        ),
    )
    review.withdraw()
    review.decided_at = timezone.now()
    return save_review(review, by=by, reason=f"Withdrawn: {reason}")


@transaction.atomic
def review_attach(*, review: GatewayReview, upload, by: User) -> ReportAttachment:
    """The author attaches a document to the report while it is a draft or returned."""
    review = locked(review)
    require_rule(
        may_edit_report,
        by,
        review,
        (is_author, "Only the report's author can attach documents to it."),
        (is_editable, "Documents can be attached only while the report is a draft or returned."),
    )
    problem = attachment_problem(upload)
    if problem:
        raise GatewayError(problem)
    return attachment_store(
        attachment=ReportAttachment(review=review),
        upload=upload,
        by=by,
        reason="Document attached to the report",
    )


# --- KPIs proposed for the contract at Gateway 2 ----------------------------------------------


def _kpis_editable(review: GatewayReview, by: User) -> GatewayReview:
    """The report, locked, where ``by`` may change the KPIs it proposes."""
    review = locked_for_change(review, by)
    if review.stage != GatewayStage.G2:
        raise GatewayError("KPIs are proposed in a Gateway 2 report.")
    return review


@transaction.atomic
def proposed_kpi_add(*, review: GatewayReview, fields: Mapping[str, Any], by: User) -> ProposedKpi:
    """The author proposes a KPI for the contract the Gateway 2 report would award."""
    review = _kpis_editable(review, by)
    kpi = ProposedKpi(review=review, **fields)
    kpi.full_clean()
    return save_with_history(kpi, by=by, reason="KPI proposed for the contract")


@transaction.atomic
def proposed_kpi_remove(*, kpi: ProposedKpi, by: User) -> None:
    """The author drops a KPI the report proposed."""
    _kpis_editable(kpi.review, by)
    kpi._history_user = by
    kpi._change_reason = "KPI no longer proposed"
    kpi.delete()
