"""The alert jobs at scale (issue targets in brackets).

- the daily renewal alert job: <= 2 s at 100,000 contracts, and its time at 100,000 less than
  3 times its time at 10,000 (it reads what is due, not the register)
- the weekly escalation digests: <= 10 s at 100,000 contracts, and less than 3 times the time at
  10,000
- the daily job's number of queries does not grow with the number of contracts

Each size runs the job for today first (the first catch-up: on a new register every contract
already inside a lead time is alerted at once; no target, reported with its growth), then the
three days after it, each a day like any other (the median is reported), that last day again
(sends nothing), and the digests of three weeks not yet sent (the median). At 100,000 the first
run catches up the 90,000 contracts added since the 10,000 run. Emails go to memory, so the time
is the service's own, not a mail server's.
"""

import statistics
import time
from datetime import timedelta

from django.core import mail
from django.db import connection, reset_queries
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.services import escalation_digests_send, renewal_alerts_send
from bench.timing import table
from contracts.models import Contract

DAILY_TARGET_S = 2
DIGESTS_TARGET_S = 10
GROWTH_LIMIT = 3  # time at the full size ÷ time at a tenth of it


def _timed(job, **kwargs) -> dict:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = job(**kwargs)
        seconds = time.perf_counter() - start
    mail.outbox = []
    # The ledger's bulk inserts come in batches of what is sent: they are not reads.
    reads = sum(not query["sql"].startswith("INSERT") for query in queries.captured_queries)
    return {"seconds": seconds, "queries": reads, "due": result.due, "sent": result.claimed}


def _median(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return {**middle, "seconds": statistics.median(run["seconds"] for run in runs)}


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def measure(*, week: int) -> dict:
    """At the register's size: the first run (the catch-up of a new register), three daily runs
    and the last again, and the escalation digests of three weeks not yet sent."""
    today = timezone.localdate()
    first = _timed(renewal_alerts_send, on=today)
    days = [_timed(renewal_alerts_send, on=today + timedelta(days=n)) for n in (1, 2, 3)]
    return {
        "contracts": Contract.objects.count(),
        "first": first,
        "daily": _median(days),
        "again": _timed(renewal_alerts_send, on=today + timedelta(days=3)),
        "digests": _median(
            [
                _timed(escalation_digests_send, on=today + timedelta(weeks=3 * week + n))
                for n in range(3)
            ]
        ),
    }


JOBS = [
    ("first", "first run (every contract already in a lead time; no target)"),
    ("daily", f"daily run, median of 3 days (<= {DAILY_TARGET_S} s)"),
    ("again", "the daily run again (sends nothing)"),
    ("digests", f"weekly escalation digests, median of 3 weeks (<= {DIGESTS_TARGET_S} s)"),
]


def _growth(small: dict, large: dict, name: str) -> float:
    return large[name]["seconds"] / max(small[name]["seconds"], 1e-6)


def run(*, small: dict, large: dict) -> list[str]:
    rows = [
        (
            label,
            f"{small[name]['queries']}",
            f"{large[name]['queries']}",
            f"{large[name]['due']:,}",
            f"{large[name]['sent']:,}",
            f"{small[name]['seconds']:.2f}",
            f"{large[name]['seconds']:.2f}",
            f"{_growth(small, large, name):.1f}x",
        )
        for name, label in JOBS
    ]
    print(f"Alert jobs: {small['contracts']:,} and {large['contracts']:,} contracts")
    table(
        rows,
        (
            "job",
            f"queries @{small['contracts']:,}",
            f"queries @{large['contracts']:,}",
            "due (incl. sent before)",
            "sent now",
            f"seconds @{small['contracts']:,}",
            f"seconds @{large['contracts']:,}",
            "growth",
        ),
    )
    return _failures(small, large)


def _failures(small: dict, large: dict) -> list[str]:
    failures = []
    for name, target in (("daily", DAILY_TARGET_S), ("digests", DIGESTS_TARGET_S)):
        seconds = large[name]["seconds"]
        if seconds > target:
            failures.append(f"{name} alert job: {seconds:.1f} s > {target} s")
        growth = _growth(small, large, name)
        if growth >= GROWTH_LIMIT:
            failures.append(
                f"{name} alert job: {growth:.1f} times as long at {large['contracts']:,} "
                f"contracts as at {small['contracts']:,} (limit {GROWTH_LIMIT})"
            )
    # The digests' count also follows the gateway reports waiting and who leads what, which
    # differ from week to week: it is shown, and the daily job's is held.
    for name in ("daily", "again"):
        if small[name]["queries"] != large[name]["queries"]:
            failures.append(
                f"{name} alert job: {small[name]['queries']} queries at "
                f"{small['contracts']:,} contracts, {large[name]['queries']} at "
                f"{large['contracts']:,}"
            )
    return failures
