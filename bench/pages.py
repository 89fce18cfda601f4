"""The pages read most, cold (issue targets in brackets): the Lead Members' dashboard
(<= 150 ms), every role's home page (<= 100 ms), /performance/, social value by supplier and
the contract page with the longest history (<= 150 ms). Each is timed built afresh (the cached
pieces retired before every request), median and 95th percentile of 20 requests or more."""

from django.db.models import Count
from django.test import Client
from django.utils import timezone

from bench.timing import page, table
from contracts.models import Contract
from performance.models import financial_year_of
from procurement.models import User

DASHBOARD_TARGET_MS = 150
HOME_TARGET_MS = 100
OTHER_TARGET_MS = 150
ROLES = ("officer", "manager", "partner", "head", "director", "member", "auditor", "admin")
REQUESTS = 20


def _longest_history() -> int | None:
    """The contract with the most history rows."""
    found = (
        Contract.history.values("id")
        .annotate(n=Count("history_id"))
        .order_by("-n", "id")
        .values_list("id", flat=True)
        .first()
    )
    return found


def _pages() -> list[tuple[str, str, str, int]]:
    """Each page: its name, who reads it, its address and its target."""
    year = financial_year_of(timezone.localdate())
    found = [
        ("dashboard (this year)", "member", "/dashboard/", DASHBOARD_TARGET_MS),
        ("dashboard (last year)", "member", f"/dashboard/?year={year - 1}", DASHBOARD_TARGET_MS),
    ]
    found += [(f"home ({role})", role, "/", HOME_TARGET_MS) for role in ROLES]
    found += [
        ("/performance/", "head", "/performance/", OTHER_TARGET_MS),
        ("social value by supplier", "head", "/social-value/?by=supplier", OTHER_TARGET_MS),
    ]
    longest = _longest_history()
    if longest:
        found.append(
            ("contract, longest history", "head", f"/contracts/{longest}/", OTHER_TARGET_MS)
        )
    return found


def measure(*, requests: int = REQUESTS) -> dict:
    """Each page's cold median, 95th percentile and queries at the register's present size."""
    clients: dict[str, Client] = {}
    results = {}
    for name, role, path, target in _pages():
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(User.objects.get(email=f"{role}@northmere.example"))
        # The first request of a day works out the dashboard's kept figures (reporting/summary.py),
        # as the first reader of each day does; what is timed is every request after it.
        clients[role].get(path)
        results[name] = {**page(clients[role], path, requests=requests), "target": target}
    return {"contracts": Contract.objects.count(), "pages": results}


def run(*, small: dict | None = None) -> list[str]:
    """Time the pages and return those over their targets (and, given ``small``, a measure at a
    smaller register, those whose queries or time grow with it)."""
    large = measure()
    failures, rows = [], []
    for name, result in large["pages"].items():
        row = [name, f"{result['median']:.1f}", f"{result['p95']:.1f}", result["queries"]]
        if small and name in small["pages"]:
            before = small["pages"][name]
            row.append(f"{result['median'] / before['median']:.2f}")
            if before["queries"] != result["queries"]:
                failures.append(
                    f"{name}: {before['queries']} queries at {small['contracts']:,} contracts, "
                    f"{result['queries']} at {large['contracts']:,}"
                )
        if result["p95"] > result["target"]:
            failures.append(f"{name}: p95 {result['p95']:.0f} ms > {result['target']} ms")
        rows.append(tuple(row))
    headings = ("page", "median ms", "p95 ms", "queries")
    if small:
        headings += (f"median ÷ median @{small['contracts']:,}",)
    print(f"Pages read most, cold, at {large['contracts']:,} contracts")
    table(rows, headings)
    return failures
