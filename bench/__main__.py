"""Benchmarks (`make bench`): server time and query counts, measured here, never by timed tests.

Runs in a throwaway database created beside the configured one (``BENCH_DATABASE_URL``, else
``DATABASE_URL``, else SQLite): on PostgreSQL, as the targets assume, use for example
``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/procurement make bench``.
``BENCH_CONTRACTS`` sets the register's size (default 100,000), ``BENCH_IMPORT_ROWS`` the import's
(default 50,000). Exits non-zero when a target is missed.
"""

import argparse
import os
import sys

# Asked for help, say what this does and start nothing: the run takes minutes.
argparse.ArgumentParser(
    prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
).parse_args()

# isort: off
from bench.environment import workdir  # noqa: E402 - sets Django up for the benchmarks

from django.db import connection  # noqa: E402

from bench import (  # noqa: E402
    alerts,
    core,
    exports,
    maturity,
    pages,
    register,
    reporting,
    socialvalue,
    spend_pages,
    spend_import,
    timing,
)

# isort: on


def part(name: str) -> None:
    """Name the benchmark whose tables follow, for the summary."""
    timing.section["name"] = name


def main() -> int:
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Benchmark database: {connection.vendor} ({name})\n")
    try:
        contracts = int(os.environ.get("BENCH_CONTRACTS", "100000"))
        # The alert jobs at a tenth of the register and then at its full size, before the
        # import adds to it: their queries must not grow with it.
        register.seed(contracts=contracts // 10)
        part("alerts and dashboard, 1/10 size")
        small_alerts = alerts.measure(week=0)
        small_dashboard = reporting.measure()
        small_pages = pages.measure()
        seconds = register.seed(contracts=contracts)
        part("renewal alerts")
        failures = alerts.run(small=small_alerts, large=alerts.measure(week=1))
        part("dashboard and annual report")
        failures += reporting.run(small=small_dashboard)
        part("pages read most")
        failures += pages.run(small=small_pages)
        part("exports")
        failures += exports.run()
        # The register next: the core benchmark adds a thousand directorates, far more than
        # any council has, which would swell the register's filters.
        part("contract register")
        failures += register.run(
            seeded_in=seconds,
            import_rows=int(os.environ.get("BENCH_IMPORT_ROWS", "50000")),
            workdir=workdir,
        )
        part("social value")
        failures += socialvalue.run()
        part("maturity")
        failures += maturity.run()
        part("spend pages")
        failures += spend_pages.run()
        part("core pages")
        failures += core.run()
        part("payments import")
        failures += spend_import.run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print("Summary: every benchmark above, in one table\n")
    timing.table(timing.SUMMARY[:], ("benchmark", "measure", "figures"))
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
