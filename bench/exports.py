"""Exports of the whole register, timed end to end through the views: the register's CSV and
XLSX (as an auditor sees it) and the public Transparency Code CSV. Each is run ``RUNS`` times and
the median kept. An export too large for the page runs as a background job; here (no Redis) the
job runs in the request, so its time is the job's.

Runnable alone on an existing database: ``python -m bench.exports`` with ``DATABASE_URL`` set.
"""

import os
import statistics
import time

from django.test import Client
from django.urls import reverse

from bench.timing import line
from contracts.models import Contract
from procurement.caching import data_changed
from procurement.models import User
from procurement.roles import Role

RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "3"))
# Seconds, at the register's size (issue 29).
TARGETS = {"CSV": 10.0, "XLSX": 30.0, "Transparency CSV": 10.0}


def _auditor() -> User:
    """Someone who sees the whole register: an auditor, or failing one a superuser."""
    found = User.objects.filter(groups__name=Role.AUDITOR.label, is_active=True).first()
    return found or User.objects.filter(is_superuser=True, is_active=True).first()


def _download(client: Client, path: str) -> int:
    """Fetch ``path`` and read every byte; returns the size. An export prepared in the
    background (here, without Redis, in the request) is followed to its file."""
    response = client.get(path)
    if response.status_code == 302:
        response = client.get(f"{response.url}download")
    assert response.status_code == 200, (path, response.status_code)
    return sum(len(chunk) for chunk in response.streaming_content)


def _seconds(client: Client, path: str) -> tuple[float, int]:
    timings, size = [], 0
    for _ in range(RUNS):
        data_changed()
        start = time.perf_counter()
        size = _download(client, path)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), size


def run() -> list[str]:
    """Print each export's median seconds; return the targets missed."""
    contracts = Contract.objects.count()
    client = Client()
    client.force_login(_auditor())
    paths = {
        "CSV": reverse("contracts:export_csv"),
        "XLSX": reverse("contracts:export_xlsx"),
        "Transparency CSV": reverse("register:transparency_csv"),
    }
    failures = []
    for name, path in paths.items():
        seconds, size = _seconds(client, path)
        load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
        line(
            f"{name} export of {contracts:,} contracts",
            f"median {seconds:.1f} s over {RUNS} runs, {size / 1e6:.1f} MB (load {load})",
        )
        if seconds > TARGETS[name]:
            failures.append(f"{name} export {seconds:.1f} s > {TARGETS[name]:g} s")
    return failures
