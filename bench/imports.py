"""The register import on its own, as an officer runs it: a file of ``BENCH_IMPORT_ROWS`` rows
(default 50,000) in the Transparency Code's layout, uploaded, checked and imported through the
run and its task (in-process, as without Redis), into a register of ``BENCH_CONTRACTS`` (default
100,000). Three files, each of new contracts, with the machine's load average beside each figure:
``BENCH_DATABASE_URL=postgres://… python -m bench.imports``. The target: the import within 60 s.
"""

import argparse
import os
import sys
import time

if __name__ == "__main__":
    # Asked for help, say what this does and start nothing: the run takes minutes.
    argparse.ArgumentParser(
        prog="python -m bench.imports",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    ).parse_args()

# isort: off
from bench.environment import workdir  # sets Django up for the benchmark

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bench import register, timing
from contracts.importing import KIND
from procurement.imports import import_run_confirm, import_run_start
from procurement.models import ImportRun, User

# isort: on

TARGET_S = 60


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main() -> int:
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Benchmark database: {connection.vendor} ({name})\n")
    failures: list[str] = []
    try:
        contracts = int(os.environ.get("BENCH_CONTRACTS", "100000"))
        rows = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
        seeded = register.seed(contracts=contracts)
        print(f"Register: {contracts:,} contracts (seeded in {seeded:.0f} s)\n")
        partner = User.objects.get(email="partner@northmere.example")
        figures = []
        for attempt in range(1, 4):
            path = workdir / f"register-{attempt}.csv"
            register.import_file(path, rows, prefix=f"RUN{attempt}")
            cache.clear()  # nothing from an earlier run
            load_before = _load()
            start = time.perf_counter()
            upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
            run = import_run_start(kind=KIND, upload=upload, by=partner)
            run.refresh_from_db()
            checked = time.perf_counter() - start
            assert run.state == ImportRun.State.CHECKED, run.result
            assert run.result["ok"], run.result["problems"][:5]
            start = time.perf_counter()
            import_run_confirm(run=run)
            run.refresh_from_db()
            imported = time.perf_counter() - start
            assert run.state == ImportRun.State.IMPORTED, run.result
            figures.append(
                (
                    attempt,
                    f"{rows:,}",
                    f"{checked:.1f}",
                    f"{imported:.1f}",
                    load_before,
                    _load(),
                )
            )
            if imported > TARGET_S:
                failures.append(f"import {attempt}: {imported:.0f} s > {TARGET_S} s")
        timing.table(
            figures,
            (
                "file",
                "rows",
                "check s",
                f"import s (target <= {TARGET_S})",
                "load before (1, 5, 15 min)",
                "load after",
            ),
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
