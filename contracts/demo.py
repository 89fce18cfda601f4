"""Demo contracts for the fictional council: realistic values, dates and gaps, always the same.

``seed_demo`` adds 300; ``seed_demo --contracts 100000`` builds a large register for benchmarks.
Rows are written in batches with their history (``bulk_create_with_history``).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from procurement.caching import data_changed
from procurement.models import ContractCategory, Directorate, User
from procurement.roles import Role

from .lead_times import add_months
from .models import Contract, Supplier
from .signals import contracts_written_in_bulk

DEFAULT_CONTRACTS = 300
PREFIX = "DEMO-"
REASON = "Demo data (seed_demo)."
BATCH = 2000

SUBJECTS = {
    "Care and support services": [
        "Home care",
        "Supported living",
        "Residential care placements",
        "Day opportunities",
        "Carers' support service",
        "Reablement",
        "Children's residential placements",
        "Short breaks for disabled children",
        "Advocacy service",
        "Domestic abuse refuge",
    ],
    "Professional and business services": [
        "External audit support",
        "Legal services panel",
        "Payroll system licence",
        "Temporary staffing",
        "Occupational health",
        "Translation and interpreting",
        "Insurance broking",
        "Cyber security testing",
    ],
    "Works and construction": [
        "Highways resurfacing",
        "School roof replacement",
        "Responsive repairs",
        "Gas servicing",
        "Street lighting maintenance",
        "Leisure centre refurbishment",
        "Flood defence works",
    ],
    "Goods and commodities": [
        "Office stationery",
        "Fleet vehicles",
        "Electricity supply",
        "IT hardware",
        "Library books",
        "Grit salt",
        "Personal protective equipment",
    ],
}
# The main CPV code of each subject that has a fitting one among the demo's codes
# (procurement/demo.py); the rest are left for the register's gaps.
SUBJECT_CPV_CODES = {
    "Home care": "85310000-5",
    "Supported living": "85310000-5",
    "Residential care placements": "85310000-5",
    "Day opportunities": "85310000-5",
    "Carers' support service": "85310000-5",
    "Reablement": "85000000-9",
    "Children's residential placements": "85310000-5",
    "Short breaks for disabled children": "85310000-5",
    "Advocacy service": "85000000-9",
    "Domestic abuse refuge": "85310000-5",
    "External audit support": "79411000-8",
    "Payroll system licence": "72000000-5",
    "Occupational health": "85000000-9",
    "Insurance broking": "66510000-8",
    "Cyber security testing": "72000000-5",
    "Highways resurfacing": "45000000-7",
    "School roof replacement": "45000000-7",
    "Responsive repairs": "45000000-7",
    "Gas servicing": "45000000-7",
    "Street lighting maintenance": "45000000-7",
    "Leisure centre refurbishment": "45000000-7",
    "Flood defence works": "45000000-7",
    "Electricity supply": "09310000-5",
    "IT hardware": "30200000-1",
}
AREAS = ["north", "south", "east", "west", "central", "borough-wide"]
NAME_PARTS = (
    ["Ash", "Beacon", "Brook", "Castle", "Cedar", "Elm", "Harbour", "Kestrel", "Meadow", "Oak"],
    ["field", "gate", "side", "wood", "stone", "well", "bridge", "vale", "ridge", "ford"],
    ["Care", "Services", "Solutions", "Group", "Partnership", "Contractors", "Supplies", "Trust"],
    ["Ltd", "Limited", "LLP", "CIC", "plc"],
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--contracts",
        type=int,
        default=DEFAULT_CONTRACTS,
        help=f"How many demo contracts the register should hold (default {DEFAULT_CONTRACTS}).",
    )


def _suppliers(rng: random.Random, wanted: int) -> list[Supplier]:
    existing = list(Supplier.objects.order_by("pk"))
    new = []
    for n in range(len(existing), wanted):
        first, second, kind, suffix = (rng.choice(part) for part in NAME_PARTS)
        charity = kind in {"Trust", "Partnership"} and rng.random() < 0.6
        new.append(
            Supplier(
                name=f"{first}{second} {kind} {suffix} ({n + 1})",
                companies_house_number="" if charity else f"{9000000 + n:08d}",
                charity_number=f"{1100000 + n}" if charity else "",
                postcode=f"NM{rng.randint(1, 20)} {rng.randint(1, 9)}AB",
                is_sme=rng.random() < 0.55,
                is_vcse=charity or rng.random() < 0.08,
                is_local=rng.random() < 0.4,
                is_in_house=n % 97 == 0,
            )
        )
    if new:
        bulk_create_with_history(new, Supplier, batch_size=BATCH, default_change_reason=REASON)
        data_changed()  # bulk writes send no signals
    return list(Supplier.objects.order_by("pk"))


def _value(rng: random.Random) -> Decimal:
    band = rng.random()
    if band < 0.35:
        low, high = 5_000, 50_000
    elif band < 0.6:
        low, high = 50_000, 100_000
    elif band < 0.9:
        low, high = 100_000, 1_500_000
    else:
        low, high = 1_500_000, 25_000_000
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def build(*, options: dict) -> str:
    wanted = options.get("contracts", DEFAULT_CONTRACTS)
    have = Contract.objects.filter(reference__startswith=PREFIX).count()
    if have >= wanted:
        return f"Contracts: the register already holds {have} demo contracts."
    rng = random.Random(2026 + have)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    directorates = list(Directorate.objects.order_by("code"))
    categories = {c.name: c for c in ContractCategory.objects.all()}
    managers = list(
        User.objects.filter(
            groups__name__in=[Role.CONTRACT_MANAGER.label, Role.PROCUREMENT_OFFICER.label]
        )
    )
    directors = list(User.objects.filter(groups__name=Role.EXECUTIVE_DIRECTOR.label))
    if not (directorates and managers and directors and categories):
        return "Contracts: skipped (the demo council's people and categories are missing)."
    suppliers = _suppliers(rng, max(20, wanted // 5))
    last = Contract.objects.filter(reference__startswith=PREFIX).aggregate(m=Max("reference"))["m"]
    number = int(last.removeprefix(PREFIX)) if last else 0
    batch: list[Contract] = []
    for _ in range(wanted - have):
        number += 1
        batch.append(
            _contract(rng, number, today, directorates, categories, suppliers, managers, directors)
        )
        if len(batch) >= BATCH:
            bulk_create_with_history(
                batch, Contract, batch_size=BATCH, default_change_reason=REASON
            )
            batch = []
    if batch:
        bulk_create_with_history(batch, Contract, batch_size=BATCH, default_change_reason=REASON)
    contracts_written_in_bulk.send(sender=Contract)
    data_changed()  # bulk writes send no signals
    return f"Contracts: added {wanted - have} demo contracts ({wanted} in all)."


def _contract(
    rng, number, today, directorates, categories, suppliers, managers, directors
) -> Contract:
    category_name = rng.choice(list(SUBJECTS))
    value = _value(rng)
    years = rng.choice([1, 2, 3, 3, 4, 5])
    # Spread start dates so that some contracts are expiring, some overdue, some not started.
    start = today - timedelta(days=rng.randint(-120, 365 * years + 200))
    end = add_months(start, 12 * years) - timedelta(days=1)
    options = rng.choice([0, 0, 1, 2, 2])
    option_months = 12 if options else 0
    used = rng.randint(0, options) if options and end < today + timedelta(days=200) else 0
    if used:
        end = add_months(end, option_months * used)
    incomplete = rng.random() < 0.12
    named = value > Decimal("50000") or rng.random() < 0.5
    # One in 25 is rolling (no end date), reviewed within the year; one in 40 is a legacy
    # contract that names no lead director: gaps for the data-quality page to show.
    rolling = number % 25 == 7
    legacy_gap = number % 40 == 11
    review = None if incomplete else min(add_months(start, 12), end)
    if rolling:
        end, options, option_months, used = None, 0, 0, 0
        start = min(start, today)
        review = None if incomplete else today + timedelta(days=number % 365 + 1)
    contract = Contract(
        reference=f"{PREFIX}{number:06d}",
        title=f"{rng.choice(SUBJECTS[category_name])} ({rng.choice(AREAS)})",
        description="" if incomplete else f"Demo contract {number} for the fictional council.",
        directorate=rng.choice(directorates),
        category=None if incomplete and rng.random() < 0.5 else categories[category_name],
        supplier=rng.choice(suppliers),
        contract_manager=rng.choice(managers) if named else None,
        lead_director=rng.choice(directors) if named else None,
        whole_life_value=value,
        annual_value=(value / years).quantize(Decimal("0.01")),
        irrecoverable_vat=Decimal("0.00"),
        start_date=start,
        end_date=end,
        review_date=review,
        extension_options=options,
        extension_option_months=option_months,
        extension_options_value=(value * Decimal("0.2") if options else Decimal("0")).quantize(
            Decimal("0.01")
        ),
        extensions_used=used,
        procurement_route=rng.choice(
            [
                Contract.Route.TENDER,
                Contract.Route.TENDER,
                Contract.Route.FRAMEWORK,
                Contract.Route.QUOTE,
            ]
            if value > Decimal("100000")
            else [
                Contract.Route.QUOTE,
                Contract.Route.QUOTE,
                Contract.Route.FRAMEWORK,
                Contract.Route.DIRECT_AWARD,
            ]
        ),
        key_decision_reference=f"KD-{start.year}-{number % 500:03d}"
        if value > Decimal("500000")
        else "",
        risk_rating=rng.choice(["low", "medium", "medium", "high"]) if not incomplete else "",
    )
    if not incomplete:
        contract.cpv_code = SUBJECT_CPV_CODES.get(contract.title.rsplit(" (", 1)[0], "")
    if legacy_gap:
        # Drawn all the same above, so that the rest of the demo does not change with the gap.
        contract.lead_director = None
    return contract
