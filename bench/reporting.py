"""The dashboard and the annual report at scale (issue targets in brackets).

- dashboard: median <= 150 ms with 100,000 contracts; its queries do not grow with the register
  (measured at 10,000 and at 100,000)
- the annual report's PDF for a year of a 100,000-contract register: <= 60 s and <= 1 GB of
  memory, measured as ``build_annual_report --year`` run in its own process, as an operator
  runs it, so its peak memory is its own
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.timing import line, page, table
from contracts.models import Contract
from performance.models import financial_year_label, financial_year_of
from procurement.models import User

DASHBOARD_TARGET_MS = 150
PDF_TARGET_S = 60
PDF_MEMORY_TARGET = 1024**3
ROOT = Path(__file__).resolve().parent.parent
# The command run in its own process, which reports its own peak memory as it ends: the kernel's
# high-water mark of its address space (VmHWM), which starts afresh when the process starts the
# command, so the benchmark's own memory (shared with the child until then) is not counted.
OWN_PEAK = """
import runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM"))
    sys.stderr.write("PEAK " + peak.split()[1] + "\\n")
"""


def _dashboard_paths() -> dict[str, str]:
    year = financial_year_of(timezone.localdate())
    return {
        "dashboard (this year)": "/dashboard/",
        "dashboard (last year)": f"/dashboard/?year={year - 1}",
        "list behind a figure (running)": "/dashboard/figures/running/",
    }


def measure() -> dict:
    """The dashboard's pages at the register's present size."""
    client = Client()
    client.force_login(User.objects.get(email="member@northmere.example"))
    return {
        "contracts": Contract.objects.count(),
        "pages": {name: page(client, path) for name, path in _dashboard_paths().items()},
    }


def _database_url() -> str:
    """The benchmark's own database, for the command's process."""
    given = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(given._replace(path=f"/{connection.settings_dict['NAME']}"))


def _build_pdf(year: int) -> tuple[float, int]:
    """Seconds and peak memory (bytes) of ``build_annual_report`` for ``year``."""
    command = [sys.executable, "manage.py", "build_annual_report", "--year", str(year)]
    if connection.vendor != "postgresql":
        # An in-memory SQLite test database cannot be shared with another process: build it
        # here, and take this whole process's peak (an upper bound).
        from django.core.management import call_command

        start = time.perf_counter()
        call_command(*command[2:])
        seconds = time.perf_counter() - start
        return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, with our own arguments
        [sys.executable, "-c", OWN_PEAK, *command[2:]],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    peak_kb = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
    return seconds, peak_kb * 1024


def run(*, small: dict) -> list[str]:
    failures: list[str] = []
    large = measure()
    print(f"Dashboard: {small['contracts']:,} and {large['contracts']:,} contracts")
    rows = []
    for name, result in large["pages"].items():
        before = small["pages"][name]
        rows.append(
            (
                name,
                f"{result['median']:.1f}",
                f"{result['p95']:.1f}",
                before["queries"],
                result["queries"],
            )
        )
        if result["median"] > DASHBOARD_TARGET_MS:
            failures.append(f"{name}: median {result['median']:.0f} ms > {DASHBOARD_TARGET_MS} ms")
        if before["queries"] != result["queries"]:
            failures.append(
                f"{name}: {before['queries']} queries at {small['contracts']:,} contracts, "
                f"{result['queries']} at {large['contracts']:,}"
            )
    table(
        rows,
        (
            "page",
            f"median ms @{large['contracts']:,}",
            "p95 ms",
            f"queries @{small['contracts']:,}",
            f"queries @{large['contracts']:,}",
        ),
    )
    year = financial_year_of(timezone.localdate()) - 1
    seconds, peak = _build_pdf(year)
    line(
        f"Annual report PDF for {financial_year_label(year)} over {large['contracts']:,} contracts",
        f"{seconds:.1f} s, peak memory {peak / 1e6:.0f} MB (targets <= {PDF_TARGET_S} s, <= 1 GiB)",
    )
    if seconds > PDF_TARGET_S:
        failures.append(f"annual report PDF: {seconds:.0f} s > {PDF_TARGET_S} s")
    if peak > PDF_MEMORY_TARGET:
        failures.append(f"annual report PDF: {peak / 1e6:.0f} MB > 1 GB")
    return failures
