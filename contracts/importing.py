"""Import the register from a council's spreadsheet (CSV or XLSX): check everything, then write
all of it or nothing.

``contracts_import_check`` reads the file and reports what would be created, updated and left
unchanged, and every problem as row, column and message; it writes nothing. ``contracts_import``
checks again and, only if there is no problem, writes every row in one transaction, with history.
Rows are matched to the register by reference, so importing the same file twice changes nothing.
Each cell is read as councils write it, then the row is checked by the contract's own form
(``ContractRowForm``), so the contract's page and the import keep one set of rules.
The file is read row by row in batches, so memory does not grow with its length.
"""

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from procurement.caching import data_changed
from procurement.imports import ImportKind, ValueMap, check_and_import, register, table_begin
from procurement.models import ContractCategory, Directorate, User
from procurement.services import directorate_create
from procurement.tabular import (
    CellError,
    Column,
    ImportFileError,
    ImportRefused,
    ImportResult,
    Problem,
    batches,
    is_blank_word,
    normalise_heading,
    parse_company_number,
    parse_date,
    parse_money,
    parse_whole_number,
    parse_yes_no,
    read_table,
    text,
)
from procurement.text import counted
from training.selectors import manager_gate

from .forms import ContractRowForm
from .models import Contract, Supplier
from .services import contract_change_refusal, untrained_manager_refusal
from .signals import contracts_changed, contracts_written_in_bulk

COLUMNS = (
    Column(
        "Reference",
        "reference",
        True,
        (
            "reference number",
            "contract reference",
            "contract reference number",
            "contract ref",
            "ref",
            "ref no",
            "contract id",
            "contract number",
            "contract no",
        ),
    ),
    Column("Lot", "lot", False, ("lot number", "lot no", "lot name", "lot title")),
    Column(
        "Title",
        "title",
        True,
        (
            "title of agreement",
            "agreement title",
            "contract title",
            "contract name",
            "name of contract",
            "subject",
        ),
    ),
    Column(
        "Description",
        "description",
        False,
        (
            "description of the goods and or services",
            "description of the goods and or services being provided",
            "description of goods and services",
            "contract description",
            "details",
            "scope",
        ),
    ),
    Column(
        "Directorate",
        "directorate",
        True,
        (
            "local authority department responsible",
            "department responsible",
            "department",
            "service area",
            "directorate name",
            "service",
            "responsible department",
        ),
    ),
    Column(
        "Category",
        "category",
        False,
        ("contract category", "procurement category", "category of spend", "spend category"),
    ),
    Column(
        "Supplier name",
        "supplier_name",
        True,
        (
            "supplier",
            "supplier name and details",
            "contractor",
            "contractor name",
            "provider",
            "vendor",
            "supplier trading name",
        ),
    ),
    Column(
        "Companies House number",
        "supplier_companies_house_number",
        False,
        (
            "supplier company registration number",
            "company registration number",
            "company number",
            "companies house number",
            "registration number",
            "crn",
        ),
    ),
    Column(
        "Charity number",
        "supplier_charity_number",
        False,
        (
            "supplier charity registration number",
            "charity registration number",
            "registered charity number",
        ),
    ),
    # The public Transparency CSV gives one number, a company's or a charity's.
    Column(
        "Supplier registration number",
        "supplier_registration",
        False,
        ("supplier registration number", "supplier registration"),
    ),
    Column("Supplier postcode", "supplier_postcode", False, ("postcode", "supplier post code")),
    Column(
        "SME",
        "supplier_is_sme",
        False,
        (
            "is sme",
            "sme supplier",
            "small or medium enterprise",
            "small or medium sized enterprise",
            "sme y n",
        ),
    ),
    Column(
        "VCSE",
        "supplier_is_vcse",
        False,
        ("is vcse", "voluntary sector", "vcse supplier", "voluntary or community sector", "vcs"),
    ),
    # Many councils publish one column for both: "SME", "VCSE", "Both" or "Neither".
    Column(
        "SME or VCSE",
        "supplier_kind",
        False,
        (
            "sme vcse",
            "sme or vcse",
            "sme and or vcse",
            "sme vcse status",
            "supplier type",
            "supplier status",
            "whether the supplier is an sme or vcse",
            "small or medium sized enterprise and or voluntary or community sector organisation",
        ),
    ),
    Column(
        "Contract manager email",
        "contract_manager",
        False,
        (
            "contract manager",
            "contract manager name",
            "manager email",
            "contract owner",
            "contract officer",
            "responsible officer",
            "officer responsible",
        ),
    ),
    Column(
        "Lead director email",
        "lead_director",
        False,
        (
            "lead director",
            "lead director name",
            "director email",
            "responsible director",
            "director",
        ),
    ),
    Column(
        "Whole-life value",
        "whole_life_value",
        True,
        (
            "sum to be paid over the length of the contract",
            "sum to be paid over the length of the contract or the estimated annual spending "
            "or budget for the contract",
            "whole life value",
            "whole life cost",
            "total value",
            "contract value",
            "value",
            "total contract value",
            "estimated value",
            "estimated total value",
            "value of contract",
        ),
    ),
    Column(
        "Annual value",
        "annual_value",
        False,
        (
            "estimated annual spend",
            "estimated annual spending",
            "estimated annual spending or budget for the contract",
            "annual value",
            "value per year",
            "yearly value",
            "annual contract value",
            "annual spend",
        ),
    ),
    Column(
        "Irrecoverable VAT",
        "irrecoverable_vat",
        False,
        (
            "value added tax that cannot be recovered",
            "vat that cannot be recovered",
            "irrecoverable vat",
            "vat irrecoverable",
            "non recoverable vat",
            "vat",
        ),
    ),
    Column(
        "Start date",
        "start_date",
        True,
        ("contract start date", "commencement date", "start", "date of commencement"),
    ),
    Column(
        "End date",
        "end_date",
        True,
        ("contract end date", "expiry date", "end", "contract expiry date", "termination date"),
    ),
    Column(
        "Review date", "review_date", False, ("next review date", "contract review date", "review")
    ),
    Column(
        "Extension options",
        "extension_options",
        False,
        ("number of extensions", "extensions available", "number of extension options"),
    ),
    Column(
        "Months per extension",
        "extension_option_months",
        False,
        ("extension months", "extension period months", "months per extension option"),
    ),
    Column(
        "Value of extension options",
        "extension_options_value",
        False,
        ("extension value", "extension options value", "value of extensions"),
    ),
    Column(
        "Procurement route",
        "procurement_route",
        True,
        (
            "invitation to quote or published invitation to tender",
            "whether or not the contract was the result of an invitation to quote or a "
            "published invitation to tender",
            "quote or published tender",
            "quote or tender",
            "route",
            "procurement method",
            "procurement procedure",
            "route to market",
            "procurement process",
            "procedure",
        ),
    ),
    Column(
        "Key decision reference",
        "key_decision_reference",
        False,
        ("key decision", "decision reference", "key decision number"),
    ),
    Column("Risk rating", "risk_rating", False, ("risk", "contract risk", "risk level")),
    Column(
        "CPV code",
        "cpv_code",
        False,
        ("cpv", "main cpv code", "cpv main code", "main cpv", "cpv 2008 code", "cpv codes"),
    ),
)
COLUMN_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}
# The template, the register's export and the people who fill it need only these: the other
# columns are ways councils already publish the same things.
TEMPLATE_COLUMNS = tuple(
    column
    for column in COLUMNS
    if column.attribute not in {"supplier_registration", "supplier_postcode", "supplier_kind"}
)
__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportRefused",
    "contracts_import",
    "contracts_import_check",
]

R = Contract.Route
# Each way of naming a route (as compared: lower case, letters and digits) to the route.
ROUTES = {
    **dict.fromkeys(
        (
            "quote",
            "quotes",
            "quotation",
            "quotations",
            "request for quotation",
            "rfq",
            "invitation to quote",
            "itq",
            "three quotes",
            "written quotations",
        ),
        R.QUOTE,
    ),
    **dict.fromkeys(
        (
            "tender",
            "published tender",
            "published invitation to tender",
            "invitation to tender",
            "itt",
            "open tender",
            "open",
            "open procedure",
            "restricted",
            "restricted procedure",
            "competitive tender",
            "competitive dialogue",
            "competitive procedure with negotiation",
            "competitive flexible procedure",
            "innovation partnership",
        ),
        R.TENDER,
    ),
    **dict.fromkeys(
        (
            "framework",
            "framework agreement",
            "framework call off",
            "call off",
            "call off from framework",
            "further competition",
            "mini competition",
            "dps",
            "dynamic purchasing system",
        ),
        R.FRAMEWORK,
    ),
    **dict.fromkeys(
        (
            "direct award",
            "direct call off",
            "waiver",
            "exemption",
            "exception",
            "single source",
            "single tender action",
            "sta",
            "negotiated without prior publication",
        ),
        R.DIRECT_AWARD,
    ),
    **{normalise_heading(label): value for value, label in R.choices},
}
RISKS = {
    **{normalise_heading(label): value for value, label in Contract.Risk.choices},
    **{value: value for value in Contract.Risk.values},
    "l": Contract.Risk.LOW,
    "m": Contract.Risk.MEDIUM,
    "h": Contract.Risk.HIGH,
    "green": Contract.Risk.LOW,
    "amber": Contract.Risk.MEDIUM,
    "red": Contract.Risk.HIGH,
}
# An end date that says the contract has none: it is rolling, reviewed on its review date.
ROLLING_WORDS = {"ongoing", "rolling", "on going", "evergreen", "no end date", "open ended"}
UPDATE_FIELDS = ["lot", *Contract.DETAIL_FIELDS]
# The same details as attributes, foreign keys by id, to compare a row with the register.
CONTRACT_ATTRIBUTES = tuple(Contract._meta.get_field(name).attname for name in UPDATE_FIELDS)
PEOPLE = {"contract_manager": "contract manager", "lead_director": "lead director"}


@dataclass
class ContractsImportResult(ImportResult):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppliers_created: int = 0


# --- Checking and writing ---------------------------------------------------------------------


class Lookups:
    """Reference data read once per import; suppliers and contracts read a batch at a time."""

    def __init__(self, values: ValueMap) -> None:
        self.values = values
        self.directorates: dict[str, Directorate] = {}
        for directorate in Directorate.objects.all():
            self.directorates[normalise_heading(directorate.name)] = directorate
            self.directorates[normalise_heading(directorate.code)] = directorate
        self.directorates_by_pk = {d.pk: d for d in self.directorates.values()}
        self.categories = {normalise_heading(c.name): c for c in ContractCategory.objects.all()}
        self.categories_by_pk = {c.pk: c for c in self.categories.values()}
        # People by email and by name, whether or not they still work here: a register names
        # those who managed its contracts, and its export must import back.
        self.people: dict[str, User | None] = {}
        for user in User.objects.order_by("-is_active", "pk"):
            self.people.setdefault(user.email.lower(), user)
            name = normalise_heading(user.get_full_name())
            if name:
                # Two people of one name: the name alone cannot say which.
                self.people[name] = None if name in self.people else user
        self.suppliers_by_number: dict[str, Supplier] = {}
        self.suppliers_by_name: dict[str, Supplier] = {}

    def mapped(self, attribute: str, raw: str, own: dict[str, Any]) -> Any:
        """What a value names: by the run's mapping, else by the council's own words."""
        chosen = self.values.get(attribute, raw)
        if chosen is not None:
            return chosen
        return own.get(normalise_heading(raw))

    def directorate(self, raw: str) -> Directorate | None:
        chosen = self.values.get("directorate", raw)
        if chosen is not None:
            return self.directorates_by_pk.get(int(chosen)) if chosen.isdigit() else None
        return self.directorates.get(normalise_heading(raw))

    def category(self, raw: str) -> ContractCategory | None:
        chosen = self.values.get("category", raw)
        if chosen is not None:
            return self.categories_by_pk.get(int(chosen)) if chosen.isdigit() else None
        return self.categories.get(normalise_heading(raw))

    def person(self, raw: str) -> tuple[User | None, str]:
        """The user a name or an email address names, and why none if none."""
        key = raw.lower() if "@" in raw else normalise_heading(raw)
        if key not in self.people:
            return None, f"'{raw}' is not the name or email address of anyone who uses the service"
        if self.people[key] is None:
            return None, f"More than one person is called '{raw}': give their email address"
        return self.people[key], ""

    def load_suppliers(self, rows: list[dict[str, Any]]) -> None:
        numbers, names = set(), set()
        for row in rows:
            for key in ("supplier_companies_house_number", "supplier_charity_number"):
                if row.get(key):
                    numbers.add(row[key])
            if row.get("supplier_name"):
                names.add(row["supplier_name"])
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
            number = row.get(key)
            if number and number in self.suppliers_by_number:
                return self.suppliers_by_number[number]
        return self.suppliers_by_name.get(row.get("supplier_name", "").lower())


@dataclass
class RowOutcome:
    contract: Contract | None
    action: str  # "create", "update", "unchanged" or "" when it has problems
    new_supplier: Supplier | None = None


def _supplier_kind(value: Any) -> tuple[bool | None, bool | None]:
    """ "SME", "VCSE", "Both", "Neither" (or "SME and VCSE", "Charity"...) as the two flags."""
    words = set(normalise_heading(text(value)).split())
    if not words or is_blank_word(text(value)):
        return None, None
    if words & {"both"}:
        return True, True
    if words & {"neither", "no", "none", "large", "n"}:
        return False, False
    sme = bool(words & {"sme", "smes", "small", "medium", "micro"})
    vcse = bool(words & {"vcse", "vcs", "voluntary", "charity", "community", "social"})
    if not (sme or vcse):
        raise CellError(f"'{text(value)}' is not SME, VCSE, Both or Neither")
    return sme, vcse


def _registration(value: Any) -> tuple[str, str]:
    """One registration number as a company's or a charity's, by its shape."""
    raw = text(value).upper().replace(" ", "")
    if not raw or is_blank_word(raw):
        return "", ""
    try:
        return parse_company_number(raw), ""
    except CellError:
        return "", raw


def _risk(value: Any) -> str:
    """A risk rating as councils write it: Low, Medium, High, L, M, H, or a RAG colour."""
    raw = text(value)
    if not raw or is_blank_word(raw):
        return ""
    risk = RISKS.get(normalise_heading(raw))
    if risk is None:
        raise CellError(f"'{raw}' is not a risk rating: use Low, Medium or High")
    return risk


# Reads a row's cell for an attribute with a parser: the value, or None and a problem.
Parse = Callable[[str, Callable[[Any], Any]], Any]


def _read_terms(row: dict[str, Any], cells: dict[str, Any], parsed: Parse) -> None:
    """The contract's money, dates and numbers."""
    for attribute in (
        "whole_life_value",
        "annual_value",
        "irrecoverable_vat",
        "extension_options_value",
    ):
        row[attribute] = parsed(attribute, parse_money)
    for attribute in ("start_date", "review_date"):
        row[attribute] = parsed(attribute, parse_date)
    row["rolling"] = normalise_heading(text(cells.get("end_date"))) in ROLLING_WORDS
    row["end_date"] = None if row["rolling"] else parsed("end_date", parse_date)
    for attribute in ("extension_options", "extension_option_months"):
        row[attribute] = parsed(attribute, parse_whole_number)


def _read_supplier(row: dict[str, Any], cells: dict[str, Any], parsed: Parse) -> None:
    """The supplier's details, to find it on the register or to register it."""
    row["supplier_name"] = text(cells.get("supplier_name"))
    row["supplier_postcode"] = text(cells.get("supplier_postcode")).upper()[:10]
    for attribute in ("supplier_is_sme", "supplier_is_vcse"):
        row[attribute] = parsed(attribute, parse_yes_no)
    kind = parsed("supplier_kind", _supplier_kind)
    if kind:
        # The one column says both, where the two columns do not.
        for attribute, given in zip(("supplier_is_sme", "supplier_is_vcse"), kind, strict=True):
            if row[attribute] is None:
                row[attribute] = given
    company, charity = _registration(cells.get("supplier_registration"))
    number = parsed("supplier_companies_house_number", parse_company_number)
    row["supplier_companies_house_number"] = number or company
    number = text(cells.get("supplier_charity_number")).upper().replace(" ", "")
    row["supplier_charity_number"] = ("" if is_blank_word(number) else number) or charity


class RowChecker:
    """Each row read into a contract and checked by the contract's own form, every problem found
    at once: a value that cannot be read is left out, and the whole-row checks (the form's and
    the model's rules, permission on the directorate) run on whatever else the row holds."""

    def __init__(self, *, by: User, lookups: Lookups, result: ContractsImportResult) -> None:
        self.by = by
        self.lookups = lookups
        self.result = result
        self.seen: dict[tuple[str, str], int] = {}
        self.claimed: dict[int, int] = {}  # contract: the row that is it
        self.present = set(result.layout.positions.values())
        # The form's fields the file has no column for: a contract on the register keeps its own.
        self.kept = tuple(name for name in ContractRowForm.Meta.fields if name not in self.present)
        self.form = ContractRowForm()
        self.manager_gate = manager_gate(on=timezone.localdate())

    # --- Reading a row, cell by cell ------------------------------------------------------------

    def read(self, number: int, cells: dict[str, Any], shared: set[str]) -> dict[str, Any]:
        """The row's values, read as councils write them; a value that cannot be read is left
        out and a problem."""
        row: dict[str, Any] = {"number": number, "bad": set()}

        def problem(attribute: str, message: str) -> None:
            self.result.problems.append(
                Problem(number, COLUMN_BY_ATTRIBUTE[attribute].name, message)
            )
            row["bad"].add(attribute)

        def parsed(attribute: str, parser: Callable[[Any], Any]) -> Any:
            try:
                return parser(cells.get(attribute))
            except CellError as error:
                problem(attribute, str(error))
                return None

        row["problem"] = problem
        for attribute in ("reference", "lot", "title", "key_decision_reference"):
            row[attribute] = text(cells.get(attribute))
        row["description"] = text(cells.get("description"), lines=True)
        _read_supplier(row, cells, parsed)
        row["lot_given"] = bool(row["lot"])
        row["lot_of_supplier"] = not row["lot"] and row["reference"] in shared
        if row["lot_of_supplier"]:
            # One reference on several rows with no lot column: a contract for each supplier.
            row["lot"] = row["supplier_name"][:100]
        _read_terms(row, cells, parsed)
        row["procurement_route"] = parsed("procurement_route", self._route)
        row["risk_rating"] = parsed("risk_rating", _risk)
        # Read and checked against the CPV 2008 list by the contract form's own field.
        row["cpv_code"] = text(cells.get("cpv_code"))
        for attribute in ("directorate", "category", *PEOPLE):
            row[f"{attribute}_raw"] = text(cells.get(attribute))
        return row

    def _route(self, value: Any) -> str:
        """The procurement route, by the run's mapping or the ways councils name it."""
        raw = text(value)
        if not raw:
            return ""  # the form asks for it
        route = self.lookups.mapped("procurement_route", raw, ROUTES) or ""
        if route not in Contract.Route.values:
            self.result.unknown("procurement_route", raw)
            raise CellError(
                f"'{raw}' is not a procurement route: say which it is (Quotation, Published "
                "tender, Framework call-off or Direct award)"
            )
        return route

    # --- Checking the contract a row makes -------------------------------------------------------

    def check(self, row: dict[str, Any], existing: Contract | None) -> RowOutcome:
        """The contract the row makes or changes, checked, and whether it is new, changed or
        as it was."""
        contract = copy.copy(existing) if existing is not None else Contract()
        contract.lot = self._identify(row, existing)
        directorate = self._place(row, existing, contract)
        self._name_people(row, existing, contract)
        new_supplier = self._supply(row, contract)
        self._report(row, self.form.check(self._values(row, existing), instance=contract))
        if directorate is not None:
            # The same rule as editing a contract: permission on it as it stands and as it
            # would be.
            refusal = contract_change_refusal(by=self.by, current=existing, proposed=contract)
            if refusal:
                row["problem"]("directorate", refusal)
        refusal = untrained_manager_refusal(contract, current=existing, gate=self.manager_gate)
        if refusal:
            # Against the manager where the file names one, else the value that crossed the line.
            column = (
                "contract_manager" if "contract_manager" in self.present else "whole_life_value"
            )
            row["problem"](column, refusal)
        return self._outcome(row, existing, contract, new_supplier)

    def _identify(self, row: dict[str, Any], existing: Contract | None) -> str:
        """The contract's lot. A contract the file gives twice, or two rows that are one
        contract on the register, is a problem."""
        number, reference, lot = row["number"], row["reference"], row["lot"]
        if reference and (reference, lot) in self.seen:
            given = lot and not row["lot_of_supplier"]
            row["problem"](
                "lot" if given else "reference",
                f"'{reference}'{f' lot {lot}' if given else ''} is also on row "
                f"{self.seen[(reference, lot)]}"
                + (" with the same supplier" if row["lot_of_supplier"] else "")
                + ": each contract must appear once",
            )
        elif reference:
            self.seen[(reference, lot)] = number
        if existing is None:
            return lot
        if existing.pk in self.claimed and not row["bad"] & {"reference", "lot"}:
            row["problem"](
                "reference",
                f"This row and row {self.claimed[existing.pk]} are both contract "
                f"{existing.reference_and_lot}: give each lot its own row",
            )
        else:
            self.claimed.setdefault(existing.pk, number)
        # Without a lot of its own, the register's name for the lot stands.
        return lot if row["lot_given"] else existing.lot

    def _place(
        self, row: dict[str, Any], existing: Contract | None, contract: Contract
    ) -> Directorate | None:
        """The contract's directorate and category, by the council's names for them. Returns
        the directorate, if the row names one it may be in."""
        directorate = self._directorate(row, existing)
        if directorate is not None:
            contract.directorate = directorate
        raw = row["category_raw"]
        category = self.lookups.category(raw) if raw and not is_blank_word(raw) else None
        if raw and not is_blank_word(raw) and category is None:
            row["problem"]("category", f"'{raw}' is not a contract category: say which it is")
            self.result.unknown("category", raw)
        if "category" in self.present:
            contract.category = category
        return directorate

    def _directorate(self, row: dict[str, Any], existing: Contract | None) -> Directorate | None:
        raw = row["directorate_raw"]
        directorate = self.lookups.directorate(raw) if raw else None
        if directorate is None:
            row["problem"](
                "directorate",
                f"'{raw}' is not a directorate of the council: say which it is"
                if raw
                else "Enter the directorate",
            )
            if raw:
                self.result.unknown("directorate", raw)
            return None
        if (
            not directorate.is_active
            and getattr(existing, "directorate_id", None) != directorate.pk
        ):
            row["problem"](
                "directorate",
                f"{directorate.name} is no longer one of the council's directorates in use: "
                "choose the one that took on its contracts",
            )
            return None
        return directorate

    def _name_people(
        self, row: dict[str, Any], existing: Contract | None, contract: Contract
    ) -> None:
        """The contract manager and lead director, by name or email address."""
        for attribute, label in PEOPLE.items():
            if attribute in self.present:
                person = self._person(row, attribute, label, existing)
                setattr(contract, f"{attribute}_id", person)

    def _person(
        self, row: dict[str, Any], attribute: str, label: str, existing: Contract | None
    ) -> int | None:
        """The person a cell names. A legacy register names people who never used the service:
        the contract goes in without them, as a gap on the data-quality page, not a refusal;
        and a name the service cannot match never takes away the officer the register holds."""
        raw = row[f"{attribute}_raw"]
        user, why = self.lookups.person(raw) if raw and not is_blank_word(raw) else (None, "")
        kept = getattr(existing, f"{attribute}_id", None)
        note = ""
        if why:
            note = f"{why}: the {label} {'on the register is kept' if kept else 'is left empty'}"
        elif user is not None and not user.is_active and user.pk != kept:
            note = (
                f"{user.get_full_name() or user.email} no longer uses the service: the "
                f"data-quality page lists the contract for a new {label}"
            )
        if note:
            column = COLUMN_BY_ATTRIBUTE[attribute].name
            self.result.notes.append(Problem(row["number"], column, note))
        if why:
            return kept
        return user.pk if user else None

    def _supply(self, row: dict[str, Any], contract: Contract) -> Supplier | None:
        """The contract's supplier; returns it if the import is to register it."""
        supplier, new_supplier = self._supplier(row)
        if supplier is not None or new_supplier is not None:
            contract.supplier = supplier or new_supplier
        return new_supplier

    def _values(self, row: dict[str, Any], existing: Contract | None) -> dict[str, Any]:
        """What the row gives the contract form; for a contract on the register, its own value
        where the file has no column."""
        values = {name: row[name] for name in ContractRowForm.Meta.fields}
        if existing is not None:
            values.update({name: getattr(existing, name) for name in self.kept})
        values["is_rolling"] = row["rolling"]
        if row["end_date"] is None and not row["rolling"] and "end_date" not in row["bad"]:
            # A register leaves the end blank for a contract that has none: it is rolling,
            # reviewed on its review date, and the officer is told.
            values["is_rolling"] = True
            self.result.notes.append(
                Problem(
                    row["number"],
                    COLUMN_BY_ATTRIBUTE["end_date"].name,
                    "No end date: imported as a rolling contract, reviewed on its review date",
                )
            )
        return values

    def _report(self, row: dict[str, Any], errors: ErrorDict) -> None:
        """The form's refusals as problems of the row's columns. One about a value already
        reported as unreadable says nothing new, and is dropped."""
        for name, messages in errors.items():
            attribute = "end_date" if name == "is_rolling" else name
            if attribute in row["bad"]:
                continue
            column = COLUMN_BY_ATTRIBUTE.get(attribute)
            self.result.problems.extend(
                Problem(row["number"], column.name if column else "", message)
                for message in messages
            )
            row["bad"].add(attribute)

    def _outcome(
        self,
        row: dict[str, Any],
        existing: Contract | None,
        contract: Contract,
        new_supplier: Supplier | None,
    ) -> RowOutcome:
        if row["bad"]:
            return RowOutcome(None, "")
        if existing is None:
            return RowOutcome(contract, "create", new_supplier)
        before = [getattr(existing, name) for name in CONTRACT_ATTRIBUTES]
        after = [getattr(contract, name) for name in CONTRACT_ATTRIBUTES]
        return RowOutcome(contract, "update" if after != before else "unchanged", new_supplier)

    def _supplier(self, row: dict[str, Any]) -> tuple[Supplier | None, Supplier | None]:
        name = row["supplier_name"]
        if not name:
            row["problem"]("supplier_name", "Enter the supplier's name")
            return None, None
        supplier = self.lookups.supplier_for(row)
        if supplier is not None:
            # A supplier first named earlier in this file is new until the import writes it.
            return (supplier, None) if supplier.pk else (None, supplier)
        if not self.by.has_perm("contracts.manage_suppliers"):
            row["problem"](
                "supplier_name", f"'{name}' is not a registered supplier: ask to register it"
            )
            return None, None
        new = Supplier(
            name=name,
            companies_house_number=row["supplier_companies_house_number"],
            charity_number=row["supplier_charity_number"],
            postcode=row["supplier_postcode"],
            is_sme=bool(row["supplier_is_sme"]),
            is_vcse=bool(row["supplier_is_vcse"]),
        )
        try:
            new.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for attribute, messages in error.message_dict.items():
                column = f"supplier_{attribute}"
                for message in messages:
                    row["problem"](
                        column if column in COLUMN_BY_ATTRIBUTE else "supplier_name", message
                    )
            return None, None
        # Later rows naming the same supplier use this one.
        self.lookups.remember(new)
        return None, new


def _shared_references(rows: Iterator[tuple[int, list[Any]]], position: int | None) -> set[str]:
    """The references that more than one row gives (lots, or several suppliers)."""
    if position is None:
        return set()
    seen: set[str] = set()
    shared: set[str] = set()
    for _, cells in rows:
        reference = text(cells[position]) if position < len(cells) else ""
        if reference in seen:
            shared.add(reference)
        seen.add(reference)
    shared.discard("")
    return shared


def _existing(batch: list[dict[str, Any]]) -> dict[tuple[str, str], Contract]:
    """The contracts the batch's rows are, by reference and lot. Where the row's lot is not on
    the register, the one contract under its reference with its supplier is it: a contract
    imported before its reference had several rows (no lot yet), or a lot named on the register
    that a file without a lot column tells apart by its supplier."""
    found: dict[tuple[str, str], Contract] = {}
    by_supplier: dict[tuple[str, str], list[Contract]] = {}
    for contract in Contract.objects.filter(
        reference__in={row["reference"] for row in batch}
    ).select_related("supplier"):
        found[(contract.reference, contract.lot)] = contract
        by_supplier.setdefault((contract.reference, contract.supplier.name.lower()), []).append(
            contract
        )
    for row in batch:
        key = (row["reference"], row["lot"])
        if key in found:
            continue
        # A lot named in the file matches only a contract with no lot yet; a row without one
        # of its own matches whichever lot its supplier has.
        candidates = [
            contract
            for contract in by_supplier.get((row["reference"], row["supplier_name"].lower()), [])
            if not row["lot_given"] or not contract.lot
        ]
        if len(candidates) == 1:
            found[key] = candidates[0]
    return found


def _run(
    stream: IO[bytes],
    filename: str,
    *,
    by: User,
    write: bool,
    reason: str,
    mapping: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ContractsImportResult:
    result = ContractsImportResult()
    rows, values = table_begin(stream, filename, COLUMNS, mapping, result)
    if rows is None:
        return result
    layout = result.layout
    where = {attribute: position for position, attribute in layout.positions.items()}
    if "lot" not in where:
        shared = _shared_references(rows, where.get("reference"))
        stream.seek(0)
        _, rows = read_table(stream, filename, COLUMNS, mapping=(mapping or {}).get("columns"))
    else:
        shared = set()
    lookups = Lookups(values)
    checker = RowChecker(by=by, lookups=lookups, result=result)
    for batch in batches(layout, rows):
        result.rows += len(batch)
        read = [checker.read(number, cells, shared) for number, cells in batch]
        lookups.load_suppliers(read)
        existing = _existing(read)
        outcomes = [
            checker.check(row, existing.get((row["reference"], row["lot"]))) for row in read
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
        if progress:
            progress(result.rows, layout.estimated_rows)
    if result.rows == 0:
        result.problems.append(
            Problem(layout.heading_row + 1, "", "The file has a heading row but no contracts")
        )
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
    if creates or updates:
        contracts_written_in_bulk.send(sender=Contract)
    data_changed()
    return len(new_suppliers)


# What importing the file would do, and every problem in it (writing nothing); and the
# import: every row, or, if any row has a problem, nothing at all.
contracts_import_check, contracts_import = check_and_import(
    _run, permission="contracts.import_contracts"
)


KIND = register(
    ImportKind(
        key="contracts",
        noun="contract",
        columns=COLUMNS,
        permission="contracts.import_contracts",
        check=contracts_import_check,
        run=contracts_import,
        counts=lambda result: [
            ("Rows read", result.rows),
            ("Rows ready to import", result.ready),
            ("Contracts to add", result.created),
            ("Contracts to update", result.updated),
            ("Contracts unchanged", result.unchanged),
        ],
        done=lambda result: (
            f"{counted(result.created, 'contract')} added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        ),
        value_choices={
            "directorate": lambda: [
                (str(d.pk), d.name) for d in Directorate.objects.filter(is_active=True)
            ],
            "category": lambda: [
                (str(c.pk), c.name) for c in ContractCategory.objects.filter(is_active=True)
            ],
            "procurement_route": lambda: list(Contract.Route.choices),
        },
        value_create={
            "directorate": (
                "procurement.manage_directorates",
                lambda name, *, by, reason: str(
                    directorate_create(name=name, by=by, reason=reason).pk
                ),
            ),
        },
    )
)
