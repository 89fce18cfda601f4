"""`make loadtest`: the product under load, as a council would run it.

Serves the app with gunicorn on PostgreSQL, with the 100,000-contract demo register, and drives it
from this machine with wrk (loopback only, for a bounded time) over a mix of register, contract,
dashboard and gateway pages for signed-in users, twice: reading only, and reading while an officer
corrects a contract every second (each edit retires the page cache, so pages are rebuilt as they
are read). Prints throughput, the median and 95th percentile and the errors of each run; exits
non-zero when either misses a target (>= 100 requests/s, 95th percentile <= 500 ms, no errors).

The data set is built once into ``LOADTEST_DATABASE_URL`` (default: a ``procurement_load``
database on the local PostgreSQL) and kept, so later runs start at once. ``LOADTEST_CONTRACTS``,
``LOADTEST_DURATION`` (seconds), ``LOADTEST_CONNECTIONS`` and ``LOADTEST_WORKERS`` change the run.
The workers share their cache in Redis (``LOADTEST_REDIS_URL``, default database 15 of the local
server, emptied first), as production's do.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/procurement_load"
)
CONTRACTS = int(os.environ.get("LOADTEST_CONTRACTS", "100000"))
DURATION = int(os.environ.get("LOADTEST_DURATION", "30"))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", str(2 * (os.cpu_count() or 2) + 1)))
PORT = int(os.environ.get("LOADTEST_PORT", "8077"))
TARGET_RPS = 100
TARGET_P95_MS = 500

ENVIRONMENT = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "SECRET_KEY": "loadtest-only-secret-key-not-used-anywhere-real-0123456789",
    "DEBUG": "false",
    "HTTPS_ONLY": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "WARNING",
    # WhiteNoise serves from the finders here; STATIC_ROOT is filled only by collectstatic.
    "PYTHONWARNINGS": "ignore:No directory at",
}
# Redis, as in production: every worker shares the cache (procurement/caching.py). A database of
# its own, emptied before each run, so nothing of another run's is served.
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ENVIRONMENT["REDIS_URL"] = REDIS_URL

# wrk's script: each connection walks the requests (path and session cookie) from a random start,
# and the summary comes back as one JSON line.
LUA = """
local requests = {%s}
local counter = 0
function init(args)
  counter = math.random(#requests)
end
function request()
  counter = counter %% #requests + 1
  local r = requests[counter]
  return wrk.format("GET", r[1], {["Cookie"] = "sessionid=" .. r[2], ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def manage(*args: str, debug: bool = False) -> None:
    environment = {**ENVIRONMENT, "DEBUG": "true" if debug else "false"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, check=True)


def create_database() -> None:
    import psycopg2

    name = DATABASE_URL.rsplit("/", 1)[1]
    connection = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def prepare() -> list[tuple[str, str]]:
    """Build the data set if need be; sign in the users; return the (path, session) mix."""
    create_database()
    manage("migrate", "--noinput", "-v0")
    os.environ.update(ENVIRONMENT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from contracts.models import Contract
    from gateways.models import GatewayReview
    from procurement.models import User

    if Contract.objects.count() < CONTRACTS:
        print(f"Building the data set: {CONTRACTS:,} contracts (once; it is kept) ...")
        start = time.perf_counter()
        manage("seed_demo", "--contracts", str(CONTRACTS), debug=True)
        subprocess.run(["psql", DATABASE_URL, "-qc", "ANALYZE"], check=True)
        print(f"  built in {time.perf_counter() - start:.0f} s")

    def session_of(email: str) -> str:
        client = Client()
        client.force_login(User.objects.get(email=email))
        return client.cookies["sessionid"].value

    partner = session_of("partner@northmere.example")
    officer = session_of("officer@northmere.example")
    member = session_of("member@northmere.example")
    director = session_of("director@northmere.example")
    rng = random.Random(2026)
    total = Contract.objects.count()
    contract_ids = list(Contract.objects.order_by("pk").values_list("pk", flat=True)[:total:1000])
    reviews = list(
        GatewayReview.objects.exclude(state="draft").order_by("pk").values_list("pk", flat=True)
    )
    mix = []
    for _ in range(20):
        mix += [
            ("/contracts/", partner),
            ("/contracts/", officer),
            ("/contracts/?q=home+care", officer),
            ("/contracts/?status=expiring&sort=end", partner),
            (f"/contracts/{rng.choice(contract_ids)}/", officer),
            (f"/contracts/{rng.choice(contract_ids)}/", partner),
            (f"/contracts/{rng.choice(contract_ids)}/", director),
            ("/dashboard/", member),
            ("/gateways/", officer),
            ("/gateways/awaiting/", director),
            (f"/gateways/reviews/{rng.choice(reviews)}/", partner),
            (f"/gateways/reviews/{rng.choice(reviews)}/", director),
        ]
    rng.shuffle(mix)
    return mix


def serve() -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=ENVIRONMENT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def check_mix(mix: list[tuple[str, str]]) -> None:
    """Every request in the mix answers 200 before the load starts (and warms each worker)."""
    for path, session in dict.fromkeys(mix):
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200 or response.url.split("?")[0].endswith("/sign-in/"):
                raise SystemExit(f"{path} answered {response.status} ({response.url})")


def edit_every_second(stop: threading.Event, edits: list[str]) -> None:
    """An officer corrects a contract once a second until ``stop``: each edit retires every
    cached piece (procurement/caching.py), so the pages read meanwhile are built afresh."""
    from django.db import connection

    from contracts.models import Contract
    from contracts.services import contract_update
    from procurement.models import User

    officer = User.objects.get(email="officer@northmere.example")
    contract = Contract.objects.filter(directorate=officer.directorate).order_by("pk").first()
    try:
        while not stop.wait(1):
            contract_update(
                contract=contract,
                fields={"description": f"Corrected under load ({len(edits) + 1})"},
                by=officer,
                reason="Load test: an edit every second",
            )
            edits.append(contract.reference)
    finally:
        connection.close()


def drive(script: str) -> dict:
    """wrk over the mix for DURATION seconds: its summary, with throughput and errors."""
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(CONNECTIONS),
            "--duration",
            f"{DURATION}s",
            "--timeout",
            "10s",
            "--script",
            script,
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(output.split("RESULT ", 1)[1])
    result["errors"] = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def report(label: str, result: dict) -> list[str]:
    """Print one run's figures; return the targets it missed."""
    print(f"\n{label}")
    print(f"{'requests':<26}{result['requests']:,}")
    print(f"{'throughput':<26}{result['rps']:.0f} requests/s (target >= {TARGET_RPS})")
    print(f"{'median':<26}{result['p50']:.0f} ms")
    print(f"{'95th percentile':<26}{result['p95']:.0f} ms (target <= {TARGET_P95_MS})")
    print(f"{'99th percentile':<26}{result['p99']:.0f} ms")
    print(
        f"{'errors':<26}{result['errors']} (connect {result['connect']}, read {result['read']}, "
        f"write {result['write']}, HTTP 4xx/5xx {result['status']}, timeout {result['timeout']})"
    )
    failures = []
    if result["rps"] < TARGET_RPS:
        failures.append(f"{label}: throughput {result['rps']:.0f} requests/s < {TARGET_RPS}")
    if result["p95"] > TARGET_P95_MS:
        failures.append(f"{label}: 95th percentile {result['p95']:.0f} ms > {TARGET_P95_MS} ms")
    if result["errors"]:
        failures.append(f"{label}: {result['errors']} errors")
    return failures


def main() -> int:
    # Asked for help, say what this does and start nothing: the run takes minutes.
    argparse.ArgumentParser(
        prog="python -m bench.loadtest",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    ).parse_args()
    if not shutil.which("wrk"):
        print("make loadtest needs wrk: apt-get install wrk")
        return 2
    mix = prepare()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    server = serve()
    try:
        check_mix(mix)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(f'{{"{path}", "{session}"}}' for path, session in mix))
        print(
            f"Load: {len(set(mix))} distinct requests, {CONNECTIONS} connections, "
            f"{DURATION} s per run, gunicorn with {WORKERS} workers on {os.cpu_count()} cores"
        )
        reads = drive(script.name)
        # The same mix again while the data changes: the cache is retired every second.
        stop, edits = threading.Event(), []
        editor = threading.Thread(target=edit_every_second, args=(stop, edits))
        editor.start()
        try:
            writes = drive(script.name)
        finally:
            stop.set()
            editor.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    failures = report("Reads only (the page cache warm)", reads)
    failures += report(
        f"Reads while an officer corrects a contract every second ({len(edits)} edits)", writes
    )
    if len(edits) < DURATION // 2:
        failures.append(f"only {len(edits)} edits were made in {DURATION} s")
    print()
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
