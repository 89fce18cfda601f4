"""Every write to contract management: keyword-only, atomic, checked against the rules, and kept in
history with who, when and why."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from contracts.lead_times import add_months
from contracts.models import Contract, Supplier
from procurement.dates import long_date
from procurement.fsm import require_transition
from procurement.history import save_with_history
from procurement.models import PlanTheme, User
from procurement.services import DomainError, require
from procurement.thresholds import HEALTH_CHECK_MONTHS_KEY

from .models import (
    KPI_FIELDS,
    Kpi,
    KpiReturn,
    PerformanceException,
    PerformanceReview,
    Rag,
    ReviewAction,
    Saving,
    SupplierHealthCheck,
    ThemeDelivery,
    financial_year_label,
    financial_year_of,
    works_on,
)
from .selectors import health_check_months, kpi_positions

RISK_ORDER = [Contract.Risk.LOW, Contract.Risk.MEDIUM, Contract.Risk.HIGH]


class PerformanceError(DomainError):
    """A record the rules of contract management refuse, with a message for the person."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _locked_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _validated(instance):
    instance.full_clean()
    return instance


# --- KPIs and their returns -------------------------------------------------------------------


@transaction.atomic
def kpi_create(*, contract: Contract, fields: Mapping[str, Any], by: User, reason: str) -> Kpi:
    require(by, "performance.manage_contract", contract)
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise PerformanceError(f"These are not parts of a KPI: {', '.join(sorted(unknown))}.")
    kpi = Kpi(contract=contract, **fields)
    return save_with_history(_validated(kpi), by=by, reason=reason)


@transaction.atomic
def kpis_adopt(*, contract: Contract, kpis, by: User, reason: str) -> list[Kpi]:
    """Give a newly awarded contract the KPIs its Gateway 2 report proposed. Called by the
    award itself, whose approver the gateway's route authorised."""
    return [
        save_with_history(
            _validated(Kpi(contract=contract, **kpi.definition())), by=by, reason=reason
        )
        for kpi in kpis
    ]


@transaction.atomic
def kpi_update(*, kpi: Kpi, fields: Mapping[str, Any], by: User, reason: str) -> Kpi:
    """Correct a KPI. Returns already recorded keep the rating and target they were given."""
    require(by, "performance.manage_contract", kpi.contract)
    if not reason.strip():
        raise PerformanceError("Say why you are changing the KPI", field="change_reason")
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    if "frequency" in fields and fields["frequency"] != kpi.frequency and kpi.returns.exists():
        raise PerformanceError(
            "Returns have been recorded for this KPI's periods, so its frequency cannot change: "
            "add a new KPI instead",
            field="frequency",
        )
    for name, value in fields.items():
        if name not in KPI_FIELDS:
            raise PerformanceError(f"'{name}' is not a part of a KPI.")
        setattr(kpi, name, value)
    return save_with_history(_validated(kpi), by=by, reason=reason)


@transaction.atomic
def kpi_return_record(
    *,
    kpi: Kpi,
    period_start: date,
    value: Decimal,
    comment: str,
    by: User,
    today: date | None = None,
) -> tuple[KpiReturn, PerformanceException | None]:
    """Record a period's value, rate it, and raise an exception to the accountable officer if it
    is red (or add it to the KPI's exception already open). Returns the return and the exception
    it opened, if any."""
    today = today or timezone.localdate()
    require(by, "performance.manage_contract", kpi.contract)
    kpi = Kpi.objects.select_for_update().select_related("contract").get(pk=kpi.pk)
    periods = dict(kpi.periods(until=today))
    if period_start not in periods:
        raise PerformanceError(
            "Choose a reporting period of this KPI that has ended", field="period"
        )
    if kpi.returns.filter(period_start=period_start).exists():
        raise PerformanceError("A return for this period has already been recorded", field="period")
    rating = kpi.rate(value)
    kpi_return = save_with_history(
        KpiReturn(
            kpi=kpi,
            period_start=period_start,
            period_end=periods[period_start],
            value=value,
            comment=comment.strip(),
            rating=rating,
            target=kpi.target,
            recorded_by=by,
        ),
        by=by,
        reason="KPI return recorded",
    )
    opened = None
    if (
        rating == Rag.RED
        and not kpi.exceptions.exclude(status=PerformanceException.Status.CLOSED).exists()
    ):
        opened = _exception_open(
            contract=kpi.contract,
            kpi=kpi,
            kpi_return=kpi_return,
            reason=(
                f"{kpi.name} was red for {long_date(period_start)} to "
                f"{long_date(kpi_return.period_end)}: "
                f"{_figure(value)} {kpi.unit} against a target of {_figure(kpi.target)} {kpi.unit} "
                f"({kpi.get_direction_display().lower()})."
            ),
            by=by,
            today=today,
        )
    return kpi_return, opened


def _figure(value: Decimal) -> str:
    return f"{value.normalize():,f}"


# --- Performance reviews ----------------------------------------------------------------------


def _check_review(
    contract: Contract,
    *,
    held_on: date,
    rating: str,
    rating_other: str,
    narrative: str,
    next_review_date: date | None,
    today: date,
) -> None:
    """Refuse a review dated in the future or before the contract, without a rating or a
    narrative, or whose next review is not after today and by the contract's end."""
    errors: dict[str, str] = {}
    if held_on > today:
        errors["held_on"] = "The review's date must be today or in the past"
    elif held_on < contract.start_date:
        errors["held_on"] = (
            f"The review's date must be on or after the contract's start, "
            f"{long_date(contract.start_date)}"
        )
    if rating not in PerformanceReview.Rating.values:
        errors["rating"] = "Choose the rating"
    elif rating == PerformanceReview.Rating.OTHER and not rating_other.strip():
        errors["rating_other"] = "Say what the rating is"
    if not narrative.strip():
        errors["narrative"] = "Enter what the review found"
    if next_review_date is not None:
        if next_review_date <= max(held_on, today):
            errors["next_review_date"] = "The next review must be after today"
        elif contract.end_date is not None and next_review_date > contract.end_date:
            errors["next_review_date"] = (
                f"The next review must be by the contract's end, {long_date(contract.end_date)}: "
                "leave it empty if this was the last review"
            )
    if errors:
        raise ValidationError(errors)


def _schedule_next_review(
    contract: Contract, *, review: PerformanceReview, frequency_months: int, by: User
) -> None:
    """The contract's next review, as ``review`` set it, and how often they are held."""
    contract.review_date = review.next_review_date
    contract.review_frequency_months = frequency_months
    save_with_history(
        contract,
        by=by,
        reason=f"Performance review held on {long_date(review.held_on)}: next review scheduled",
    )


def _agree_actions(
    review: PerformanceReview, actions: Sequence[tuple[str, str, date]], *, by: User
) -> None:
    """The actions agreed at ``review``: description, owner and due date each."""
    for description, owner, due_on in actions:
        save_with_history(
            _validated(
                ReviewAction(review=review, description=description, owner=owner, due_on=due_on)
            ),
            by=by,
            reason="Action agreed at a performance review",
        )


def _record_themes(review: PerformanceReview, themes: Mapping[PlanTheme, str], *, by: User) -> None:
    """What ``review`` found delivered against each Council Plan theme (those left blank are
    not recorded); only the current plan's themes."""
    for theme, delivered in themes.items():
        if not delivered.strip():
            continue
        if not PlanTheme.objects.filter(pk=theme.pk, is_active=True).exists():
            raise PerformanceError(
                f"'{theme}' is no longer a theme of the council's plan: record nothing against it.",
                field=f"theme_{theme.pk}",
            )
        save_with_history(
            ThemeDelivery(review=review, theme=theme, delivered=delivered.strip()),
            by=by,
            reason="Delivery against a Council Plan theme recorded at a performance review",
        )


@transaction.atomic
def review_record(
    *,
    contract: Contract,
    held_on: date,
    rating: str,
    narrative: str,
    next_review_date: date | None,
    frequency_months: int,
    by: User,
    rating_other: str = "",
    actions: Sequence[tuple[str, str, date]] = (),
    themes: Mapping[PlanTheme, str] | None = None,
    today: date | None = None,
) -> PerformanceReview:
    """Record a performance review with its actions (description, owner, due date) and what the
    contract delivers against the Council Plan themes, schedule the next one on the contract,
    and raise an exception for a Requires improvement or Inadequate rating."""
    today = today or timezone.localdate()
    require(by, "performance.manage_contract", contract)
    contract = _locked_contract(contract)
    _check_review(
        contract,
        held_on=held_on,
        rating=rating,
        rating_other=rating_other,
        narrative=narrative,
        next_review_date=next_review_date,
        today=today,
    )
    review = save_with_history(
        PerformanceReview(
            contract=contract,
            held_on=held_on,
            rating=rating,
            rating_other=rating_other.strip() if rating == PerformanceReview.Rating.OTHER else "",
            narrative=narrative.strip(),
            kpi_position=[position.as_record() for position in kpi_positions(contract, today)],
            next_review_date=next_review_date,
            recorded_by=by,
        ),
        by=by,
        reason="Performance review recorded",
    )
    _agree_actions(review, actions, by=by)
    _record_themes(review, themes or {}, by=by)
    _schedule_next_review(contract, review=review, frequency_months=frequency_months, by=by)
    if review.is_poor:
        _exception_open(
            contract=contract,
            review=review,
            reason=f"The performance review on {long_date(held_on)} rated the contract "
            f"{review.get_rating_display()}.",
            by=by,
            today=today,
        )
    return review


@transaction.atomic
def action_complete(*, action: ReviewAction, completed_on: date, by: User) -> ReviewAction:
    require(by, "performance.manage_contract", action.review.contract)
    action = ReviewAction.objects.select_for_update().get(pk=action.pk)
    if action.completed_on is not None:
        raise PerformanceError("This action has already been marked as done.")
    if completed_on > timezone.localdate():
        raise PerformanceError("The date it was done must be today or in the past.")
    action.completed_on = completed_on
    return save_with_history(action, by=by, reason="Action done")


# --- Exceptions -------------------------------------------------------------------------------


def _exception_open(
    *,
    contract: Contract,
    reason: str,
    by: User,
    today: date,
    kpi=None,
    kpi_return=None,
    review=None,
) -> PerformanceException:
    return save_with_history(
        PerformanceException(
            contract=contract,
            kpi=kpi,
            kpi_return=kpi_return,
            review=review,
            accountable_officer_id=contract.lead_director_id,
            reason=reason,
            opened_on=today,
        ),
        by=by,
        reason="Exception raised to the accountable officer",
    )


CLOSED = "This exception is closed."


def may_work_on(user: User, exception: PerformanceException) -> bool:
    """Whether ``user`` may record the provider's response or a meeting on ``exception``."""
    return works_on(exception, user)


def _locked_exception(exception: PerformanceException) -> PerformanceException:
    return PerformanceException.objects.select_for_update().get(pk=exception.pk)


@transaction.atomic
def exception_respond(
    *, exception: PerformanceException, provider_explanation: str, remedial_plan: str, by: User
) -> PerformanceException:
    """Record the provider's explanation of the under-performance and its remedial plan."""
    require_transition(by, exception.agree_plan)
    exception = _locked_exception(exception)
    if not can_proceed(exception.agree_plan, check_conditions=False):
        raise PerformanceError(CLOSED)
    errors = {}
    if not provider_explanation.strip():
        errors["provider_explanation"] = "Enter the provider's explanation"
    if not remedial_plan.strip():
        errors["remedial_plan"] = "Enter the remedial plan"
    if errors:
        raise ValidationError(errors)
    exception.provider_explanation = provider_explanation.strip()
    exception.remedial_plan = remedial_plan.strip()
    exception.agree_plan()
    return save_with_history(exception, by=by, reason="Provider's explanation and plan recorded")


@transaction.atomic
def exception_record_meeting(
    *,
    exception: PerformanceException,
    meeting_date: date,
    attendees: str,
    notes: str,
    by: User,
) -> PerformanceException:
    """Record a meeting the provider was asked to attend to account for its performance."""
    if not may_work_on(by, exception):
        raise PermissionDenied
    exception = _locked_exception(exception)
    if not exception.is_open:
        raise PerformanceError(CLOSED)
    errors = {}
    if meeting_date > timezone.localdate():
        errors["meeting_date"] = "The meeting's date must be today or in the past"
    if not attendees.strip():
        errors["attendees"] = "Enter who attended for the provider"
    if errors:
        raise ValidationError(errors)
    exception.meeting_date = meeting_date
    exception.meeting_attendees = attendees.strip()
    exception.meeting_notes = notes.strip()
    return save_with_history(exception, by=by, reason="Provider's attendance recorded")


@transaction.atomic
def exception_close(
    *, exception: PerformanceException, closure_note: str, by: User, today: date | None = None
) -> PerformanceException:
    """Close an exception: for its accountable officer or the central team, once the provider's
    remedial plan is recorded."""
    require_transition(by, exception.close)
    exception = _locked_exception(exception)
    if not can_proceed(exception.close, check_conditions=False):
        raise PerformanceError(CLOSED)
    if not exception.has_plan():
        raise PerformanceError(
            "Record the provider's explanation and remedial plan before closing the exception."
        )
    if not closure_note.strip():
        raise ValidationError({"closure_note": "Say why the exception can be closed"})
    exception.closure_note = closure_note.strip()
    exception.close(by=by, on=today or timezone.localdate())
    return save_with_history(exception, by=by, reason="Exception closed")


# --- Savings and risk -------------------------------------------------------------------------


@transaction.atomic
def saving_record(
    *,
    contract: Contract,
    financial_year: int,
    cashable: Decimal,
    non_cashable: Decimal,
    note: str,
    by: User,
    today: date | None = None,
) -> Saving:
    """Record (or correct) the savings a contract delivered in a financial year."""
    today = today or timezone.localdate()
    require(by, "performance.manage_contract", contract)
    first = financial_year_of(contract.start_date)
    last = financial_year_of(min(contract.end_date or today, today))
    if not first <= financial_year <= last:
        raise PerformanceError(
            f"Choose a financial year of the contract's term up to now: "
            f"{financial_year_label(first)} to {financial_year_label(last)}",
            field="financial_year",
        )
    saving = (
        Saving.objects.select_for_update()
        .filter(contract=contract, financial_year=financial_year)
        .first()
    )
    reason = "Savings corrected" if saving else "Savings recorded"
    saving = saving or Saving(contract=contract, financial_year=financial_year)
    saving.cashable = cashable
    saving.non_cashable = non_cashable
    saving.note = note.strip()
    saving.recorded_by = by
    return save_with_history(_validated(saving), by=by, reason=reason)


@transaction.atomic
def planned_savings_set(*, contract: Contract, amount: Decimal | None, by: User, reason: str):
    require(by, "performance.manage_contract", contract)
    if not reason.strip():
        raise PerformanceError("Say why the planned savings change", field="change_reason")
    if amount is not None and amount < 0:
        raise ValidationError({"planned_savings": "Planned savings cannot be negative"})
    contract = _locked_contract(contract)
    contract.planned_savings = amount
    return save_with_history(contract, by=by, reason=reason)


@transaction.atomic
def risk_assess(
    *,
    contract: Contract,
    financial: str,
    operational: str,
    contractual: str,
    supplier_failure: str,
    review_date: date,
    by: User,
    reason: str,
    today: date | None = None,
) -> Contract:
    """Rate the contract's four risks; the overall rating is the highest of them."""
    today = today or timezone.localdate()
    require(by, "performance.manage_contract", contract)
    parts = {
        "financial_risk": financial,
        "operational_risk": operational,
        "contractual_risk": contractual,
        "supplier_failure_risk": supplier_failure,
    }
    errors = {name: "Choose a rating" for name, value in parts.items() if value not in RISK_ORDER}
    if review_date <= today:
        errors["risk_review_date"] = "The next risk review must be after today"
    if not reason.strip():
        errors["change_reason"] = "Say what the assessment was based on"
    if errors:
        raise ValidationError(errors)
    contract = _locked_contract(contract)
    for name, value in parts.items():
        setattr(contract, name, value)
    contract.risk_rating = max(parts.values(), key=RISK_ORDER.index)
    contract.risk_review_date = review_date
    return save_with_history(contract, by=by, reason=f"Risk assessment: {reason.strip()}")


# --- Supplier health checks (seed 000 §8d) -----------------------------------------------------


@transaction.atomic
def health_check_record(
    *,
    supplier: Supplier,
    checked_on: date,
    source: str,
    rating: str,
    notes: str,
    by: User,
    today: date | None = None,
) -> SupplierHealthCheck:
    """Record a check of a supplier's business health and schedule the next: sooner for a
    strategic supplier or one holding a key contract."""
    today = today or timezone.localdate()
    require(by, "contracts.record_supplier_resilience", supplier)
    errors = {}
    if checked_on > today:
        errors["checked_on"] = "The date of the check must be today or in the past"
    if source not in SupplierHealthCheck.Source.values:
        errors["source"] = "Choose where the check came from"
    if rating not in SupplierHealthCheck.Rating.values:
        errors["rating"] = "Choose a rating"
    if errors:
        raise ValidationError(errors)
    months = health_check_months(supplier, on=today)
    check = SupplierHealthCheck(
        supplier=supplier,
        checked_on=checked_on,
        source=source,
        rating=rating,
        notes=notes.strip(),
        checked_by=by,
        next_due=add_months(checked_on, months),
        next_due_if_key=add_months(checked_on, HEALTH_CHECK_MONTHS_KEY),
    )
    reason = f"Health check: {check.get_rating_display()} from {check.get_source_display().lower()}"
    return save_with_history(_validated(check), by=by, reason=reason)
