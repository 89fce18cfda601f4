"""Demo contract management: KPIs with returns (some amber, red or late), performance reviews with
actions, exceptions at each stage, savings, risk assessments and strategic suppliers.

Built through the same services as the pages, by the contracts' own managers, so every record has
its history and obeys the rules.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.lead_times import add_months
from contracts.models import Contract
from contracts.selectors import running_condition
from procurement.history import save_with_history
from procurement.models import PlanTheme, User

from .models import Kpi, KpiDefinition, PerformanceReview, financial_year_of
from .services import (
    exception_close,
    exception_record_meeting,
    exception_respond,
    kpi_create,
    kpi_return_record,
    review_record,
    risk_assess,
    saving_record,
)

# What the demo's reviews find delivered against the Council Plan themes, by theme.
DELIVERED = (
    "The provider recruited six volunteers from the estate and runs a monthly drop-in.",
    "Two thirds of the people supported live in the borough's most deprived wards.",
    "Early help referrals answered within five days, before needs escalate.",
)


def _theme_deliveries(number: int) -> dict:
    """One theme of the plan for each demo review, in turn (none for every third)."""
    themes = list(PlanTheme.objects.filter(is_active=True).order_by("order", "name"))
    if not themes or number % 3 == 0:
        return {}
    index = number % len(themes)
    return {themes[index]: DELIVERED[index % len(DELIVERED)]}


CONTRACTS = 24
REASON = "Demo data (seed_demo)."
HIGHER, LOWER = KpiDefinition.Direction.HIGHER, KpiDefinition.Direction.LOWER
# name, measure, unit, target, direction, tolerance
KPIS = {
    "Care and support services": [
        ("Visits on time", "Visits started within 15 minutes of the plan", "%", 95, HIGHER, 5),
        ("Missed visits", "Visits not made, per 1,000 planned", "per 1,000", 2, LOWER, 1),
        ("People satisfied", "Service users satisfied in the quarterly survey", "%", 85, HIGHER, 5),
    ],
    "Works and construction": [
        ("Jobs completed on time", "Jobs finished by the agreed date", "%", 90, HIGHER, 5),
        ("Defects at handover", "Defects recorded at each handover", "defects", 3, LOWER, 2),
        ("Local labour", "Site hours worked by local residents", "%", 30, HIGHER, 5),
    ],
    "Goods and commodities": [
        ("Orders delivered complete", "Orders delivered in full first time", "%", 97, HIGHER, 2),
        ("Delivered within 48 hours", "Orders delivered within 48 hours", "%", 95, HIGHER, 5),
        ("Invoice errors", "Invoices needing correction", "invoices", 1, LOWER, 1),
    ],
    "Professional and business services": [
        ("Responses within the agreed time", "Requests answered in time", "%", 95, HIGHER, 5),
        ("Invoices right first time", "Invoices with no query", "%", 98, HIGHER, 2),
        ("Complaints", "Complaints upheld in the quarter", "complaints", 2, LOWER, 1),
    ],
}
EXPLANATION = "Two experienced staff left in the same month and cover was slow to arrive."
PLAN = "Recruit two staff within eight weeks; weekly progress calls with the contract manager."


def build(*, options: dict) -> str:
    if Kpi.objects.filter(contract__reference__startswith="DEMO-").exists():
        return "Contract management: the demo KPIs and reviews are already there."
    people = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@northmere.example")
    }
    if not {"manager", "director", "head"} <= set(people):
        return "Contract management: skipped (the demo council's people are missing)."
    today = timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not security
    contracts = list(
        Contract.objects.filter(reference__startswith="DEMO-", whole_life_value__gt=50000)
        .filter(running_condition(today=today), start_date__lte=today - timedelta(days=200))
        .select_related("category", "contract_manager", "lead_director")
        .order_by("reference")[:CONTRACTS]
    )
    exceptions = 0
    for number, contract in enumerate(contracts):
        if number < 8:
            # The demo contract manager and director follow a handful, so their pages show some.
            contract.contract_manager = people["manager"]
            contract.lead_director = people["director"]
            save_with_history(contract, by=people["head"], reason=REASON)
        exceptions += _manage(contract, number, rng, today, people)
    biggest = sorted(contracts, key=lambda c: c.whole_life_value, reverse=True)[:3]
    for contract in biggest:
        supplier = contract.supplier
        supplier.is_strategic = True
        save_with_history(supplier, by=people["head"], reason=REASON)
    return (
        f"Contract management: KPIs, returns, reviews and savings on {len(contracts)} contracts, "
        f"{exceptions} exceptions, {len(biggest)} strategic suppliers."
    )


def _manage(contract: Contract, number: int, rng: random.Random, today, people) -> int:
    manager = contract.contract_manager
    struggling = number % 5 == 1
    templates = KPIS.get(contract.category.name if contract.category else "", [])
    kpis = [
        kpi_create(
            contract=contract,
            fields={
                "name": name,
                "measure": measure,
                "unit": unit,
                "target": Decimal(target),
                "direction": direction,
                "tolerance": Decimal(tolerance),
                "frequency": Kpi.Frequency.QUARTERLY,
            },
            by=manager,
            reason=REASON,
        )
        for name, measure, unit, target, direction, tolerance in (
            templates or KPIS["Professional and business services"]
        )
    ]
    opened = []
    for index, kpi in enumerate(kpis):
        periods = kpi.periods(until=today)
        if number % 4 == 0 and index == 0:
            periods = periods[:-1]  # this return is late
        for position, (start, _) in enumerate(periods):
            red = struggling and index == 0 and position == len(periods) - 1
            _, exception = kpi_return_record(
                kpi=kpi,
                period_start=start,
                value=_value(kpi, rng, red=red),
                comment="Below target: see the exception." if red else "",
                by=manager,
                today=today,
            )
            if exception:
                opened.append(exception)
    held_on = today - timedelta(days=rng.randint(10, 80))
    following = add_months(held_on, 6)
    review = review_record(
        contract=contract,
        held_on=held_on,
        rating=PerformanceReview.Rating.REQUIRES_IMPROVEMENT
        if struggling and number % 2
        else rng.choice([PerformanceReview.Rating.GOOD, PerformanceReview.Rating.APPROACHING]),
        narrative="Quarterly review with the provider: KPIs, complaints, staffing and "
        "social value commitments discussed.",
        next_review_date=following
        if contract.end_date is None or following <= contract.end_date
        else None,
        frequency_months=6,
        actions=[
            (
                "Send the next quarter's staffing plan",
                "Provider's account manager",
                held_on + timedelta(days=30),
            ),
        ],
        themes=_theme_deliveries(number),
        by=manager,
        today=today,
    )
    opened += list(review.exceptions.all())
    for stage, exception in enumerate(opened, start=number):
        if stage % 3 == 0:
            continue  # awaiting the provider's response
        exception_respond(
            exception=exception, provider_explanation=EXPLANATION, remedial_plan=PLAN, by=manager
        )
        exception_record_meeting(
            exception=exception,
            meeting_date=today - timedelta(days=3),
            attendees="Operations director for the provider",
            notes="Explained the shortfall and committed to the plan.",
            by=manager,
        )
        if stage % 3 == 2:
            exception_close(
                exception=exception,
                closure_note="The plan is delivered and the latest returns are on target.",
                by=people["head"],
                today=today,
            )
    if number % 2 == 0:
        first = financial_year_of(contract.start_date)
        for year in range(first, financial_year_of(today)):
            saving_record(
                contract=contract,
                financial_year=year,
                cashable=Decimal(rng.randrange(0, 40)) * 1000,
                non_cashable=Decimal(rng.randrange(0, 15)) * 1000,
                note="Rates held below inflation; fewer call-outs.",
                by=manager,
                today=today,
            )
    levels = ["low", "low", "medium", "high"]
    risk_assess(
        contract=contract,
        financial=rng.choice(levels),
        operational=rng.choice(levels),
        contractual=rng.choice(levels[:3]),
        supplier_failure=rng.choice(levels),
        review_date=today + timedelta(days=rng.randint(20, 180)),
        reason="Annual risk assessment",
        by=manager,
        today=today,
    )
    return len(opened)


def _value(kpi: Kpi, rng: random.Random, *, red: bool) -> Decimal:
    """A return near the target: mostly on it, sometimes amber, red where the story needs it."""
    if red:
        shortfall = kpi.tolerance + Decimal(rng.randint(1, 4))
    elif rng.random() < 0.2:
        shortfall = kpi.tolerance * Decimal(rng.randint(1, 9)) / 10
    else:
        shortfall = -Decimal(rng.randint(0, 3))
    value = kpi.target - shortfall if kpi.direction == HIGHER else kpi.target + shortfall
    value = max(value, Decimal(0))
    return min(value, Decimal(100)) if kpi.unit == "%" else value
