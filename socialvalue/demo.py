"""Demo social value: a second, illustratively valued version of the council's measures (loaded
through the import), commitments on running contracts, and quarterly returns, most verified, some
awaiting the contract manager, one queried, and some contracts behind target.

The demo's proxy values are the demo council's own illustrations, not any licensed national set.
"""

import io
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract
from contracts.selectors import running_condition
from procurement.models import User

from .importing import COLUMNS, measures_import
from .models import Commitment, Measure, MeasureLibrary, quarter_end
from .services import (
    commitment_add,
    quarters_open,
    return_query,
    return_record,
    return_verify,
)

CONTRACTS = 16
DEMO_LIBRARY = "Northmere illustrative values"
# code: (illustrative £ per unit or "", quantity range committed, evidence)
MEASURES = {
    "LSV1": ("250", (2, 10), "Letters of thanks from the schools and community groups supported."),
    "LSV2": ("", (1, 5), "Crowdfunder pledge receipts."),
    "LSV3": ("1", (1000, 10000), "Crowdfunder pledge receipts."),
    "LSV4": ("16.50", (100, 800), "Volunteering timesheets signed by the host organisations."),
    "LSV5": ("1200", (5, 30), "Enrolment records from the college and apprenticeship agreements."),
    "LSV6": ("400", (3, 20), "Work experience placement records."),
    "LSV7": ("", (50000, 500000), "Invoices from local subcontractors and suppliers."),
    "LSV8": ("", (1, 1), "Waste and energy report for the quarter."),
}


def build(*, options: dict) -> str:
    if Commitment.objects.filter(contract__reference__startswith="DEMO-").exists():
        return "Social value: the demo commitments and returns are already there."
    people = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@northmere.example")
    }
    if not {"partner", "head", "admin"} <= set(people):
        return "Social value: skipped (the demo council's people are missing)."
    _load_demo_values(people["admin"])
    libraries = list(MeasureLibrary.objects.order_by("pk")[:2])
    today = timezone.localdate()
    rng = random.Random(2027)  # noqa: S311 - repeatable demo data, not security
    contracts = list(
        Contract.objects.filter(reference__startswith="DEMO-", whole_life_value__gt=100000)
        .filter(running_condition(today=today), start_date__lte=today - timedelta(days=200))
        .select_related("contract_manager")
        .order_by("reference")[:CONTRACTS]
    )
    returns = 0
    for number, contract in enumerate(contracts):
        library = libraries[number % len(libraries)]
        returns += _plan(contract, library, number, rng, today, people)
    return (
        f"Social value: a valued version of the council's measures, plans on {len(contracts)} "
        f"contracts and {returns} returns."
    )


def _load_demo_values(by: User) -> None:
    """An illustrative 2026/27 version of the council's measures with proxy values."""
    default = MeasureLibrary.objects.order_by("pk").first()
    lines = [",".join(f'"{column.name}"' for column in COLUMNS)]
    for measure in Measure.objects.filter(library=default).select_related("outcome__theme"):
        cells = [
            DEMO_LIBRARY,
            "2026/27",
            "2026",
            "Northmere Council's social value policy (demo)",
            "Illustrative values for the demo council; not a licensed national set",
            measure.outcome.theme.name,
            measure.outcome.name,
            measure.code,
            measure.description,
            measure.unit,
            MEASURES[measure.code][0] if measure.code in MEASURES else "",
        ]
        lines.append(",".join('"{}"'.format(cell.replace('"', '""')) for cell in cells))
    measures_import(
        stream=io.BytesIO("\n".join(lines).encode()),
        filename="demo-values.csv",
        by=by,
        reason="Demo data (seed_demo).",
    )


def _plan(contract, library, number: int, rng: random.Random, today, people) -> int:
    recorder = people["partner"]
    checker = contract.contract_manager
    if checker is None or checker == recorder:
        checker = people["head"]
    measures = list(Measure.objects.filter(library=library, code__in=MEASURES).order_by("order"))
    behind = number % 3 == 1
    recorded = 0
    for index, measure in enumerate(rng.sample(measures, 3)):
        low, high = MEASURES[measure.code][1]
        quantity = Decimal(rng.randint(low, high))
        commitment = commitment_add(
            contract=contract,
            measure=measure,
            quantity=quantity,
            target_date=contract.end_date or add_months(today, 12),
            note="Offered in the tender and confirmed at contract signature.",
            by=recorder,
        )
        quarters = [q for q in reversed(quarters_open(contract, today)) if quarter_end(q) < today]
        term = max(len(quarters_open(contract, contract.end_date or add_months(today, 12))), 1)
        pace = Decimal("0.4") if behind and index == 0 else Decimal("1.1")
        so_far = Decimal("0")
        for position, start in enumerate(quarters):
            # Whole units, spread so that small commitments still move some quarters.
            due = min((quantity * pace * (position + 1) / term).to_integral_value(), quantity)
            delivered, so_far = due - so_far, due
            delivery_return = return_record(
                commitment=commitment,
                period_start=start,
                quantity=delivered,
                evidence=MEASURES[measure.code][2],
                by=recorder,
                today=today,
            )
            recorded += 1
            last = position == len(quarters) - 1
            if last and number % 4 == 0:
                continue  # the latest quarter awaits the contract manager
            if last and number % 4 == 1 and index == 1:
                return_query(
                    delivery_return=delivery_return,
                    query="The timesheets do not say which organisations hosted the hours.",
                    by=checker,
                )
                continue
            return_verify(delivery_return=delivery_return, by=checker)
    return recorded
