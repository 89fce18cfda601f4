"""Demo payments: a year of the demo council's payments from its finance system, up to today,
made so that every spend list shows something real. Always the same (a seeded random).

- Payments under the register's contracts, month by month, to suppliers the finance system
  writes its own way: some with their company or charity number (matched by number), some with
  the name written differently ("ASHFIELD CARE LIMITED" for "Ashfield Care Ltd": matched by name).
- A few payees whose names are near a register supplier's (a typo in the finance system's
  supplier record): they wait in the review queue with the supplier as a likely candidate; one
  was confirmed already, so its payments match themselves.
- Redacted payees (personal data), credit notes and reversed lines.
- Payees not on the register, paid over each of the contract procedure rules' thresholds in
  several directorates; one of them a grant and one under a waiver, both explained.
- A contract paid past 80% of its whole-life value, one past 100%, and one paid after its end.
- Invoice dates on most lines: most paid within 14 days, some late (over 30 days).

The payments are written in batches through one import ("Demo payments"), matched to suppliers
and contracts by the same rules as an import (spend/matching.py). The count grows with the
register, to a cap, so ``seed_demo --contracts 100000`` stays quick.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import Contract, Supplier
from procurement.caching import data_changed
from procurement.dates import long_date
from procurement.history import save_with_history
from procurement.models import Directorate, ImportMapping, User
from procurement.roles import Role
from procurement.tabular import normalise_heading

from .matching import SupplierIndex, attribute_contracts
from .models import Explanation, Payment, PaymentImport, PaymentSource, SupplierMatch
from .names import is_redacted, name_keys, payee_key, score
from .services.kept import kept_spend_rebuild
from .signals import payments_changed

SOURCE = "Finance system (Agresso)"
FILENAME = "Demo payments"
REASON = "Demo data (seed_demo)."
BODY = "Northmere Council"
BATCH = 2000
LINES_PER_CONTRACT = 10
FEWEST_LINES = 3000
MOST_LINES = 50000
DAYS = 364  # a year of payments, up to today
REDACTED = "REDACTED - personal data"
NEAR_NAMES = 4
NEAR_ENOUGH = 85  # the settings' default match threshold: offered first in the queue

# How the finance system writes each demo directorate (mapped by the saved mapping's values).
AREAS = {
    "asc": "ADULTS AND HEALTH",
    "cs": "CHILDRENS SERVICES",
    "ec": "ENVIRONMENT & COMMUNITIES",
    "hsg": "HOUSING",
    "res": "RESOURCES",
}
SERVICE_AREAS = {
    "asc": ["Older People", "Learning Disabilities", "Mental Health", "Commissioning"],
    "cs": ["Children in Care", "SEND", "Early Help", "Education"],
    "ec": ["Highways", "Waste and Recycling", "Parks and Open Spaces", "Libraries"],
    "hsg": ["Homelessness", "Housing Repairs", "Tenancy Services"],
    "res": ["ICT", "Finance", "Legal Services", "Human Resources", "Property"],
}
EXPENDITURE = {
    "Care and support services": "Third Party Payments - Care",
    "Professional and business services": "Supplies and Services - Professional Fees",
    "Works and construction": "Premises - Repairs and Maintenance",
    "Goods and commodities": "Supplies and Services - Equipment",
}
OTHER_EXPENDITURE = "Supplies and Services - Other"

# Payees not on the register: name, the directorates that pay it, the year's total, and why it
# is paid with no contract where an officer has explained it (kind, waiver reference, note).
OFF_REGISTER = [
    ("Riverside Catering Ltd", ["ec", "cs"], Decimal("7400"), None),
    ("Pennine Minibus Hire", ["cs", "asc"], Decimal("41800"), None),
    ("Castlegate Consulting LLP", ["res", "hsg"], Decimal("128500"), None),
    ("Northmere Agency Staffing Ltd", ["asc", "cs", "hsg"], Decimal("264300"), None),
    ("Northmere Stationery Direct", ["asc", "cs", "ec", "hsg", "res"], Decimal("23900"), None),
    (
        "Northmere Citizens Advice",
        ["hsg", "asc"],
        Decimal("48000"),
        (Explanation.Kind.GRANT, "", "The council's annual advice services grant."),
    ),
    (
        "Brightpath Specialist Placements Ltd",
        ["cs"],
        Decimal("96000"),
        (
            Explanation.Kind.WAIVER,
            "WVR-2026-014",
            "A single child's specialist placement: no other provider could meet the need.",
        ),
    ),
]
# Small payees not on the register, paid now and then; the last few wait for an officer.
SMALL_PAYEES = [
    "Hillside Garden Centre",
    "A1 Locksmiths",
    "Bramley Print & Design",
    "Cooper's Plumbing",
    "Dale Street Dental Practice",
    "Eastgate Florists",
    "Fairway Taxis",
    "Greenfield Farm Shop",
    "Harper Signs Ltd",
    "Ivy House Cafe",
    "Jubilee Hall Trust",
    "Kingsway Motors",
    "Lakeside Outdoor Centre",
    "Moorland Pest Control",
    "Northmere Scouts",
    "Orchard Veterinary Surgery",
    "Parkside Photography",
    "Quayside Removals",
    "Riverbank Tree Surgery",
    "St Anne's Church Hall",
]
SMALL_WAITING = 3


@dataclass
class World:
    """What the payments are drawn from, read once."""

    rng: random.Random
    today: date
    source: PaymentSource
    batch: PaymentImport
    index: SupplierIndex
    directorates: dict[str, Directorate]
    budget: int
    payments: list[Payment] = field(default_factory=list)
    written: int = 0
    number: int = 0
    # supplier pk: how the finance system writes it (payee, its number or not, its own id)
    records: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    matched: dict[tuple, tuple[int | None, str]] = field(default_factory=dict)
    # The suppliers of the contracts paid to show a warning: paid nothing else, so it holds.
    warned: set[int] = field(default_factory=set)

    def code_of(self, directorate_id: int | None) -> str:
        for code, directorate in self.directorates.items():
            if directorate.pk == directorate_id:
                return code
        return ""


def build(*, options: dict) -> str:
    if PaymentImport.objects.filter(source__name=SOURCE, filename=FILENAME).exists():
        return "Spend: the demo payments are loaded already."
    partner = User.objects.filter(groups__name=Role.BUSINESS_PARTNER.label).order_by("pk").first()
    contracts = Contract.objects.count()
    if partner is None or not contracts or not Directorate.objects.exists():
        return "Spend: skipped (the demo council's people and contracts are missing)."
    source = _source(partner)
    _mapping(partner)
    _decisions(source, partner)
    world = _world(source, partner, contracts)
    _contract_payments(world)
    _near_names(world, partner)
    _off_register(world)
    _redacted(world)
    _flush(world, final=True)
    _finish(world)
    return (
        f"Spend: added {world.written} demo payments over the year to "
        f"{long_date(world.today)} from {SOURCE}, matched to the register."
    )


# --- The source, its mapping and the officers' decisions ---------------------------------------


def _source(partner: User) -> PaymentSource:
    source = PaymentSource.objects.filter(name=SOURCE).first()
    if source is None:
        source = save_with_history(
            PaymentSource(
                name=SOURCE,
                description="The council's finance system: supplier payments, exported monthly.",
            ),
            by=partner,
            reason=REASON,
        )
    return source


# The sample payment file's headings (docs/samples/payments-agresso.csv): what each holds.
MAPPING_COLUMNS = {
    "Department Area": "directorate",
    "Service Area": "service_area",
    "Expenditure Category": "expenditure_category",
    "Payment Date": "paid_on",
    "HBC Ref No.": "transaction_ref",
    "Line": "line",
    "Name:": "payee",
    "Supplier ID": "supplier_ref",
    "Amount Paid": "amount",
    "Invoice Date": "invoice_date",
    "Invoice Received": "invoice_received_on",
    "PO Number": "purchase_order",
    "Company Reg No": "company_number",
}


def _mapping(partner: User) -> None:
    """The source's saved mapping: its headings, and its directorates as the council's."""
    if ImportMapping.objects.filter(kind="payments", name__iexact=SOURCE).exists():
        return
    directorates = {d.code: d for d in Directorate.objects.filter(code__in=AREAS)}
    values = {
        normalise_heading(written): str(directorates[code].pk)
        for code, written in AREAS.items()
        if code in directorates
    }
    mapping = ImportMapping(
        kind="payments",
        name=SOURCE,
        columns={normalise_heading(h): attr for h, attr in MAPPING_COLUMNS.items()},
        values={"directorate": values},
    )
    save_with_history(mapping, by=partner, reason=f"Mapping saved as {SOURCE}")


def _decisions(source: PaymentSource, partner: User) -> None:
    """The officers' decisions so far: the payees they found are not on the register, and why
    two of them are paid with no contract."""
    directorates = {d.code: d for d in Directorate.objects.all()}
    undecided = set(SMALL_PAYEES[-SMALL_WAITING:])
    payees = [(name, explained) for name, _, _, explained in OFF_REGISTER]
    payees += [(name, None) for name in SMALL_PAYEES if name not in undecided]
    for name, explained in payees:
        key = payee_key(name)
        if SupplierMatch.objects.filter(source=source, payee_key=key).exists():
            continue
        decided = SupplierMatch(source=source, payee_key=key, payee=name, decided_by=partner)
        save_with_history(decided, by=partner, reason="Not a supplier on the register.")
        if explained is None:
            continue
        kind, waiver, note = explained
        where = next(codes for each, codes, _, _ in OFF_REGISTER if each == name)
        explanation = Explanation(
            source=source,
            payee_key=key,
            directorate=directorates.get(where[0]) if kind == Explanation.Kind.WAIVER else None,
            kind=kind,
            waiver_reference=waiver,
            note=note,
            explained_by=partner,
        )
        save_with_history(explanation, by=partner, reason=note)


def _world(source: PaymentSource, partner: User, contracts: int) -> World:
    batch = PaymentImport.objects.create(
        source=source, filename=FILENAME, imported_by=partner, reason=REASON
    )
    return World(
        rng=random.Random(2030),  # noqa: S311 - repeatable demo data, not security
        today=timezone.localdate(),
        source=source,
        batch=batch,
        index=SupplierIndex.read(source.pk),
        directorates={d.code: d for d in Directorate.objects.order_by("code")},
        budget=min(max(contracts * LINES_PER_CONTRACT, FEWEST_LINES), MOST_LINES),
    )


# --- Writing lines ------------------------------------------------------------------------------


def _invoice(rng: random.Random, paid_on: date) -> tuple[date | None, date | None]:
    """When the invoice was dated and received: most paid within 14 days, some late."""
    draw = rng.random()
    if draw < 0.08:
        return None, None
    if draw < 0.74:
        days = rng.randint(1, 14)
    elif draw < 0.92:
        days = rng.randint(15, 30)
    else:
        days = rng.randint(31, 75)
    received = paid_on - timedelta(days=days)
    return received - timedelta(days=rng.randint(0, 6)), received


def _add(world: World, *, payee: str, amount: Decimal, paid_on: date, code: str, **fields):
    """One line, matched to its supplier as an import matches it."""
    world.number += 1
    rng = world.rng
    company, charity = fields.pop("company", ""), fields.pop("charity", "")
    redacted = is_redacted(payee)
    key = payee_key(payee)
    seen = (payee, company, charity)
    if seen not in world.matched:
        world.matched[seen] = world.index.match(
            payee=payee, key=key, company=company, charity=charity, redacted=redacted
        )
    supplier, how = world.matched[seen]
    invoice_date, received = fields.pop("invoice", None) or _invoice(rng, paid_on)
    directorate = world.directorates.get(code)
    world.payments.append(
        Payment(
            source=world.source,
            batch=world.batch,
            transaction_ref=fields.pop("transaction_ref", f"{5100000 + world.number}"),
            line=fields.pop("line", "1"),
            paid_on=paid_on,
            amount=amount,
            body=BODY,
            directorate=directorate,
            service_area=fields.pop("service_area", None)
            or rng.choice(SERVICE_AREAS.get(code, ["Services"])),
            payee=payee,
            payee_key=key,
            is_redacted=redacted,
            company_number=company,
            charity_number=charity,
            invoice_date=invoice_date,
            invoice_received_on=received,
            supplier_id=supplier,
            supplier_match=how,
            **fields,
        )
    )
    _flush(world)


def _flush(world: World, *, final: bool = False) -> None:
    if len(world.payments) >= BATCH or (final and world.payments):
        Payment.objects.bulk_create(world.payments, batch_size=BATCH)
        world.written += len(world.payments)
        world.payments = []


def _months(world: World, first: date, last: date) -> list[date]:
    """A payment day in each month of the year that falls between ``first`` and ``last``."""
    days = []
    for month in range(12):
        day = world.today - timedelta(days=30 * month + world.rng.randint(0, 27))
        if first <= day <= last and day >= world.today - timedelta(days=DAYS):
            days.append(day)
    return sorted(days)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# --- Payments under the register's contracts ----------------------------------------------------


def _written(world: World, supplier: Supplier) -> tuple[str, str, str, str]:
    """How the finance system's supplier record writes a register supplier: its name (as the
    register has it, in capitals, or with its legal ending another way), with its company or
    charity number or without, and its own supplier id."""
    if supplier.pk in world.records:
        return world.records[supplier.pk]
    rng = world.rng
    name = supplier.name
    style = rng.random()
    if style < 0.3:
        name = name.upper()
    elif style < 0.65:
        swapped = (
            name.replace(" Ltd", " Limited")
            if " Ltd" in name
            else name.replace(" Limited", " LTD").replace(" plc", " PLC")
        )
        name = swapped.upper() if swapped == name else swapped
    numbered = rng.random() < 0.5
    company = supplier.companies_house_number if numbered else ""
    charity = supplier.charity_number if numbered and not company else ""
    record = (name, company, charity, f"S{10000 + len(world.records):05d}")
    world.records[supplier.pk] = record
    return record


def _live_contracts(world: World) -> list[Contract]:
    start = world.today - timedelta(days=DAYS)
    wanted = max(world.budget * 3 // 4 // 7, 1)
    return list(
        Contract.objects.filter(start_date__lte=world.today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=start))
        .select_related("supplier", "category")
        .order_by("reference")[:wanted]
    )


@dataclass
class Special:
    """The contracts paid to show a warning: past 80%, past 100%, paid after their end."""

    over_80: Contract | None = None
    over_100: Contract | None = None
    after_end: Contract | None = None


def _specials(world: World, contracts: list[Contract]) -> Special:
    year_ago = world.today - timedelta(days=DAYS)
    whole_year = sorted(
        (
            c
            for c in contracts
            if c.start_date <= year_ago
            and (c.end_date is None or c.end_date > world.today)
            and c.terminated_on is None
            and c.whole_life_value >= Decimal("10000")
        ),
        key=lambda c: (c.whole_life_value, c.reference),
    )
    ended = [
        c
        for c in contracts
        if c.end_date is not None
        and world.today - timedelta(days=240) <= c.end_date <= world.today - timedelta(days=60)
        and c.start_date <= c.end_date - timedelta(days=180)
        and c.terminated_on is None
    ]
    special = Special()
    if len(whole_year) >= 2:
        special.over_100, special.over_80 = whole_year[0], whole_year[1]
    if ended:
        special.after_end = ended[0]
    return special


def _contract_payments(world: World) -> None:
    contracts = _live_contracts(world)
    special = _specials(world, contracts)
    # The warnings' contracts first, so a register larger than the payments reaches them.
    first = [c for c in (special.over_100, special.over_80, special.after_end) if c]
    contracts = first + [c for c in contracts if c not in first]
    targets = {
        getattr(special.over_100, "pk", None): Decimal("1.08"),
        getattr(special.over_80, "pk", None): Decimal("0.86"),
    }
    for contract in contracts:
        if world.written + len(world.payments) >= world.budget * 3 // 4:
            break
        last = contract.end_date or world.today
        if contract.terminated_on:
            last = min(last, contract.terminated_on)
        by_reference = contract.pk in targets or contract == special.after_end
        if contract == special.after_end:
            last = world.today  # paid on after the contract ended
        days = _months(world, contract.start_date, last)
        if not days:
            continue
        if contract.pk in targets:
            total = contract.whole_life_value * targets[contract.pk]
        else:
            share = Decimal(world.rng.randint(40, 75)) / 100
            total = contract.annual_value * share * len(days) / 12
        _pay_contract(world, contract, days, total, by_reference=by_reference)
    world.warned = {c.supplier_id for c in first}
    _across_directorates(world, [c for c in contracts if c.supplier_id not in world.warned])


def _pay_contract(world, contract, days, total, *, by_reference: bool) -> None:
    rng = world.rng
    name, company, charity, ref = _written(world, contract.supplier)
    code = world.code_of(contract.directorate_id)
    category = contract.category.name if contract.category else ""
    each = total / len(days)
    for day in days:
        amount = _money(each * Decimal(rng.randint(85, 115)) / 100)
        with_order = by_reference or rng.random() < 0.35
        fields = {
            "company": company,
            "charity": charity,
            "supplier_ref": ref,
            "expenditure_category": EXPENDITURE.get(category, OTHER_EXPENDITURE),
            "purchase_order": contract.reference if with_order else "",
        }
        _add(world, payee=name, amount=amount, paid_on=day, code=code, **fields)
        draw = rng.random()
        if draw < 0.02:  # a credit note for part of the invoice, a few days later
            credit = _money(-amount * Decimal(rng.randint(5, 40)) / 100)
            later = min(day + timedelta(days=rng.randint(3, 20)), world.today)
            _add(world, payee=name, amount=credit, paid_on=later, code=code, **fields)
        elif draw < 0.03:  # a line reversed in the same payment run: it nets off
            reversal = {**fields, "transaction_ref": f"{5100000 + world.number}", "line": "2"}
            _add(world, payee=name, amount=-amount, paid_on=day, code=code, **reversal)


def _across_directorates(world: World, contracts: list[Contract]) -> None:
    """A register supplier paid by every directorate, with or without a contract there."""
    if not contracts:
        return
    supplier = contracts[0].supplier
    name, company, charity, ref = _written(world, supplier)
    for code in world.directorates:
        for day in _months(world, world.today - timedelta(days=DAYS), world.today)[::3]:
            amount = _money(Decimal(world.rng.randint(40000, 450000)) / 100)
            _add(
                world,
                payee=name,
                amount=amount,
                paid_on=day,
                code=code,
                company=company,
                charity=charity,
                supplier_ref=ref,
                expenditure_category=OTHER_EXPENDITURE,
            )


# --- Near names, payees not on the register, redacted payees ------------------------------------


def _near_name(world: World, supplier: Supplier) -> str | None:
    """The supplier's name with a typo in its first word, where that is near enough to offer it
    and matches no supplier by itself."""
    first, _, rest = supplier.name.partition(" ")
    if len(first) < 5:
        return None
    typo = first[:2] + first[3] + first[2] + first[4:]
    near = f"{typo} {rest}"
    keys = name_keys(near)
    if any(key in world.index.keys for key in keys):
        return None
    if score(payee_key(near), payee_key(supplier.name)) < NEAR_ENOUGH:
        return None
    return near


def _near_names(world: World, partner: User) -> None:
    """Payees whose names are near a register supplier's: they wait for an officer, but the
    first, which an officer has confirmed, so its payments match themselves."""
    found = 0
    contracts = (
        Contract.objects.filter(start_date__lte=world.today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=world.today))
        .select_related("supplier")
        .order_by("-reference")[:200]
    )
    used = set(world.warned)
    for contract in contracts:
        if found >= NEAR_NAMES:
            break
        near = None if contract.supplier_id in used else _near_name(world, contract.supplier)
        if near is None:
            continue
        used.add(contract.supplier_id)
        if not found:
            _confirm(world, partner, near, contract.supplier)
        found += 1
        code = world.code_of(contract.directorate_id)
        ref = f"S{20000 + found:05d}"
        for day in _months(world, contract.start_date, world.today)[-4:]:
            amount = _money(contract.annual_value / 12 * Decimal(world.rng.randint(30, 60)) / 100)
            _add(world, payee=near, amount=amount, paid_on=day, code=code, supplier_ref=ref)


def _confirm(world: World, partner: User, near: str, supplier: Supplier) -> None:
    key = payee_key(near)
    decided = SupplierMatch(
        source=world.source,
        payee_key=key,
        payee=near,
        supplier=supplier,
        score=score(key, payee_key(supplier.name)),
        decided_by=partner,
    )
    save_with_history(decided, by=partner, reason="The same supplier: a typo in our records.")
    world.index.confirmed[key] = supplier.pk
    world.matched = {seen: found for seen, found in world.matched.items() if seen[0] != near}


def _off_register(world: World) -> None:
    rng = world.rng
    year = (world.today - timedelta(days=DAYS), world.today)
    for number, (name, codes, total, _) in enumerate(OFF_REGISTER):
        days = _months(world, *year)
        for code in codes:
            # The first directorate pays the total over its threshold; the others a tenth of it.
            each = total / len(days) / (1 if code == codes[0] else 10)
            for day in days:
                amount = _money(each * Decimal(rng.randint(90, 110)) / 100)
                _add(
                    world,
                    payee=name,
                    amount=amount,
                    paid_on=day,
                    code=code,
                    supplier_ref=f"S{30000 + number:05d}",
                    expenditure_category=OTHER_EXPENDITURE,
                )
    for number, name in enumerate(SMALL_PAYEES):
        for _ in range(rng.randint(2, 6)):
            day = world.today - timedelta(days=rng.randint(0, DAYS))
            amount = _money(Decimal(rng.randint(5000, 90000)) / 100)
            _add(
                world,
                payee=name,
                amount=amount,
                paid_on=day,
                code=rng.choice(list(AREAS)),
                supplier_ref=f"S{31000 + number:05d}",
                expenditure_category=OTHER_EXPENDITURE,
            )


def _redacted(world: World) -> None:
    """Payments to people, their names withheld: direct payments and carers' allowances."""
    rng = world.rng
    for _ in range(max(world.budget // 50, 20)):
        code = rng.choice(["asc", "cs"])
        day = world.today - timedelta(days=rng.randint(0, DAYS))
        amount = _money(Decimal(rng.randint(5000, 250000)) / 100)
        category = "Direct Payments" if code == "asc" else "Foster Carer Allowances"
        _add(
            world,
            payee=REDACTED,
            amount=amount,
            paid_on=day,
            code=code,
            expenditure_category=category,
            invoice=(None, None),
        )


def _finish(world: World) -> None:
    """Work out the payments' contracts, count the import, and tell whoever keeps figures."""
    payments = Payment.objects.filter(batch=world.batch)
    attribute_contracts(payments)
    world.batch.rows = world.batch.added = world.written
    world.batch.save(update_fields=["rows", "added"])
    contract_ids = set(
        payments.filter(contract__isnull=False).values_list("contract", flat=True).distinct()
    )
    kept_spend_rebuild()
    data_changed()  # bulk writes send no signals
    transaction.on_commit(lambda: payments_changed.send(sender=Payment, contract_ids=contract_ids))
