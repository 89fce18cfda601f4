"""The spend lists at a large council's size (issue target in brackets): spend with no contract
and contracts past their value or dates (<= 300 ms each, cold), with the same number of queries
at a tenth of the payments as at all of them.

Where the database holds fewer payments than ``BENCH_PAYMENTS`` (default 500,000), they are made
here, written directly in bulk: two years of payments to the register's suppliers, about a third
under a contract (some of them past its value or after its end), most of the rest under none
(to suppliers on the register, to payees not on it, and redacted), a few waiting for an officer.
Like an import, the benchmark then rebuilds the lists' kept figures (docs/decisions/0052) and
reports how long that took. Each page is timed built afresh (the cached pieces retired before
each request), three runs, the median reported with the machine's load average beside it.

``python -m bench.spend_pages`` runs this alone, on a throwaway database with a register of
``BENCH_CONTRACTS`` contracts (default 10,000); ``make bench`` runs it with the rest.
"""

import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

if __name__ == "__main__":
    from bench.environment import workdir  # noqa: F401 - sets Django up for the benchmark

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.timing import page, table
from contracts.models import Contract, Supplier
from procurement.models import Directorate, User
from spend.models import Payment, PaymentImport, PaymentSource
from spend.names import payee_key
from spend.services.kept import kept_spend_rebuild

TARGET_MS = 300
RUNS = 3
# Each page, its address and its target (the issue sets one for the two lists; the index is
# timed for the record, its queries held constant).
PAGES = [
    ("spend with no contract", "/spend/no-contract/", TARGET_MS),
    (
        "spend with no contract, one band",
        "/spend/no-contract/?band=30000.00&explained=no",
        TARGET_MS,
    ),
    ("contracts past their value", "/spend/over-value/", TARGET_MS),
    ("spend index", "/spend/", None),
]
BATCH = 10_000
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def _payment(number: int, rng: random.Random, world: dict, batch: PaymentImport) -> Payment:
    today = timezone.localdate()
    paid_on = today - timedelta(days=rng.randrange(730))
    amount = Decimal(rng.randrange(-50_000, 2_500_000)) / 100
    kind = rng.random()
    fields = {}
    if kind < 0.35:
        contract = rng.choice(world["contracts"])
        fields = {
            "supplier_id": contract[1],
            "supplier_match": Match.NAME,
            "contract_id": contract[0],
            "contract_match": ContractMatch.ONLY_LIVE,
            "directorate_id": contract[2],
            "payee": f"Supplier {contract[1]}",
        }
    elif kind < 0.65:
        supplier = rng.choice(world["suppliers"])
        fields = {"supplier_id": supplier, "supplier_match": Match.NAME, "payee": f"S {supplier}"}
    elif kind < 0.93:
        fields = {"supplier_match": Match.NOT_ON_REGISTER, "payee": f"Payee {rng.randrange(20000)}"}
    elif kind < 0.97:
        fields = {"supplier_match": Match.REDACTED, "payee": "REDACTED", "is_redacted": True}
    else:
        fields = {
            "supplier_match": Match.WAITING,
            "contract_match": ContractMatch.WAITING,
            "payee": f"Near {rng.randrange(2000)}",
        }
    fields.setdefault("contract_match", ContractMatch.NONE)
    fields.setdefault("directorate_id", rng.choice(world["directorates"]))
    return Payment(
        source=batch.source,
        batch=batch,
        transaction_ref=f"B{number:08d}",
        line="1",
        paid_on=paid_on,
        amount=amount,
        payee_key="" if fields.get("is_redacted") else payee_key(fields["payee"]),
        **fields,
    )


def seed_payments(total: int) -> float:
    """Make payments up to ``total`` in bulk; the seconds it took."""
    have = Payment.objects.count()
    if have >= total:
        return 0.0
    start = time.perf_counter()
    source, _ = PaymentSource.objects.get_or_create(name="Benchmark finance system")
    batch = PaymentImport.objects.create(source=source, filename="bench.csv", reason="Benchmark")
    world = {
        "contracts": list(
            Contract.objects.values_list("pk", "supplier_id", "directorate_id")[:20000]
        ),
        "suppliers": list(Supplier.objects.values_list("pk", flat=True)[:20000]),
        "directorates": list(Directorate.objects.values_list("pk", flat=True)),
    }
    rng = random.Random(30 + have)  # noqa: S311 - made-up data, not secrets
    for first in range(have, total, BATCH):
        rows = [
            _payment(number, rng, world, batch)
            for number in range(first, min(first + BATCH, total))
        ]
        Payment.objects.bulk_create(rows, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - start


def rebuild() -> float:
    """Rebuild the lists' kept figures, as an import of the payments would; the seconds it took
    (what an import and the nightly job pay for the lists to be read as they are)."""
    start = time.perf_counter()
    kept_spend_rebuild()
    return time.perf_counter() - start


def measure() -> dict:
    client = Client()
    client.force_login(User.objects.get(email="head@northmere.example"))
    found = {}
    for name, path, target in PAGES:
        client.get(path)
        found[name] = {**page(client, path, requests=RUNS), "load": _load(), "target": target}
    return found


def run() -> list[str]:
    """Time the spend lists at a tenth of the payments and then at all of them; return what
    misses its target or runs more queries at the larger size."""
    total = int(os.environ.get("BENCH_PAYMENTS", "500000"))
    seeded = seed_payments(total // 10)
    rebuilt_small = rebuild()
    small = measure()
    seeded += seed_payments(total)
    rebuilt = rebuild()
    large = measure()
    print(
        f"Payments: {Payment.objects.count():,} (made in {seeded:.1f} s); the lists' kept "
        f"figures rebuilt in {rebuilt:.2f} s ({rebuilt_small:.2f} s at 1/10), load {_load()}\n"
    )
    failures, rows = [], []
    for name, result in large.items():
        before = small[name]
        rows.append(
            (
                name,
                f"{result['median']:.1f}",
                result["queries"],
                f"{before['median']:.1f}",
                before["queries"],
                result["load"],
            )
        )
        if result["target"] and result["median"] > result["target"]:
            failures.append(f"{name}: {result['median']:.0f} ms > {result['target']} ms")
        if result["queries"] != before["queries"]:
            failures.append(f"{name}: {before['queries']} queries, then {result['queries']}")
    table(
        rows,
        ("page (cold, median of 3)", "ms", "queries", "ms at 1/10", "queries at 1/10", "load"),
    )
    return failures


def main() -> int:
    from bench.register import seed

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Benchmark database: {connection.vendor} ({name})\n")
    try:
        seed(contracts=int(os.environ.get("BENCH_CONTRACTS", "10000")))
        failures = run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
