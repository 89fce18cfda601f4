"""The payments import at scale: a finance system's CSV of 100,000, 250,000 and 500,000 payment
lines (``BENCH_PAYMENT_ROWS``, comma-separated), against a register of ``BENCH_SPEND_CONTRACTS``
demo contracts (default 5,000) and their suppliers, checked and imported through the services the
background task calls (spend/importing.py), each file from a source of its own so that every line
is new. Reports seconds and the peak growth of the process's resident memory for each, with the
load average; the target is the 500,000-line import within 60 s, memory flat as the file grows.
The alerts the import hands to the worker when it commits are timed in a column of their own.
``BENCH_DATABASE_URL=postgres://… python -m bench.spend_import``; ``BENCH_SPEND_RUNS`` repeats the
largest file (default 1).
"""

import argparse
import csv
import os
import random
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

if __name__ == "__main__":
    # Asked for help, say what this does and start nothing: the run takes minutes.
    argparse.ArgumentParser(
        prog="python -m bench.spend_import",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    ).parse_args()

# isort: off
from bench.environment import workdir  # sets Django up for the benchmark

from celery.signals import task_postrun, task_prerun
from django.db import connection
from django.utils import timezone

from bench import register, timing
from contracts.models import Contract, Supplier
from procurement.models import Directorate, User
from spend.importing import payments_import, payments_import_check
from spend.models import KeptSpend, Payment, PaymentSource

# isort: on

TARGET_S = 60
SIZES = [int(n) for n in os.environ.get("BENCH_PAYMENT_ROWS", "100000,250000,500000").split(",")]
HEADINGS = [
    "Supplier Name",
    "Date Paid",
    "Transaction No",
    "Line Number",
    "Amount Paid",
    "Department Area",
    "Expense Type",
    "PO Number",
    "Company Reg No",
    "Contract Ref",
    "Cost Centre",
]
EXPENSES = ["Cleaning", "Home care", "Repairs", "Consultancy", "Equipment", "Transport", "Food"]


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def payment_file(path: Path, lines: int, *, seed: int = 30) -> None:
    """A year of payments as a finance system exports it: register suppliers written their own
    way (some with a company number that lost its zero, some with a contract reference),
    redacted payees, payees not on the register, credit notes in brackets or with CR, and
    transactions of one to four lines."""
    rng = random.Random(seed)  # noqa: S311 - a file of made-up payments, not a secret
    suppliers = list(Supplier.objects.values_list("pk", "name", "companies_house_number"))
    contracts: dict[int, list[str]] = {}
    for supplier, reference in Contract.objects.values_list("supplier", "reference"):
        contracts.setdefault(supplier, []).append(reference)
    directorates = list(Directorate.objects.values_list("name", flat=True))
    strangers = [f"Local Trader {n} Ltd" for n in range(3000)]
    start = date(2025, 4, 1)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Payments to suppliers, 2025/26"])
        writer.writerow([])
        writer.writerow(HEADINGS)
        written, transaction = 0, 4000000
        while written < lines:
            transaction += 1
            pick = rng.random()
            pk, name, company = rng.choice(suppliers)
            if pick < 0.05:
                name, company = rng.choice(["REDACTED", "Personal data"]), ""
            elif pick < 0.15:
                name, company = rng.choice(strangers), ""
            else:
                name = rng.choice([name, name.upper(), name.replace("Ltd", "Limited")])
                company = company.lstrip("0") if company and rng.random() < 0.3 else ""
            references = contracts.get(pk) or [""]
            reference = rng.choice(references) if rng.random() < 0.2 else ""
            paid = (start + timedelta(days=rng.randrange(365))).strftime("%d/%m/%Y")
            directorate = rng.choice(directorates)
            for line in range(1, min(rng.randint(1, 4), lines - written) + 1):
                amount = rng.randrange(1000, 5000000) / 100
                written_amount = f"{amount:,.2f}"
                if rng.random() < 0.04:
                    written_amount = rng.choice([f"({amount:.2f})", f"{amount:.2f}CR"])
                writer.writerow(
                    [
                        name,
                        paid,
                        transaction,
                        line,
                        written_amount,
                        directorate,
                        rng.choice(EXPENSES),
                        f"PO{rng.randrange(100000, 999999)}" if rng.random() < 0.5 else "",
                        company,
                        reference,
                        f"CC{rng.randrange(100, 999)}",
                    ]
                )
                written += 1


class PeakMemory:
    """The most the process's resident memory grew above where it started, sampled."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.base = self.peak = self._rss()
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _watch(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.05)

    def __enter__(self) -> "PeakMemory":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.base) / 1024 / 1024


class QueuedWork:
    """Seconds spent in tasks the import hands to the worker once it commits (the spend
    threshold alerts, the rebuild of the spend lists' kept figures): here they run in-process,
    inside the call, and are timed apart, as a worker would run them after the import has
    finished."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.started: dict[str, float] = {}

    def __enter__(self) -> "QueuedWork":
        task_prerun.connect(self._start)
        task_postrun.connect(self._stop)
        return self

    def __exit__(self, *exc) -> None:
        task_prerun.disconnect(self._start)
        task_postrun.disconnect(self._stop)

    def _start(self, task_id, **kwargs) -> None:
        self.started[task_id] = time.perf_counter()

    def _stop(self, task_id, **kwargs) -> None:
        self.seconds += time.perf_counter() - self.started.pop(task_id)


def _one(path: Path, lines: int, label: str, partner: User) -> tuple:
    source = PaymentSource.objects.create(name=f"Ledger {label}")
    load_before = _load()
    start = time.perf_counter()
    with path.open("rb") as stream:
        checked = payments_import_check(
            stream=stream, filename=path.name, by=partner, source=source.pk
        )
    check_s = time.perf_counter() - start
    assert checked.ok, checked.problems[:5]
    with PeakMemory() as memory, QueuedWork() as queued, path.open("rb") as stream:
        start = time.perf_counter()
        result = payments_import(
            stream=stream, filename=path.name, by=partner, reason="Benchmark", source=source.pk
        )
        import_s = time.perf_counter() - start - queued.seconds
    assert result.added == lines == Payment.objects.filter(source=source).count()
    # The lists' kept figures were rebuilt after the commit (timed with the queued work).
    assert KeptSpend.objects.filter(lines_for=timezone.localdate(), contracts_kept=True).exists()
    return (
        label,
        f"{lines:,}",
        f"{check_s:.1f}",
        f"{import_s:.1f}",
        f"{queued.seconds:.1f}",
        f"{memory.grown_mb:.0f}",
        f"{result.matched * 100 // lines}% / {result.attributed * 100 // lines}%",
        load_before,
        _load(),
    ), import_s


def run(*, contracts: int | None = None) -> list[str]:
    """Time the imports against a register of ``contracts`` seeded here, or, without, against
    the register the database holds (under ``make bench``, the register benchmark's)."""
    if contracts:
        seconds = register.seed(contracts=contracts)
        print(f"Register seeded in {seconds:.0f} s")
    print(
        f"Register: {Contract.objects.count():,} contracts, {Supplier.objects.count():,} "
        "suppliers\n"
    )
    partner = User.objects.get(email="partner@northmere.example")
    runs = int(os.environ.get("BENCH_SPEND_RUNS", "1"))
    sizes = SIZES + [SIZES[-1]] * (runs - 1)
    failures, figures, files = [], [], {}
    for attempt, lines in enumerate(sizes, start=1):
        if lines not in files:
            files[lines] = workdir / f"payments-{lines}.csv"
            payment_file(files[lines], lines)
        row, import_s = _one(files[lines], lines, f"{attempt}", partner)
        figures.append(row)
        if lines >= 500000 and import_s > TARGET_S:
            failures.append(f"payments import {attempt}: {import_s:.0f} s > {TARGET_S} s")
    timing.table(
        figures,
        (
            "run",
            "lines",
            "check s",
            f"import s (target <= {TARGET_S} at 500k)",
            "after commit s (alerts, lists rebuilt)",
            "peak memory growth MB",
            "supplier / contract matched",
            "load before (1, 5, 15 min)",
            "load after",
        ),
    )
    return failures


def main() -> int:
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Benchmark database: {connection.vendor} ({name})\n")
    try:
        failures = run(contracts=int(os.environ.get("BENCH_SPEND_CONTRACTS", "5000")))
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
