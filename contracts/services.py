"""Every write to the register: atomic, permission-checked and kept in history."""

import copy
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from procurement.dates import long_date
from procurement.history import save_with_history
from procurement.models import GatewayStage, User
from procurement.services import DomainError, require
from procurement.thresholds import NAMED_OFFICERS_ABOVE, PLAN_REVIEW_MONTHS, pounds
from training.selectors import Gate, contract_manager_refusal, manager_gate

from .lead_times import add_months
from .models import Contract, ContractAttachment, ContractEvent, ResiliencePlan, Supplier
from .selectors import extension_gateway_threshold, suppliers_matching


class ContractError(DomainError):
    """A change to the register that its rules refuse, with a message for the person."""

    def __init__(self, message: str, *, field: str | None = None, existing=None) -> None:
        super().__init__(message)
        self.field = field
        self.existing = existing


def _validated(instance, *, exclude: list[str] | None = None):
    """Run the model's validation, turning its errors into one ``ValidationError``."""
    instance.full_clean(exclude=exclude, validate_unique=True)
    return instance


# --- Suppliers --------------------------------------------------------------------------------


def _refuse_duplicate_supplier(supplier: Supplier) -> None:
    duplicates = suppliers_matching(
        companies_house_number=supplier.companies_house_number,
        charity_number=supplier.charity_number,
    ).exclude(pk=supplier.pk)
    existing = duplicates.first()
    if existing is not None:
        number = (
            "Companies House number"
            if existing.companies_house_number
            and existing.companies_house_number == supplier.companies_house_number.strip().upper()
            else "charity number"
        )
        raise ContractError(
            f"{existing.name} is already registered with this {number}",
            field="companies_house_number" if number.startswith("Companies") else "charity_number",
            existing=existing,
        )


@transaction.atomic
def supplier_create(*, fields: Mapping[str, Any], by: User, reason: str) -> Supplier:
    """Register a supplier; a second supplier with the same registration number is refused."""
    require(by, "contracts.manage_suppliers")
    supplier = Supplier(**fields)
    _refuse_duplicate_supplier(supplier)
    return save_with_history(_validated(supplier), by=by, reason=reason)


@transaction.atomic
def supplier_update(
    *, supplier: Supplier, fields: Mapping[str, Any], by: User, reason: str
) -> Supplier:
    require(by, "contracts.manage_suppliers")
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    for name, value in fields.items():
        setattr(supplier, name, value)
    _refuse_duplicate_supplier(supplier)
    return save_with_history(_validated(supplier), by=by, reason=reason)


# --- Contracts --------------------------------------------------------------------------------

# Fields that change only through events (variation, extension, termination), never by editing.
EVENT_FIELDS = {
    "extensions_used",
    "terminated_on",
    "termination_reason",
    "ending_confirmed_for",
    "ending_reason",
}


# Set only by the approval that orders the change, never entered.
APPROVAL_FIELDS = {"gateway_report"}


class AwardedProject(Protocol):
    """What the register reads of the project a Gateway 2 report awards."""

    @property
    def reference(self) -> str: ...

    @property
    def directorate_id(self) -> int: ...


class GatewayApproval(Protocol):
    """What the register reads of the gateway report that orders a change to it. The register
    may not depend on the gateways, so it names what it reads instead of importing the model."""

    @property
    def pk(self) -> int: ...

    @property
    def stage(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def is_extension(self) -> bool: ...

    @property
    def project_id(self) -> int | None: ...

    @property
    def contract_id(self) -> int | None: ...

    # Gateway 2: the award.
    @property
    def project(self) -> AwardedProject | None: ...

    @property
    def recommended_supplier_id(self) -> int | None: ...

    @property
    def award_value(self) -> Decimal | None: ...

    @property
    def contract_start(self) -> date | None: ...

    @property
    def contract_end(self) -> date | None: ...


def _approval_as_stored(approval: GatewayApproval, *, stage: str) -> GatewayApproval:
    """The approved report of ``stage`` as the database holds it, under a row lock: what the
    caller's copy says of its state or stage is not trusted. Anything else is refused."""
    number = getattr(approval, "pk", None)
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError("gateway_approval must be the approved gateway report itself")
    stored = type(approval)._default_manager.select_for_update().filter(pk=number).first()
    if stored is None:
        raise ContractError(f"There is no gateway report {number}")
    label = GatewayStage(stage).label.split(":")[0]
    if stored.stage != stage:
        raise ContractError(f"Gateway report {number} is not a {label} report")
    if stored.state != "approved":
        raise ContractError(f"Gateway report {number} has not been approved")
    return stored


def _refuse_unless_the_award(contract: Contract, approval: GatewayApproval) -> None:
    """The contract an approved Gateway 2 report orders is the award it approved, and no other."""
    approval = _approval_as_stored(approval, stage=GatewayStage.G2)
    number = approval.pk
    project = approval.project if approval.project_id else None
    if project is None:
        raise ContractError(f"Gateway report {number} is not for a procurement project")
    award = {
        "reference": (contract.reference, project.reference),
        "directorate": (contract.directorate_id, project.directorate_id),
        "supplier": (contract.supplier_id, approval.recommended_supplier_id),
        "whole-life value": (contract.whole_life_value, approval.award_value),
        "start date": (contract.start_date, approval.contract_start),
        "end date": (contract.end_date, approval.contract_end),
    }
    differing = [name for name, (given, approved) in award.items() if given != approved]
    if differing:
        raise ContractError(
            f"The contract is not the award Gateway report {number} approved: its "
            + ", ".join(differing)
            + (" differs" if len(differing) == 1 else " differ")
        )
    if Contract.objects.filter(gateway_report=number).exists():
        raise ContractError(f"Gateway report {number} has already put its contract on the register")


def _saved_once(instance, *, number: int | None, by: User, reason: str, used: str):
    """Save ``instance`` with history; a second use of the same approval, even by a request
    racing this one, meets the database's unique constraint and is refused."""
    if number is None:
        return save_with_history(instance, by=by, reason=reason)
    try:
        with transaction.atomic():
            return save_with_history(instance, by=by, reason=reason)
    except IntegrityError:
        if type(instance).objects.filter(gateway_report=number).exists():
            raise ContractError(used) from None
        raise


def contract_change_refusal(*, by: User, current: Contract | None, proposed: Contract) -> str:
    """Why ``by`` may not make this change to the register, or "" if they may. A change needs the
    permission on the contract as it stands and as it would become, so no one moves a contract out
    of, or into, a directorate that is not theirs; a new contract needs both to add one and the
    permission on it."""
    if current is None:
        if not by.has_perm("contracts.add_contract"):
            return "You may not add contracts to the register"
        if not by.has_perm("contracts.change_contract", proposed):
            return (
                f"You cannot add contract {proposed.reference} to {_directorate_of(proposed)}: "
                "you may only add contracts of your own directorate"
            )
        return ""
    if not by.has_perm("contracts.change_contract", current):
        return (
            f"You cannot change contract {current.reference}: "
            f"it belongs to {_directorate_of(current)}"
        )
    if not by.has_perm("contracts.change_contract", proposed):
        return (
            f"You cannot move contract {current.reference} to {_directorate_of(proposed)}: "
            "you may only change contracts of your own directorate"
        )
    return ""


def named_officers_missing(contract: Contract) -> dict[str, str]:
    """The named officers a contract over £50,000 lacks (Kent R24), by field, with the message
    for the person; empty when it names both or is not over the threshold. The form and the
    services ask this of every contract a person makes or changes; the register import does not,
    so a legacy register without them is taken in and each gap shown to be filled."""
    missing: dict[str, str] = {}
    if not contract.whole_life_value or contract.whole_life_value <= NAMED_OFFICERS_ABOVE:
        return missing
    must = f"contracts over {pounds(NAMED_OFFICERS_ABOVE)} must have one"
    if not contract.contract_manager_id:
        missing["contract_manager"] = f"Name a contract manager: {must}"
    if not contract.lead_director_id:
        missing["lead_director"] = f"Name a lead director: {must}"
    return missing


def _refuse_named_officer_gaps(proposed: Contract, *, current: Contract | None = None) -> None:
    """Refuse a change that leaves a contract over £50,000 without a named officer, unless the
    contract already lacked them (a legacy gap): filling one gap need not fill the other."""
    already = named_officers_missing(current) if current is not None else {}
    new = {
        name: message
        for name, message in named_officers_missing(proposed).items()
        if name not in already
    }
    if new:
        raise ValidationError(new)


def untrained_manager_refusal(
    proposed: Contract, *, current: Contract | None = None, gate: Gate | None = None
) -> str:
    """Why the contract's manager may not manage it under the policy's training rule, or "".
    Asked when a manager is named or the contract's value rises: a manager whose course has
    lapsed since keeps the contract (the training list and digest ask them to refresh it)."""
    gate = gate or manager_gate(on=timezone.localdate())
    if not proposed.contract_manager_id or not gate.applies(proposed.whole_life_value):
        return ""
    manager = proposed.contract_manager
    refusal = contract_manager_refusal(
        person=manager, value=proposed.whole_life_value, on=gate.on, gate=gate
    )
    if not refusal or current is None or current.contract_manager_id != manager.pk:
        return refusal
    return "" if gate.applies(current.whole_life_value) else refusal


def _refuse_an_untrained_manager(proposed: Contract, *, current: Contract | None = None) -> None:
    refusal = untrained_manager_refusal(proposed, current=current)
    if refusal:
        raise ValidationError({"contract_manager": refusal})


def _directorate_of(contract: Contract) -> str:
    return contract.directorate.name if contract.directorate_id else "no directorate"


@transaction.atomic
def contract_create(
    *,
    fields: Mapping[str, Any],
    by: User,
    reason: str,
    gateway_approval: GatewayApproval | None = None,
) -> Contract:
    """Add a contract to the register. ``gateway_approval`` is the approved Gateway 2 report when
    that approval orders it: the approval is the authority, not the approver's own role, and it
    orders only the contract it approved, once."""
    if EVENT_FIELDS & set(fields):
        raise ContractError("Extensions and termination are recorded as events, not entered.")
    if APPROVAL_FIELDS & set(fields):
        raise ContractError("The approving gateway report is recorded by the approval itself.")
    contract = Contract(**fields)
    number = None
    if gateway_approval is None:
        refusal = contract_change_refusal(by=by, current=None, proposed=contract)
        if refusal:
            raise PermissionDenied(refusal)
    else:
        _refuse_unless_the_award(contract, gateway_approval)
        number = contract.gateway_report = gateway_approval.pk
    _refuse_named_officer_gaps(contract)
    _refuse_an_untrained_manager(contract)
    return _saved_once(
        _validated(contract),
        number=number,
        by=by,
        reason=reason,
        used=f"Gateway report {number} has already put its contract on the register",
    )


@transaction.atomic
def contract_update(
    *, contract: Contract, fields: Mapping[str, Any], by: User, reason: str
) -> Contract:
    """Correct or complete a contract's details; the history keeps what it was and why."""
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    contract = copy.copy(current)
    for name, value in fields.items():
        setattr(contract, name, value)
    # Moving a contract to another directorate needs permission there too.
    refusal = contract_change_refusal(by=by, current=current, proposed=contract)
    if refusal:
        raise PermissionDenied(refusal)
    if EVENT_FIELDS & set(fields):
        raise ContractError("Extensions and termination are recorded as events, not edited.")
    if APPROVAL_FIELDS & set(fields):
        raise ContractError("The approving gateway report is recorded by the approval itself.")
    if not reason.strip():
        raise ContractError("Say why you are changing the contract", field="change_reason")
    _refuse_named_officer_gaps(contract, current=current)
    _refuse_an_untrained_manager(contract, current=current)
    return save_with_history(_validated(contract), by=by, reason=reason)


def _record_event(
    *,
    contract: Contract,
    kind: ContractEvent.Kind,
    effective_date: date,
    previous_value: Decimal,
    previous_end_date: date | None,
    reason: str,
    approved_by: str,
    by: User,
    gateway_report: int | None = None,
) -> ContractEvent:
    if not reason.strip():
        raise ContractError("Enter the reason", field="reason")
    if not approved_by.strip():
        raise ContractError("Enter who approved it", field="approved_by")
    event = ContractEvent(
        contract=contract,
        kind=kind,
        effective_date=effective_date,
        previous_value=previous_value,
        new_value=contract.whole_life_value,
        previous_end_date=previous_end_date,
        new_end_date=contract.end_date,
        reason=reason,
        approved_by=approved_by,
        recorded_by=by,
        gateway_report=gateway_report,
    )
    return _saved_once(
        event,
        number=gateway_report,
        by=by,
        reason=reason,
        used=f"Gateway report {gateway_report} has already extended the contract",
    )


def _locked_for_event(
    contract: Contract, by: User, *, gateway_approval: GatewayApproval | None = None
) -> Contract:
    # An approved Gateway 3 extension of this contract is itself the authority to extend it: its
    # approver need not be an officer of the contract's directorate (the gateways service checked
    # their role on the report's route).
    if gateway_approval is None:
        require(by, "contracts.change_contract", contract)
    else:
        gateway_approval = _approval_as_stored(gateway_approval, stage=GatewayStage.G3)
        number = gateway_approval.pk
        if not gateway_approval.is_extension or gateway_approval.contract_id != contract.pk:
            raise ContractError(f"Gateway report {number} does not extend {contract.reference}")
        if ContractEvent.objects.filter(gateway_report=number).exists():
            raise ContractError(f"Gateway report {number} has already extended the contract")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.terminated_on is not None:
        raise ContractError(
            f"This contract was terminated on {long_date(contract.terminated_on)}: "
            "it cannot be varied or extended"
        )
    return contract


@transaction.atomic
def contract_vary(
    *,
    contract: Contract,
    effective_date: date,
    value_change: Decimal,
    new_end_date: date | None,
    reason: str,
    approved_by: str,
    by: User,
) -> ContractEvent:
    """Record a variation: a change of value and, if any, of end date."""
    contract = _locked_for_event(contract, by)
    previous_value, previous_end = contract.whole_life_value, contract.end_date
    if not value_change and (new_end_date is None or new_end_date == previous_end):
        raise ContractError(
            "A variation must change the value or the end date", field="value_change"
        )
    if previous_value + value_change <= 0:
        raise ContractError(
            "The variation would leave the contract with no value", field="value_change"
        )
    if not contract.start_date <= effective_date:
        raise ContractError(
            "The variation cannot take effect before the contract starts", field="effective_date"
        )
    before = copy.copy(contract)
    contract.whole_life_value = previous_value + value_change
    if new_end_date is not None:
        contract.end_date = new_end_date
    _refuse_named_officer_gaps(contract, current=before)
    # A variation that takes the contract over the training rule's line under a manager without
    # the course is refused as a change to the contract would be.
    refusal = untrained_manager_refusal(contract, current=before)
    if refusal:
        raise ContractError(refusal, field="value_change")
    save_with_history(_validated(contract), by=by, reason=f"Variation: {reason}")
    return _record_event(
        contract=contract,
        kind=ContractEvent.Kind.VARIATION,
        effective_date=effective_date,
        previous_value=previous_value,
        previous_end_date=previous_end,
        reason=reason,
        approved_by=approved_by,
        by=by,
    )


def _refuse_an_extension_that_needs_gateway_3(contract: Contract) -> None:
    """An extension of a contract over the gateway threshold is decided at Gateway 3 (RBKC §7):
    recording it by hand would walk round that decision."""
    threshold = extension_gateway_threshold(contract, on=timezone.localdate())
    if threshold is not None:
        raise ContractError(
            f"An extension of a contract over £{threshold:,.2f} is approved at "
            "Gateway 3: start a Gateway 3 report from the forward plan, and its approval "
            "extends the contract"
        )


@transaction.atomic
def contract_extend(
    *,
    contract: Contract,
    reason: str,
    approved_by: str,
    by: User,
    gateway_approval: GatewayApproval | None = None,
) -> ContractEvent:
    """Use one extension option: the end date moves on by the option's months.

    The whole-life value already includes the options, so it does not change.
    ``gateway_approval`` is the approved Gateway 3 extension report of this contract when that
    approval orders it; it orders one extension.
    """
    contract = _locked_for_event(contract, by, gateway_approval=gateway_approval)
    if contract.is_rolling:
        raise ContractError(
            "This is a rolling contract with no end date, so an extension option has no end "
            "to move: it runs on until it is ended. To set an end date, record a variation"
        )
    if gateway_approval is None:
        _refuse_an_extension_that_needs_gateway_3(contract)
    if contract.extensions_remaining <= 0:
        raise ContractError(
            "This contract has no extension options left"
            if contract.extension_options
            else "This contract has no extension options"
        )
    previous_end = contract.end_date
    contract.end_date = add_months(previous_end, contract.extension_option_months)
    contract.extensions_used += 1
    save_with_history(_validated(contract), by=by, reason=f"Extension: {reason}")
    return _record_event(
        contract=contract,
        kind=ContractEvent.Kind.EXTENSION,
        effective_date=previous_end,
        previous_value=contract.whole_life_value,
        previous_end_date=previous_end,
        reason=reason,
        approved_by=approved_by,
        by=by,
        gateway_report=gateway_approval.pk if gateway_approval is not None else None,
    )


@transaction.atomic
def contract_terminate(
    *, contract: Contract, terminated_on: date, reason: str, approved_by: str, by: User
) -> ContractEvent:
    """End a contract early (or record that it ended), with the date and the reason."""
    contract = _locked_for_event(contract, by)
    if terminated_on < contract.start_date:
        raise ContractError(
            "A contract cannot be terminated before it starts", field="terminated_on"
        )
    contract.terminated_on = terminated_on
    contract.termination_reason = reason
    save_with_history(_validated(contract), by=by, reason=f"Termination: {reason}")
    return _record_event(
        contract=contract,
        kind=ContractEvent.Kind.TERMINATION,
        effective_date=terminated_on,
        previous_value=contract.whole_life_value,
        previous_end_date=contract.end_date,
        reason=reason,
        approved_by=approved_by,
        by=by,
    )


@transaction.atomic
def contract_confirm_ending(*, contract: Contract, reason: str, by: User) -> Contract:
    """Record, in answer to a renewal alert, that the contract will end on its end date with
    nothing to replace it: its later renewal alerts stop and it leaves the forward plan's list of
    contracts to re-procure. A later change of end date asks the question again."""
    require(by, "contracts.change_contract", contract)
    if not reason.strip():
        raise ContractError("Say why the contract will end without a replacement", field="reason")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.terminated_on is not None:
        raise ContractError(
            f"This contract was terminated on {long_date(contract.terminated_on)}: "
            "record nothing more about its end"
        )
    if contract.is_rolling:
        raise ContractError(
            "This is a rolling contract with no end date: to end it, record a variation that "
            "gives it an end date, or a termination"
        )
    contract.ending_confirmed_for = contract.end_date
    contract.ending_reason = reason.strip()
    return save_with_history(
        _validated(contract),
        by=by,
        reason=f"Will end on {long_date(contract.end_date)}: {contract.ending_reason}",
    )


# --- Attachments ------------------------------------------------------------------------------

# The first bytes of each allowed type: a file must be what its name says it is.
ALLOWED_ATTACHMENTS = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".txt": (),
    ".csv": (),
}


def attachment_problem(upload: UploadedFile) -> str | None:
    """Why an upload may not be attached, or ``None`` when it may."""
    limit = settings.ATTACHMENT_MAX_BYTES
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_ATTACHMENTS:
        allowed = ", ".join(sorted(s.lstrip(".").upper() for s in ALLOWED_ATTACHMENTS))
        return f"The file must be one of these types: {allowed}"
    if upload.size > limit:
        return f"The file must be smaller than {filesizeformat(limit)}"
    if upload.size == 0:
        return "The file is empty"
    head = upload.read(16)
    upload.seek(0)
    signatures = ALLOWED_ATTACHMENTS[suffix]
    if signatures and not any(head.startswith(signature) for signature in signatures):
        return f"The file is not a real {suffix.lstrip('.').upper()} file"
    if not signatures and b"\x00" in head:
        return f"The file is not a real {suffix.lstrip('.').upper()} file"
    return None


@transaction.atomic
def attachment_add(
    *, contract: Contract, upload: UploadedFile, kind: str, by: User
) -> ContractAttachment:
    """Store a document against a contract, after checking its type and size."""
    require(by, "contracts.change_contract", contract)
    problem = attachment_problem(upload)
    if problem:
        raise ContractError(problem, field="file")
    return attachment_store(
        attachment=ContractAttachment(contract=contract, kind=kind),
        upload=upload,
        by=by,
        reason="Document attached",
    )


def attachment_store(*, attachment, upload: UploadedFile, by: User, reason: str):
    """Store an already checked upload and its record (a contract's or a gateway report's),
    with history; if the record is refused, the stored file goes with it."""
    name = Path(upload.name).name
    attachment.original_name = name[:255]
    attachment.size = upload.size
    attachment.uploaded_by = by
    attachment.file.save(name, upload, save=False)
    try:
        return save_with_history(_validated(attachment), by=by, reason=reason)
    except Exception:
        attachment.file.delete(save=False)
        raise


# --- Continuity and exit plans (seed 000 §8d) ---------------------------------------------------


@transaction.atomic
def resilience_plan_add(
    *,
    kind: str,
    upload: UploadedFile,
    review_date: date,
    by: User,
    reason: str,
    today: date,
    contract: Contract | None = None,
    supplier: Supplier | None = None,
) -> ResiliencePlan:
    """Keep a continuity or exit plan for a key contract or a strategic supplier: the document
    and its next review; a newer plan of the kind supersedes the older, which stays."""
    if (contract is None) == (supplier is None):
        raise ContractError("A plan is for a contract or for a supplier")
    if contract is not None:
        require(by, "contracts.record_contract_plan", contract)
    else:
        require(by, "contracts.record_supplier_resilience", supplier)
    if kind not in ResiliencePlan.Kind.values:
        raise ContractError("Choose continuity plan or exit plan", field="kind")
    if review_date <= today:
        raise ContractError("The next review must be after today", field="review_date")
    latest = add_months(today, PLAN_REVIEW_MONTHS)
    if review_date > latest:
        raise ContractError(
            f"The next review must be within {PLAN_REVIEW_MONTHS // 12} years, by "
            f"{long_date(latest)}",
            field="review_date",
        )
    if not reason.strip():
        raise ContractError("Say what the plan covers", field="change_reason")
    problem = attachment_problem(upload)
    if problem:
        raise ContractError(problem, field="file")
    plan = ResiliencePlan(kind=kind, contract=contract, supplier=supplier, review_date=review_date)
    label = ResiliencePlan.Kind(kind).label
    return attachment_store(
        attachment=plan, upload=upload, by=by, reason=f"{label}: {reason.strip()}"
    )
