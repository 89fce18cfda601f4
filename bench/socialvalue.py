"""Social value pages keep a constant query count as commitments and returns grow.

Runs after the register benchmark, on its contracts and their demo plans, then again with 2,000
more commitments, each with four verified quarterly returns: the portfolio's groupings, its CSV
export and a contract's plan.
"""

from datetime import date
from decimal import Decimal

from django.test import Client
from simple_history.utils import bulk_create_with_history

from bench.timing import page, table
from contracts.models import Contract
from procurement.models import User
from procurement.roles import Role
from procurement.services import user_set_roles
from socialvalue.models import Commitment, DeliveryReturn, Measure, quarter_end

QUARTERS = [date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 1)]
REASON = "Benchmark"


GROWTH = 2000


def _grow(more: int, by: User) -> Contract:
    measures = list(Measure.objects.all())
    contracts = Contract.objects.exclude(social_value_commitments__isnull=False).order_by("pk")
    made = []
    for contract in contracts[: more // len(measures) + 1]:
        for measure in measures:
            made.append(
                Commitment(
                    contract=contract,
                    measure=measure,
                    quantity=Decimal(100),
                    target_date=date(2027, 3, 31),
                    source=Commitment.Source.ADDED,
                    created_by=by,
                )
            )
    made = bulk_create_with_history(
        made[:more], Commitment, default_user=by, default_change_reason=REASON
    )
    returns = [
        DeliveryReturn(
            commitment=commitment,
            period_start=start,
            period_end=quarter_end(start),
            quantity=Decimal(20),
            evidence="Benchmark evidence",
            status=DeliveryReturn.Status.VERIFIED,
            recorded_by=by,
            checked_by=by,
        )
        for commitment in Commitment.objects.filter(pk__in=[c.pk for c in made])
        for start in QUARTERS
    ]
    bulk_create_with_history(
        returns, DeliveryReturn, default_user=by, default_change_reason=REASON, batch_size=2000
    )
    return made[-1].contract  # a plan of every measure, four returns each


def run() -> list[str]:
    reader = User.objects.create_user(email="bench-social-value@council.example")
    user_set_roles(user=reader, roles=[Role.HEAD_OF_PROCUREMENT], by=None, reason=REASON)
    client = Client()
    client.force_login(reader)
    paths = [
        "/social-value/",
        "/social-value/?by=directorate",
        "/social-value/?by=supplier",
        "/social-value/?by=year&year=2025",
        "/social-value/social-value.csv?by=supplier",
    ]
    results = {}
    before = Commitment.objects.count()
    for more in (0, GROWTH):
        contract = _grow(more, reader) if more else Commitment.objects.first().contract
        results[more] = {path: page(client, path) for path in paths}
        # The plan measured is a different contract's each time: name the row, not the path.
        results[more]["a contract's plan"] = page(client, f"/social-value/contracts/{contract.pk}/")
    rows, failures = [], []
    for path in results[0]:
        small, large = results[0][path], results[GROWTH][path]
        rows.append((path, small["queries"], large["queries"], f"{large['median']:.1f}"))
        if small["queries"] != large["queries"]:
            failures.append(
                f"{path}: {small['queries']} queries at {before} commitments, "
                f"{large['queries']} with {GROWTH} more"
            )
    print("Social value pages")
    table(rows, ("page", f"queries @{before}", f"queries @+{GROWTH}", "median ms after"))
    return failures
