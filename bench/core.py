"""The shared core's pages keep a constant query count as people and directorates grow."""

from django.test import Client

from bench.timing import page, table
from procurement.models import Directorate, User
from procurement.roles import Role
from procurement.services import user_set_roles

PAGES = ["/", "/reference-data/", "/healthz"]


def _grow(directorates: int) -> None:
    for n in range(Directorate.objects.count(), directorates):
        directorate = Directorate.objects.create(name=f"Bench directorate {n}", code=f"b{n}")
        User.objects.create_user(email=f"bench{n}@council.example", directorate=directorate)


def run() -> list[str]:
    reader = User.objects.create_user(email="bench-reader@council.example")
    user_set_roles(user=reader, roles=[Role.LEAD_MEMBER], by=None, reason="Benchmark")
    client = Client()
    client.force_login(reader)
    results = {}
    # The first request of a day works out the day's kept figures (reporting/summary.py), as
    # the first reader of each day does: the counts compared are of every request after it.
    for path in PAGES:
        client.get(path)
    for size in (10, 1000):
        _grow(size)
        results[size] = {path: page(client, path) for path in PAGES}
    rows, failures = [], []
    for path in PAGES:
        small, large = results[10][path], results[1000][path]
        rows.append((path, small["queries"], large["queries"], f"{large['median']:.1f}"))
        if small["queries"] != large["queries"]:
            failures.append(
                f"{path}: {small['queries']} queries at 10 rows, {large['queries']} at 1000"
            )
    print("Shared core pages")
    table(rows, ("page", "queries @10", "queries @1000", "median ms @1000"))
    return failures
