"""Import the register from a council's spreadsheet (CSV or XLSX): check everything, then write
all of it or nothing.

``contracts_import_check`` reads the file and reports what would be created, updated and left
unchanged, and every problem as row, column and message; it writes nothing. ``contracts_import``
checks again and, only if there is no problem, writes every row in one transaction, with history.
Rows are matched to the register by reference, so importing the same file twice changes nothing.
The file is read row by row in batches, so memory does not grow with its length.
"""

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from procurement.caching import data_changed
from procurement.models import ContractCategory, Directorate, User
from procurement.tabular import (
    CellError,
    Column,
    ImportFileError,
    ImportRefused,
    Problem,
    batches,
    parse_date,
    parse_money,
    parse_whole_number,
    parse_yes_no,
    read_table,
    text,
)

from .models import Contract, Supplier
from .services import contract_change_refusal
from .signals import contracts_changed

COLUMNS = (
    Column(
        "Reference",
        "reference",
        True,
        ("contract reference", "contract ref", "ref", "contract id", "contract number"),
    ),
    Column(
        "Title", "title", True, ("contract title", "contract name", "name of contract", "subject")
    ),
    Column("Description", "description", False, ("contract description", "details", "scope")),
    Column(
        "Directorate",
        "directorate",
        True,
        ("department", "service area", "directorate name", "service"),
    ),
    Column(
        "Category",
        "category",
        False,
        ("contract category", "procurement category", "category of spend"),
    ),
    Column(
        "Supplier name",
        "supplier_name",
        True,
        ("supplier", "contractor", "provider", "supplier name", "vendor"),
    ),
    Column(
        "Companies House number",
        "supplier_companies_house_number",
        False,
        (
            "company number",
            "companies house number",
            "company registration number",
            "registration number",
            "crn",
        ),
    ),
    Column(
        "Charity number",
        "supplier_charity_number",
        False,
        ("charity number", "charity registration number", "registered charity number"),
    ),
    Column(
        "SME",
        "supplier_is_sme",
        False,
        ("sme", "is sme", "sme supplier", "small or medium enterprise"),
    ),
    Column(
        "VCSE", "supplier_is_vcse", False, ("vcse", "is vcse", "voluntary sector", "vcse supplier")
    ),
    Column(
        "Contract manager email",
        "contract_manager",
        False,
        ("contract manager", "contract manager email", "manager email"),
    ),
    Column(
        "Lead director email",
        "lead_director",
        False,
        ("lead director", "lead director email", "director email", "responsible director"),
    ),
    Column(
        "Whole-life value",
        "whole_life_value",
        True,
        (
            "whole life value",
            "total value",
            "contract value",
            "value",
            "total contract value",
            "estimated value",
        ),
    ),
    Column(
        "Annual value",
        "annual_value",
        False,
        ("annual value", "value per year", "yearly value", "annual contract value"),
    ),
    Column(
        "Irrecoverable VAT",
        "irrecoverable_vat",
        False,
        ("irrecoverable vat", "vat irrecoverable", "vat"),
    ),
    Column(
        "Start date",
        "start_date",
        True,
        ("start date", "contract start date", "commencement date", "start"),
    ),
    Column("End date", "end_date", True, ("end date", "contract end date", "expiry date", "end")),
    Column("Review date", "review_date", False, ("review date", "next review date")),
    Column(
        "Extension options",
        "extension_options",
        False,
        ("extension options", "number of extensions", "extensions available"),
    ),
    Column(
        "Months per extension",
        "extension_option_months",
        False,
        ("months per extension", "extension months", "extension period months"),
    ),
    Column(
        "Value of extension options",
        "extension_options_value",
        False,
        ("value of extension options", "extension value", "extension options value"),
    ),
    Column(
        "Procurement route",
        "procurement_route",
        True,
        (
            "procurement route",
            "route",
            "procurement method",
            "route to market",
            "procurement process",
        ),
    ),
    Column(
        "Key decision reference",
        "key_decision_reference",
        False,
        ("key decision reference", "key decision", "decision reference"),
    ),
    Column("Risk rating", "risk_rating", False, ("risk rating", "risk")),
)
COLUMN_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}
__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportRefused",
    "contracts_import",
    "contracts_import_check",
]

ROUTES = {
    "quote": Contract.Route.QUOTE,
    "quotation": Contract.Route.QUOTE,
    "quotes": Contract.Route.QUOTE,
    "request for quotation": Contract.Route.QUOTE,
    "tender": Contract.Route.TENDER,
    "published tender": Contract.Route.TENDER,
    "open tender": Contract.Route.TENDER,
    "open procedure": Contract.Route.TENDER,
    "restricted procedure": Contract.Route.TENDER,
    "competitive tender": Contract.Route.TENDER,
    "framework": Contract.Route.FRAMEWORK,
    "framework call off": Contract.Route.FRAMEWORK,
    "framework call-off": Contract.Route.FRAMEWORK,
    "call off": Contract.Route.FRAMEWORK,
    "direct award": Contract.Route.DIRECT_AWARD,
    "direct_award": Contract.Route.DIRECT_AWARD,
    "waiver": Contract.Route.DIRECT_AWARD,
    "single source": Contract.Route.DIRECT_AWARD,
}
UPDATE_FIELDS = list(Contract.DETAIL_FIELDS)
# The same details as attributes, foreign keys by id, to compare a row with the register.
CONTRACT_ATTRIBUTES = tuple(Contract._meta.get_field(name).attname for name in UPDATE_FIELDS)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppliers_created: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows > 0 and not self.problems


# --- Checking and writing ---------------------------------------------------------------------


class Lookups:
    """Reference data read once per import; suppliers and contracts read a batch at a time."""

    def __init__(self) -> None:
        self.directorates = {}
        for directorate in Directorate.objects.all():
            self.directorates[directorate.name.lower()] = directorate
            self.directorates[directorate.code.lower()] = directorate
        self.categories = {c.name.lower(): c for c in ContractCategory.objects.all()}
        self.users = {u.email.lower(): u for u in User.objects.filter(is_active=True)}
        self.suppliers_by_number: dict[str, Supplier] = {}
        self.suppliers_by_name: dict[str, Supplier] = {}

    def load_suppliers(self, rows: list[dict[str, Any]]) -> None:
        numbers, names = set(), set()
        for row in rows:
            for key in ("supplier_companies_house_number", "supplier_charity_number"):
                if text(row.get(key)):
                    numbers.add(text(row[key]).upper())
            if text(row.get("supplier_name")):
                names.add(text(row["supplier_name"]))
        known = Supplier.objects.filter(
            Q(companies_house_number__in=numbers)
            | Q(charity_number__in=numbers)
            | Q(name__in=names)
        )
        for supplier in known:
            self.remember(supplier)

    def remember(self, supplier: Supplier) -> None:
        for number in (supplier.companies_house_number, supplier.charity_number):
            if number:
                self.suppliers_by_number[number] = supplier
        self.suppliers_by_name.setdefault(supplier.name.lower(), supplier)

    def supplier_for(self, row: dict[str, Any]) -> Supplier | None:
        for key in ("supplier_companies_house_number", "supplier_charity_number"):
            number = text(row.get(key)).upper()
            if number and number in self.suppliers_by_number:
                return self.suppliers_by_number[number]
        return self.suppliers_by_name.get(text(row.get("supplier_name")).lower())


@dataclass
class RowOutcome:
    contract: Contract | None
    action: str  # "create", "update", "unchanged" or "" when it has problems
    new_supplier: Supplier | None = None


class RowChecker:
    def __init__(self, *, by: User, lookups: Lookups) -> None:
        self.by = by
        self.lookups = lookups
        self.seen_references: dict[str, int] = {}

    def check(
        self, number: int, row: dict[str, Any], existing: Contract | None, problems: list[Problem]
    ) -> RowOutcome:
        found: list[Problem] = []

        def problem(attribute: str, message: str) -> None:
            found.append(Problem(number, COLUMN_BY_ATTRIBUTE[attribute].name, message))

        def value(attribute: str, parser):
            try:
                return parser(row.get(attribute))
            except CellError as error:
                problem(attribute, str(error))
                return None

        reference = text(row.get("reference"))
        if not reference:
            problem("reference", "Enter the contract reference")
        elif reference in self.seen_references:
            problem(
                "reference",
                f"'{reference}' is also on row {self.seen_references[reference]}: "
                "each contract must appear once",
            )
        else:
            self.seen_references[reference] = number

        fields: dict[str, Any] = {
            "title": text(row.get("title")),
            "description": text(row.get("description"), lines=True),
            "key_decision_reference": text(row.get("key_decision_reference")),
        }
        if not fields["title"]:
            problem("title", "Enter the contract title")

        directorate_name = text(row.get("directorate"))
        directorate = self.lookups.directorates.get(directorate_name.lower())
        if directorate is None:
            problem(
                "directorate",
                f"'{directorate_name}' is not a directorate of the council"
                if directorate_name
                else "Enter the directorate",
            )
        fields["directorate_id"] = directorate.pk if directorate else None

        category_name = text(row.get("category"))
        category = self.lookups.categories.get(category_name.lower()) if category_name else None
        if category_name and category is None:
            problem("category", f"'{category_name}' is not a contract category")
        fields["category_id"] = category.pk if category else None

        for attribute in ("contract_manager", "lead_director"):
            email = text(row.get(attribute)).lower()
            user = self.lookups.users.get(email) if email else None
            if email and user is None:
                problem(attribute, f"'{email}' is not the email address of a user")
            fields[f"{attribute}_id"] = user.pk if user else None

        for attribute in ("whole_life_value", "annual_value", "extension_options_value"):
            fields[attribute] = value(attribute, parse_money)
        fields["irrecoverable_vat"] = value("irrecoverable_vat", parse_money) or Decimal("0.00")
        if fields["extension_options_value"] is None:
            fields["extension_options_value"] = Decimal("0.00")
        for attribute in ("start_date", "end_date", "review_date"):
            fields[attribute] = value(attribute, parse_date)
        for attribute in ("extension_options", "extension_option_months"):
            fields[attribute] = value(attribute, parse_whole_number) or 0
        if fields["whole_life_value"] is None and not any(
            p.column == COLUMN_BY_ATTRIBUTE["whole_life_value"].name for p in found
        ):
            problem("whole_life_value", "Enter the whole-life value")
        for attribute in ("start_date", "end_date"):
            if fields[attribute] is None and not any(
                p.column == COLUMN_BY_ATTRIBUTE[attribute].name for p in found
            ):
                problem(attribute, f"Enter the {COLUMN_BY_ATTRIBUTE[attribute].name.lower()}")

        route = text(row.get("procurement_route"))
        fields["procurement_route"] = ROUTES.get(route.lower().replace("-", " ").strip(), "")
        if route.lower() in ROUTES:
            fields["procurement_route"] = ROUTES[route.lower()]
        if not fields["procurement_route"]:
            problem(
                "procurement_route",
                f"'{route}' is not a procurement route: use Quotation, Published tender, "
                "Framework call-off or Direct award"
                if route
                else "Enter the procurement route",
            )
        risk = text(row.get("risk_rating")).lower()
        fields["risk_rating"] = risk if risk in Contract.Risk.values else ""
        if risk and not fields["risk_rating"]:
            problem("risk_rating", f"'{risk}' is not a risk rating: use Low, Medium or High")

        supplier, new_supplier = self._supplier(row, problem, value)
        fields["supplier_id"] = supplier.pk if supplier and supplier.pk else None

        if found:
            problems.extend(found)
            return RowOutcome(None, "")

        # The row is applied to a copy, so the contract as it stands is checked too.
        contract = copy.copy(existing) if existing is not None else Contract(reference=reference)
        before = {name: getattr(contract, name) for name in CONTRACT_ATTRIBUTES}
        for name, new in fields.items():
            setattr(contract, name, new)
        if new_supplier is not None:
            contract.supplier = new_supplier
        # The same rule as editing a contract: permission on it as it stands and as it would be.
        refusal = contract_change_refusal(by=self.by, current=existing, proposed=contract)
        if refusal:
            problems.append(Problem(number, COLUMN_BY_ATTRIBUTE["directorate"].name, refusal))
            return RowOutcome(None, "")
        # Foreign keys were resolved from the lookups above; validating them again would cost a
        # query for each on every row.
        exclude = ["supplier", "directorate", "category", "contract_manager", "lead_director"]
        try:
            # The model's clean() holds the same rules as its check constraints, which the
            # database enforces on write; checking them here would cost queries on every row.
            contract.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = COLUMN_BY_ATTRIBUTE.get(name.removesuffix("_id"))
                for message in messages:
                    problems.append(Problem(number, column.name if column else "", message))
            return RowOutcome(None, "")
        if existing is None:
            return RowOutcome(contract, "create", new_supplier)
        after = {name: getattr(contract, name) for name in CONTRACT_ATTRIBUTES}
        return RowOutcome(contract, "update" if after != before else "unchanged", new_supplier)

    def _supplier(self, row, problem, value) -> tuple[Supplier | None, Supplier | None]:
        name = text(row.get("supplier_name"))
        is_sme = bool(value("supplier_is_sme", parse_yes_no))
        is_vcse = bool(value("supplier_is_vcse", parse_yes_no))
        if not name:
            problem("supplier_name", "Enter the supplier's name")
            return None, None
        supplier = self.lookups.supplier_for(row)
        if supplier is not None:
            # A supplier first named earlier in this file is new until the import writes it.
            return (supplier, None) if supplier.pk else (None, supplier)
        if not self.by.has_perm("contracts.manage_suppliers"):
            problem("supplier_name", f"'{name}' is not a registered supplier: ask to register it")
            return None, None
        new = Supplier(
            name=name,
            companies_house_number=text(row.get("supplier_companies_house_number")).upper(),
            charity_number=text(row.get("supplier_charity_number")).upper(),
            is_sme=is_sme,
            is_vcse=is_vcse,
        )
        try:
            new.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for attribute, messages in error.message_dict.items():
                column = f"supplier_{attribute}"
                for message in messages:
                    problem(column if column in COLUMN_BY_ATTRIBUTE else "supplier_name", message)
            return None, None
        # Later rows naming the same supplier use this one.
        self.lookups.remember(new)
        return None, new


def _run(stream: IO[bytes], filename: str, *, by: User, write: bool, reason: str) -> ImportResult:
    positions, rows = read_table(stream, filename, COLUMNS)
    result = ImportResult()
    lookups = Lookups()
    checker = RowChecker(by=by, lookups=lookups)
    for batch in batches(positions, rows):
        result.rows += len(batch)
        lookups.load_suppliers([row for _, row in batch])
        existing = {
            contract.reference: contract
            for contract in Contract.objects.filter(
                reference__in=[text(row.get("reference")) for _, row in batch], lot=""
            )
        }
        outcomes = [
            checker.check(number, row, existing.get(text(row.get("reference"))), result.problems)
            for number, row in batch
        ]
        for outcome in outcomes:
            if outcome.action == "create":
                result.created += 1
            elif outcome.action == "update":
                result.updated += 1
            elif outcome.action == "unchanged":
                result.unchanged += 1
        if write and not result.problems:
            result.suppliers_created += _write(outcomes, by=by, reason=reason)
    if result.rows == 0:
        result.problems.append(Problem(2, "", "The file has a heading row but no contracts"))
    return result


def _write(outcomes: list[RowOutcome], *, by: User, reason: str) -> int:
    new_suppliers = list(
        {
            id(o.new_supplier): o.new_supplier
            for o in outcomes
            if o.new_supplier and o.new_supplier.pk is None
        }.values()
    )
    if new_suppliers:
        bulk_create_with_history(
            new_suppliers, Supplier, default_user=by, default_change_reason=reason
        )
    for outcome in outcomes:
        if outcome.new_supplier is not None:
            outcome.contract.supplier = outcome.new_supplier
    creates = [o.contract for o in outcomes if o.action == "create"]
    updates = [o.contract for o in outcomes if o.action == "update"]
    if creates:
        bulk_create_with_history(creates, Contract, default_user=by, default_change_reason=reason)
    if updates:
        bulk_update_with_history(
            updates, Contract, UPDATE_FIELDS, default_user=by, default_change_reason=reason
        )
        # Bulk writes send no signals: say which contracts changed (their gateway reports
        # follow a change of value).
        contracts_changed.send(sender=Contract, contracts=updates, by=by)
    data_changed()
    return len(new_suppliers)


def contracts_import_check(*, stream: IO[bytes], filename: str, by: User) -> ImportResult:
    """What importing the file would do, and every problem in it. Writes nothing."""
    if not by.has_perm("contracts.import_contracts"):
        raise PermissionDenied
    return _run(stream, filename, by=by, write=False, reason="")


def contracts_import(*, stream: IO[bytes], filename: str, by: User, reason: str) -> ImportResult:
    """Import the file: every row, or, if any row has a problem, nothing at all."""
    if not by.has_perm("contracts.import_contracts"):
        raise PermissionDenied
    with transaction.atomic():
        result = _run(stream, filename, by=by, write=True, reason=reason)
        if not result.ok:
            # Leaving the block with an exception rolls back every batch already written.
            raise ImportRefused(result)
    return result
