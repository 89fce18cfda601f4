"""The daily renewal alert job at scale (issue target in brackets).

- the daily job over 100,000 contracts: <= 10 s, with a number of queries that does not grow with
  the number of contracts (measured at 10,000 and at 100,000)

Each size runs the job for today first (not a target: on a new register every contract already
inside a lead time is alerted at once), then times tomorrow's run, a day like any other, and the
same again. At 100,000 the first run catches up the 90,000 contracts added since the 10,000 run.
Emails go to memory, so the time is the service's own, not a mail server's.
"""

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

DAILY_TARGET_S = 10


def _timed(job, **kwargs) -> dict:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = job(**kwargs)
        seconds = time.perf_counter() - start
    mail.outbox = []
    return {"seconds": seconds, "queries": len(queries), "due": result.due, "sent": result.claimed}


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def measure(*, week: int) -> dict:
    """At the register's size: the first run (the catch-up of a new register), the next day's
    run and the same again, and the escalation digests of a week not yet sent."""
    today = timezone.localdate()
    return {
        "contracts": Contract.objects.count(),
        "first": _timed(renewal_alerts_send, on=today),
        "daily": _timed(renewal_alerts_send, on=today + timedelta(days=1)),
        "again": _timed(renewal_alerts_send, on=today + timedelta(days=1)),
        "digests": _timed(escalation_digests_send, on=today + timedelta(weeks=week)),
    }


def run(*, small: dict, large: dict) -> list[str]:
    rows = []
    for name, label in [
        ("first", "first run (every contract already in a lead time; no target)"),
        ("daily", "daily run (tomorrow)"),
        ("again", "the daily run again (sends nothing)"),
        ("digests", "weekly escalation digests (no target)"),
    ]:
        rows.append(
            (
                label,
                f"{small[name]['queries']}",
                f"{large[name]['queries']}",
                f"{large[name]['due']:,}",
                f"{large[name]['sent']:,}",
                f"{large[name]['seconds']:.2f}",
            )
        )
    print(f"Renewal alerts: {small['contracts']:,} and {large['contracts']:,} contracts")
    table(
        rows,
        (
            "job",
            f"queries @{small['contracts']:,}",
            f"queries @{large['contracts']:,}",
            "due (incl. sent before)",
            "sent now",
            f"seconds @{large['contracts']:,}",
        ),
    )
    failures = []
    daily = large["daily"]
    if daily["seconds"] > DAILY_TARGET_S:
        failures.append(f"daily renewal alerts: {daily['seconds']:.1f} s > {DAILY_TARGET_S} s")
    for name in ("daily", "again"):
        if small[name]["queries"] != large[name]["queries"]:
            failures.append(
                f"renewal alerts ({name}): {small[name]['queries']} queries at "
                f"{small['contracts']:,} contracts, {large[name]['queries']} at "
                f"{large['contracts']:,}"
            )
    return failures
