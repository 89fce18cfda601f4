"""The contract register at scale: pages, import and export (issue targets in brackets).

- register and contract pages: median <= 100 ms with 100,000 contracts; queries constant
- import: 50,000 rows checked and written in <= 60 s, memory not growing with the file
- 200 register addresses drawn at random, cold: p95 <= 100 ms; page ÷ bare SQL <= 2
"""

import csv
import io
import random
import time
import tracemalloc
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from bench import register_addresses
from bench.timing import line, page, table
from contracts.importing import contracts_import, contracts_import_check
from contracts.models import Contract
from procurement.models import ContractCategory, Directorate, User

PAGE_TARGET_MS = 100
RATIO_TARGET = 2
ADDRESSES = 200
IMPORT_TARGET_S = 60


def seed(*, contracts: int) -> float:
    start = time.perf_counter()
    # seed_demo refuses to run with DEBUG off; the benchmark's database is throwaway.
    with override_settings(DEBUG=True):
        call_command("seed_demo", contracts=contracts, stdout=io.StringIO())
    seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them on a live register after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return seconds


def import_file(path: Path, rows: int, *, prefix: str = "IMP") -> None:
    """A register as councils publish it: the Transparency Code's headings below a title and a
    blank row, in Windows-1252, people by name, dates and money as people type them."""
    directorates = list(Directorate.objects.values_list("name", flat=True))
    manager = User.objects.get(email="manager@northmere.example").get_full_name()
    director = User.objects.get(email="director@northmere.example").email
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Northmere Borough Council \u2013 contracts over £5,000"])
        writer.writerow([])
        writer.writerow(
            [
                "Reference Number",
                "Title of Agreement",
                "Local Authority Department Responsible",
                "Supplier Name",
                "Supplier Company Registration Number",
                "SME/VCSE",
                "Sum to be paid over the length of the contract",
                "Value Added Tax that cannot be recovered",
                "Start Date",
                "End Date",
                "Invitation to quote or published invitation to tender",
                "Contract Manager",
                "Lead Director",
            ]
        )
        for n in range(rows):
            writer.writerow(
                [
                    f"{prefix}/{n:06d}",
                    f"Imported contract {n}",
                    directorates[n % len(directorates)],
                    f"Imported Supplier {n % 5000} Ltd",
                    f"{20000000 + n % 5000}",  # as a spreadsheet keeps it: no leading zero
                    "SME" if n % 3 else "Neither",
                    f"£{60000 + n:,}.00",
                    "N/A",
                    "01-Apr-25",
                    "31 March 2028",
                    "Published invitation to tender",
                    manager,
                    director,
                ]
            )


def _peak_memory_of_check(path: Path, user: User) -> int:
    tracemalloc.start()
    with path.open("rb") as stream:
        result = contracts_import_check(stream=stream, filename=path.name, by=user)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.ok, result.problems[:5]
    return peak


def _addresses(client: Client) -> list[str]:
    """Hundreds of register addresses drawn at random (searches, filters, sorts, pages 1-2000),
    each built cold once; then a few against the bare SQL of the same rows."""
    failures = []
    paths = register_addresses.addresses(
        random.Random(29),  # noqa: S311 - a benchmark's draw, not a secret
        directorates=list(Directorate.objects.values_list("pk", flat=True)),
        categories=list(ContractCategory.objects.values_list("pk", flat=True)),
        managers=True,
        count=ADDRESSES,
    )
    register_addresses.measure(client, paths[:10])  # the connection, templates and imports
    found = register_addresses.measure(client, paths)
    line(
        f"{len(paths)} register addresses drawn at random, each cold",
        f"median {found['median']:.0f} ms, p95 {found['p95']:.0f} ms (target <= {PAGE_TARGET_MS}); "
        f"slowest {found['worst'][0][0]:.0f} ms {found['worst'][0][1]}",
    )
    if found["p95"] > PAGE_TARGET_MS:
        failures.append(f"register addresses: p95 {found['p95']:.0f} ms > {PAGE_TARGET_MS} ms")
    rows = []
    for path, page_ms, sql_ms in register_addresses.page_to_sql(
        client, ("/contracts/", *register_addresses.COMPARED)
    ):
        rows.append((path, f"{page_ms:.1f}", f"{sql_ms:.1f}", f"{page_ms / sql_ms:.1f}"))
        if page_ms / sql_ms > RATIO_TARGET:
            failures.append(f"{path}: page ÷ bare SQL {page_ms / sql_ms:.1f} > {RATIO_TARGET}")
    table(rows, ("page ÷ bare SQL", "page ms", "SQL ms", f"ratio (target <= {RATIO_TARGET})"))
    return failures


def run(*, seeded_in: float, import_rows: int, workdir: Path) -> list[str]:
    failures: list[str] = []
    total = Contract.objects.count()
    print(f"Contract register: {total:,} contracts (seeded in {seeded_in:.0f} s)")
    partner = User.objects.get(email="partner@northmere.example")
    client = Client()
    client.force_login(partner)
    some = Contract.objects.order_by("pk")[total // 2]
    directorate = Directorate.objects.order_by("pk").first()
    pages = {
        "register (default)": "/contracts/",
        "register (searched)": "/contracts/?q=home+care",
        "register (filtered)": f"/contracts/?status=expiring&directorate={directorate.pk}",
        "register (sorted)": "/contracts/?sort=value&order=desc",
        "contract page": f"/contracts/{some.pk}/",
        # Not a target: a deep page, to show what paging far into the register costs.
        "register (page 500, no target)": "/contracts/?sort=end&page=500",
    }
    rows = []
    for name, path in pages.items():
        result = page(client, path)
        rows.append((name, f"{result['median']:.1f}", f"{result['p95']:.1f}", result["queries"]))
        if "no target" not in name and result["median"] > PAGE_TARGET_MS:
            failures.append(f"{name}: median {result['median']:.0f} ms > {PAGE_TARGET_MS} ms")
    table(rows, ("page", "median ms", "p95 ms", "queries"))

    failures += _addresses(client)
    path = workdir / "import.csv"
    import_file(path, import_rows)
    small = workdir / "import-small.csv"
    import_file(small, max(1, import_rows // 10))
    peak_small, peak_large = (
        _peak_memory_of_check(small, partner),
        _peak_memory_of_check(path, partner),
    )
    start = time.perf_counter()
    with path.open("rb") as stream:
        checked = contracts_import_check(stream=stream, filename=path.name, by=partner)
    check_seconds = time.perf_counter() - start
    assert checked.ok, checked.problems[:5]
    line(f"Check of {import_rows:,} rows (the Code's layout)", f"{check_seconds:.1f} s")
    start = time.perf_counter()
    with path.open("rb") as stream:
        result = contracts_import(stream=stream, filename=path.name, by=partner, reason="Bench")
    seconds = time.perf_counter() - start
    line(
        f"Import of {import_rows:,} rows",
        f"{seconds:.1f} s, {result.created:,} created (target <= {IMPORT_TARGET_S} s)",
    )
    line(
        "Peak memory checking the import",
        f"{import_rows // 10:,} rows {peak_small / 1e6:.1f} MB, "
        f"{import_rows:,} rows {peak_large / 1e6:.1f} MB (must not grow with the file)",
    )
    if seconds > IMPORT_TARGET_S:
        failures.append(f"import: {seconds:.0f} s > {IMPORT_TARGET_S} s")
    if peak_large > 2 * peak_small + 20e6:
        failures.append("import: memory grows with the file")
    return failures
