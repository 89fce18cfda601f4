"""Register addresses drawn at random from a grid of searches, filters, sorts and pages, and their
cold timing: what people ask the register, not four fixed addresses.

``addresses`` draws distinct query strings for the register page (the benchmark and the load test
both use it); ``measure`` times each one with the cached pieces retired first, so every figure is
the cost of building the page from the database.

Run on its own against a database (it only reads)::

    DATABASE_URL=postgres://... python -m bench.register_addresses --count 200
"""

import random
import statistics
import time
from urllib.parse import urlencode

# Words people type: common ones that match thousands of contracts, rare ones, partial words,
# supplier names, references, a misspelling that matches nothing.
SEARCHES = (
    "care",
    "ltd",
    "oak",
    "home care",
    "school",
    "library books",
    "stationery",
    "stationary",
    "grit",
    "harbourstone",
    "oakbridge supplies",
    "kestrel",
    "services limited",
    "DEMO-04",
    "DEMO-012345",
    "translation",
    "interpreting",
    "roof",
    "fleet",
    "zzqx",
)
STATUSES = ("active", "expiring", "expired", "extended", "not_started", "terminated")
VALUE_BANDS = ("up_to_5k", "5k_to_50k", "50k_to_100k", "100k_to_1_5m", "over_1_5m")
ENDING = ("3", "6", "12", "24")
PROBLEMS = ("any", "no_manager", "no_review_date", "past_end", "over_50k_no_lead_director")
SORTS = ("reference", "title", "supplier", "value", "end")
PAGES = (1, 1, 1, 2, 2, 3, 10, 50, 200, 500, 1000, 1500, 2000)


def _address(rng: random.Random, *, directorates, categories, managers) -> str:
    """One register query string: up to three parts of the grid, a sort, an order and a page."""
    query: dict[str, str] = {}
    parts = rng.sample(
        ["q", "directorate", "category", "status", "value", "ending", "problem", "sme", "mine"],
        rng.choice((0, 1, 1, 1, 2, 2, 3)),
    )
    choices = {
        "q": lambda: rng.choice(SEARCHES),
        "directorate": lambda: str(rng.choice(directorates)),
        "category": lambda: str(rng.choice(categories)),
        "status": lambda: rng.choice(STATUSES),
        "value": lambda: rng.choice(VALUE_BANDS),
        "ending": lambda: rng.choice(ENDING),
        "problem": lambda: rng.choice(PROBLEMS),
        "sme": lambda: "on",
        "mine": lambda: "on",
    }
    for part in parts:
        if part == "mine" and not managers:
            continue
        query[part] = choices[part]()
    if rng.random() < 0.6:
        query["sort"] = rng.choice(SORTS)
        if rng.random() < 0.5:
            query["order"] = "desc"
    page = rng.choice(PAGES)
    if page > 1:
        query["page"] = str(page)
    return "/contracts/?" + urlencode(query) if query else "/contracts/"


def addresses(rng: random.Random, *, directorates, categories, managers, count: int) -> list[str]:
    """``count`` distinct register addresses (paths with their query strings) drawn with ``rng``
    from searches, filters (``directorates`` and ``categories`` are ids; ``managers`` says
    whether "only contracts I manage" is worth asking), sorts, orders and pages 1 to 2000."""
    found: dict[str, None] = {}
    tries = 0
    while len(found) < count and tries < count * 50:
        tries += 1
        path = _address(rng, directorates=directorates, categories=categories, managers=managers)
        found.setdefault(path, None)
    return list(found)


def measure(client, paths: list[str]) -> dict:
    """Each path's server time in milliseconds with every cached piece retired before it: the
    median, the 95th percentile and the ten slowest ``(ms, path)``."""
    from procurement.caching import data_changed

    timings = []
    for path in paths:
        data_changed()
        start = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code)
        timings.append((elapsed, path))
    ordered = sorted(ms for ms, _ in timings)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "worst": sorted(timings, reverse=True)[:10],
    }


# Addresses whose page time is compared with the time of its SQL alone.
COMPARED = (
    "/contracts/?q=care",
    "/contracts/?q=ltd",
    "/contracts/?q=oak",
    "/contracts/?page=500",
    "/contracts/?page=1500",
    "/contracts/?sort=supplier&order=desc&page=2000",
)


def page_to_sql(client, paths=COMPARED, *, requests: int = 10) -> list[tuple[str, float, float]]:
    """For each path: the page's median cold time, its queries' median time run bare, in ms."""
    from bench.timing import page, sql_time

    rows = []
    for path in paths:
        timed = page(client, path, requests=requests)
        rows.append((path, timed["median"], sql_time(timed["captured"], repeats=requests)))
    return rows


def main() -> None:  # pragma: no cover - run by hand against a loaded database
    import argparse
    import os

    # Asked for help, say what this does and start nothing.
    parser = argparse.ArgumentParser(
        prog="python -m bench.register_addresses",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=200, help="how many addresses")
    parser.add_argument("--seed", type=int, default=29, help="the draw's seed")
    parser.add_argument(
        "--user", default="manager@northmere.example", help="the person asking (an email)"
    )
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    from contracts.models import Contract
    from procurement.models import ContractCategory, Directorate, User

    user = User.objects.get(email=arguments.user)
    paths = addresses(
        random.Random(arguments.seed),  # noqa: S311 - a benchmark's draw, not a secret
        directorates=list(Directorate.objects.values_list("pk", flat=True)),
        categories=list(ContractCategory.objects.values_list("pk", flat=True)),
        managers=Contract.objects.filter(contract_manager=user).exists(),
        count=arguments.count,
    )
    client = Client()
    client.force_login(user)
    measure(client, paths[:10])  # warm the connection, templates and imports
    figures = measure(client, paths)
    print(f"load average {os.getloadavg()}")
    print(f"{len(paths)} addresses: median {figures['median']:.0f} ms, p95 {figures['p95']:.0f} ms")
    for ms, path in figures["worst"]:
        print(f"  {ms:6.0f} ms  {path}")
    for path, page_ms, sql_ms in page_to_sql(client):
        print(f"{path}: page {page_ms:.0f} ms, SQL {sql_ms:.0f} ms, ratio {page_ms / sql_ms:.1f}")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
