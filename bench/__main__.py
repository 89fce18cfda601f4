"""Benchmark the pages of the shared core: queries per request and time per request.

Runs against a fresh database (a temporary SQLite file, or ``BENCH_DATABASE_URL`` for PostgreSQL),
at two data sizes, and fails if a page's query count grows with the data.
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

workdir = tempfile.mkdtemp(prefix="bench-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-real-0123456789")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)
# WhiteNoise serves from the finders here; STATIC_ROOT is filled only by collectstatic.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from procurement.models import Directorate, User  # noqa: E402
from procurement.roles import Role  # noqa: E402
from procurement.services import user_set_roles  # noqa: E402

PAGES = ["/", "/reference-data/", "/healthz"]
REQUESTS = 30


def grow(directorates: int) -> None:
    """Add directorates and users until there are ``directorates`` of each."""
    for n in range(Directorate.objects.count(), directorates):
        directorate = Directorate.objects.create(name=f"Directorate {n}", code=f"b{n}")
        User.objects.create_user(email=f"bench{n}@council.example", directorate=directorate)


def measure(client: Client, path: str) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read the count now: the next request resets the connection's query log.
    count = len(queries)
    assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(path)
        timings.append(time.perf_counter() - start)
    return count, statistics.median(timings) * 1000


def main() -> int:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    reader = User.objects.create_user(email="bench-reader@council.example")
    user_set_roles(user=reader, roles=[Role.LEAD_MEMBER], by=None, reason="Benchmark")
    client = Client()
    client.force_login(reader)

    results = {}
    for size in (10, 1000):
        grow(size)
        results[size] = {path: measure(client, path) for path in PAGES}

    print(f"{'page':<20}{'queries @10':>12}{'queries @1000':>15}{'median ms @1000':>17}")
    failures = []
    for path in PAGES:
        small, large = results[10][path], results[1000][path]
        print(f"{path:<20}{small[0]:>12}{large[0]:>15}{large[1]:>17.1f}")
        if large[0] != small[0]:
            failures.append(f"{path}: {small[0]} queries at 10 rows, {large[0]} at 1000")
    for failure in failures:
        print(f"FAIL query count grows with the data: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
