"""Every write to a contract's social value: keyword-only, atomic, checked against the rules, and
kept in history with who, when and why. The measure import is in ``importing.py``."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from contracts.lead_times import add_months
from contracts.models import Contract
from contracts.services import attachment_problem
from procurement.dates import long_date
from procurement.fsm import require_transition
from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require

from .models import (
    Commitment,
    CommitmentTerms,
    DeliveryReturn,
    Measure,
    quarter_end,
    quarter_label,
    quarter_start,
)


class SocialValueError(DomainError):
    """A record the rules of social value refuse, with a message for the person."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _validated(instance):
    instance.full_clean()
    return instance


# --- The plan ---------------------------------------------------------------------------------


def _check_terms(contract: Contract, quantity: Decimal | None, target_date: date | None) -> None:
    if quantity is None or quantity <= 0:
        raise SocialValueError("Enter the quantity committed, more than 0.", field="quantity")
    if target_date is None:
        raise SocialValueError("Enter the date it is to be delivered by.", field="target_date")
    if target_date < contract.start_date:
        raise SocialValueError(
            f"The target date must be on or after the contract's start, "
            f"{long_date(contract.start_date)}.",
            field="target_date",
        )


@transaction.atomic
def commitment_add(
    *,
    contract: Contract,
    measure: Measure,
    quantity: Decimal,
    target_date: date,
    note: str = "",
    by: User,
) -> Commitment:
    """Add a line to a contract's social value plan (one not awarded through a Gateway 2 here,
    or a commitment agreed later)."""
    require(by, "socialvalue.manage_contract", contract)
    _check_terms(contract, quantity, target_date)
    if Commitment.objects.filter(contract=contract, measure=measure).exists():
        raise SocialValueError(
            f"The plan already commits to {measure.code}: change that commitment instead.",
            field="measure",
        )
    commitment = Commitment(
        contract=contract,
        measure=measure,
        quantity=quantity,
        target_date=target_date,
        note=note.strip(),
        source=Commitment.Source.ADDED,
        created_by=by,
    )
    try:
        with transaction.atomic():
            return save_with_history(
                _validated(commitment), by=by, reason="Commitment added to the plan"
            )
    except IntegrityError:
        raise SocialValueError(
            f"The plan already commits to {measure.code}.", field="measure"
        ) from None


@transaction.atomic
def commitment_change(
    *, commitment: Commitment, quantity: Decimal, target_date: date, reason: str, by: User
) -> Commitment:
    """Change what a commitment promises, as agreed with the supplier; the history keeps what it
    promised before and why it changed."""
    require(by, "socialvalue.manage_contract", commitment.contract)
    commitment = (
        Commitment.objects.select_for_update().select_related("contract").get(pk=commitment.pk)
    )
    _check_terms(commitment.contract, quantity, target_date)
    if not reason.strip():
        raise SocialValueError("Say why the commitment is changing.", field="reason")
    commitment.quantity, commitment.target_date = quantity, target_date
    return save_with_history(_validated(commitment), by=by, reason=reason.strip())


@transaction.atomic
def commitments_adopt(
    *, contract: Contract, offers: Iterable[CommitmentTerms], by: User, reason: str
) -> list[Commitment]:
    """Make the winning bid's offers the new contract's plan. Called by the award itself, whose
    approver the gateway's route authorised."""
    return [
        save_with_history(
            _validated(
                Commitment(
                    contract=contract,
                    measure_id=offer.measure_id,
                    quantity=offer.quantity,
                    target_date=offer.target_date,
                    source=Commitment.Source.AWARD,
                    created_by=by,
                )
            ),
            by=by,
            reason=reason,
        )
        for offer in offers
    ]


# --- Delivery returns -------------------------------------------------------------------------


def quarters_open(contract: Contract, today: date) -> list[date]:
    """The financial quarters of the contract's term that have begun, newest first (a return
    is recorded only for those that have also ended)."""
    last = quarter_start(min(today, contract.end_date or today))
    quarters = []
    start = quarter_start(contract.start_date)
    while start <= last:
        quarters.append(start)
        start = add_months(start, 3)
    return list(reversed(quarters))


def _store_evidence(delivery_return: DeliveryReturn, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    problem = attachment_problem(upload)
    if problem:
        raise SocialValueError(problem, field="attachment")
    delivery_return.attachment.save(upload.name, upload, save=False)
    delivery_return.attachment_name = upload.name.rsplit("/", 1)[-1][:255]


def _save_return(delivery_return: DeliveryReturn, *, upload, by: User, reason: str):
    """Save a return and any new evidence file; if the record is refused, the file goes too."""
    previous = delivery_return.attachment.name if delivery_return.pk else ""
    _store_evidence(delivery_return, upload)
    try:
        with transaction.atomic():
            return save_with_history(_validated(delivery_return), by=by, reason=reason)
    except Exception:
        if upload is not None and delivery_return.attachment.name != previous:
            delivery_return.attachment.delete(save=False)
        raise


def _check_quarter_ended(period_start: date, today: date) -> None:
    """A return reports a whole quarter, so it is recorded once the quarter has ended."""
    ends = quarter_end(period_start)
    if ends >= today:
        raise SocialValueError(
            f"A return for the quarter ending {long_date(ends)} can be recorded from "
            f"{long_date(ends + timedelta(days=1))}, once the quarter has ended.",
            field="period",
        )


def _check_delivery(quantity: Decimal | None, evidence: str) -> None:
    if quantity is None or quantity < 0:
        raise SocialValueError("Enter the quantity delivered, 0 or more.", field="quantity")
    if not evidence.strip():
        raise SocialValueError(
            "Describe the evidence of what was delivered (for example timesheets, enrolment "
            "records or invoices from local suppliers).",
            field="evidence",
        )


@transaction.atomic
def return_record(
    *,
    commitment: Commitment,
    period_start: date,
    quantity: Decimal,
    evidence: str,
    upload: UploadedFile | None = None,
    by: User,
    today: date | None = None,
) -> DeliveryReturn:
    """Record what a commitment delivered in a quarter, with the supplier's evidence, for the
    contract manager to verify."""
    today = today or timezone.localdate()
    contract = commitment.contract
    require(by, "socialvalue.manage_contract", contract)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if period_start not in quarters_open(contract, today):
        raise SocialValueError(
            "Choose a quarter of the contract's term that has begun.", field="period"
        )
    _check_quarter_ended(period_start, today)
    _check_delivery(quantity, evidence)
    if commitment.returns.filter(period_start=period_start).exists():
        raise SocialValueError(
            f"A return for {quarter_label(period_start)} is already recorded: correct that one "
            "if it was queried.",
            field="period",
        )
    delivery_return = DeliveryReturn(
        commitment=commitment,
        period_start=period_start,
        period_end=quarter_end(period_start),
        quantity=quantity,
        evidence=evidence.strip(),
        recorded_by=by,
    )
    return _save_return(delivery_return, upload=upload, by=by, reason="Return recorded")


def _locked_return(delivery_return: DeliveryReturn) -> DeliveryReturn:
    return (
        DeliveryReturn.objects.select_for_update()
        .select_related("commitment__contract")
        .get(pk=delivery_return.pk)
    )


@transaction.atomic
def return_verify(*, delivery_return: DeliveryReturn, by: User) -> DeliveryReturn:
    """The contract manager confirms the evidence supports the quantity: it now counts."""
    delivery_return = _locked_return(delivery_return)
    _require_checker(delivery_return, by)
    require_transition(by, delivery_return.verify)
    if not can_proceed(delivery_return.verify, check_conditions=False):
        raise SocialValueError(f"This return is {delivery_return.get_status_display().lower()}.")
    delivery_return.verify(by=by)
    return save_with_history(delivery_return, by=by, reason="Verified")


@transaction.atomic
def return_query(*, delivery_return: DeliveryReturn, query: str, by: User) -> DeliveryReturn:
    """The contract manager questions a return; it does not count until it is corrected and
    verified."""
    delivery_return = _locked_return(delivery_return)
    _require_checker(delivery_return, by)
    require_transition(by, delivery_return.question)
    if not can_proceed(delivery_return.question, check_conditions=False):
        raise SocialValueError(f"This return is {delivery_return.get_status_display().lower()}.")
    if not query.strip():
        raise SocialValueError("Say what is wrong or missing.", field="query")
    delivery_return.query = query.strip()
    delivery_return.question(by=by)
    return save_with_history(delivery_return, by=by, reason=f"Queried: {query.strip()}")


def _require_checker(delivery_return: DeliveryReturn, by: User) -> None:
    """Those who recorded a return are told that someone else must check it."""
    if delivery_return.recorded_by_id == by.pk:
        raise SocialValueError(
            "You recorded this return, so someone else (the contract manager or the central "
            "team) must check it."
        )


@transaction.atomic
def return_correct(
    *,
    delivery_return: DeliveryReturn,
    quantity: Decimal,
    evidence: str,
    upload: UploadedFile | None = None,
    by: User,
) -> DeliveryReturn:
    """Answer a query: correct the quantity or the evidence, and send it back to be checked."""
    delivery_return = _locked_return(delivery_return)
    require_transition(by, delivery_return.correct)
    if not can_proceed(delivery_return.correct, check_conditions=False):
        raise SocialValueError("Only a queried return can be corrected.")
    _check_delivery(quantity, evidence)
    delivery_return.quantity = quantity
    delivery_return.evidence = evidence.strip()
    delivery_return.correct(by=by)
    return _save_return(delivery_return, upload=upload, by=by, reason="Corrected after a query")
