"""`make loadtest`: the product under load, as a council would run it.

Serves the app with gunicorn on PostgreSQL, with the 100,000-contract demo register, and drives it
from this machine with wrk (loopback only, for a bounded time) over a mix of pages for signed-in
users: the register at addresses drawn at random from thousands of searches, filters, sorts and
pages, contract pages drawn from the whole register, the home pages, the dashboard, performance,
social value and gateway pages. Nothing timed is asked for before its run: the mix is checked on
a sample drawn apart from it, and the page cache is emptied before every run, so most register
and contract pages are built as they are read. Each run is timed twice: reading only, and
reading while an officer corrects a contract every second (each edit retires the cached pieces
that read contracts). Prints each run's throughput, median and 95th percentile, errors, the
share of responses whose cached pieces all came from the cache (the ``X-Cache`` header) and the
machine's load average; exits non-zero when the median run misses a target (>= 100 requests/s,
95th percentile <= 500 ms, no errors).

The data set is built once into ``LOADTEST_DATABASE_URL`` (default: a ``procurement_load``
database on the local PostgreSQL) and kept, so later runs start at once. ``LOADTEST_CONTRACTS``,
``LOADTEST_DURATION`` (seconds), ``LOADTEST_RUNS``, ``LOADTEST_CONNECTIONS`` and
``LOADTEST_WORKERS`` change the run; ``LOADTEST_PAGE_CACHE=off`` serves every page built afresh.
The workers share their cache in Redis (``LOADTEST_REDIS_URL``, default database 15 of the local
server, emptied before each run), as production's do.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/procurement_load"
)
CONTRACTS = int(os.environ.get("LOADTEST_CONTRACTS", "100000"))
DURATION = int(os.environ.get("LOADTEST_DURATION", "30"))
RUNS = int(os.environ.get("LOADTEST_RUNS", "3"))
PAGE_CACHE = os.environ.get("LOADTEST_PAGE_CACHE", "on").strip().lower() not in {
    "off",
    "false",
    "0",
}
# Requests in the timed mix (each connection walks it from a random start), and in the sample
# checked before the runs, drawn apart from it.
MIX_SIZE = 6000
SAMPLE_SIZE = 100
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
    # Each response says whether its cached pieces came from the cache (X-Cache): counted below.
    "PAGE_CACHE_HEADER": "true",
    "PAGE_CACHE": "true" if PAGE_CACHE else "false",
}
# Redis, as in production: every worker shares the cache (procurement/caching.py). A database of
# its own, emptied before each run, so nothing of another run's is served.
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ENVIRONMENT["REDIS_URL"] = REDIS_URL

# wrk's script: each connection walks the requests (path and session cookie) from a random start,
# counts the X-Cache header of each response, and the summary comes back as one JSON line.
LUA = """
local requests = {%s}
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  counter = math.random(#requests)
  hit, miss, none = 0, 0, 0
end
function request()
  counter = counter %% #requests + 1
  local r = requests[counter]
  return wrk.format("GET", r[1], {["Cookie"] = "sessionid=" .. r[2], ["Host"] = "127.0.0.1"})
end
function response(status, headers, body)
  local cache = headers["X-Cache"]
  if cache == "hit" then hit = hit + 1 elseif cache == "miss" then miss = miss + 1
  else none = none + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local hits, misses, nones = 0, 0, 0
  for _, thread in ipairs(threads) do
    hits = hits + thread:get("hit")
    misses = misses + thread:get("miss")
    nones = nones + thread:get("none")
  end
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, ' ..
    '"hit": %%d, "miss": %%d, "none": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, hits, misses, nones))
end
"""
# Words the demo register's titles and suppliers are made of, for the register's searches.
SEARCH_WORDS = (
    "care",
    "home care",
    "repairs",
    "fleet",
    "lighting",
    "school",
    "supplies",
    "services",
    "reablement",
    "translation",
    "staffing",
    "electricity",
    "roof",
    "occupational health",
    "supported living",
    "carers",
    "north",
    "south",
    "east",
    "central",
    "borough-wide",
    "harbourwood",
    "oakfield",
    "kestrelridge",
    "brookgate",
    "limited",
    "plc",
    "solutions",
    "maintenance",
    "grounds",
    "waste",
    "catering",
    "cleaning",
    "security",
    "software",
    "legal",
)
SORTS = ("reference", "title", "supplier", "value", "end")
STATUSES = ("not_started", "active", "expiring", "expired", "extended", "terminated")
VALUE_BANDS = ("up_to_5k", "5k_to_50k", "50k_to_100k", "100k_to_1_5m", "over_1_5m")
ENDING = ("3", "6", "9", "12", "18", "24")
PROBLEMS = ("any", "no_manager", "no_review_date", "no_category", "past_end")


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


def prepare() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Build the data set if need be; sign in the users; return the timed (path, session) mix
    and the sample checked before it, drawn apart from it."""
    create_database()
    manage("migrate", "--noinput", "-v0")
    os.environ.update(ENVIRONMENT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from contracts.models import Contract

    if Contract.objects.count() < CONTRACTS:
        print(f"Building the data set: {CONTRACTS:,} contracts (once; it is kept) ...")
        start = time.perf_counter()
        manage("seed_demo", "--contracts", str(CONTRACTS), debug=True)
        subprocess.run(["psql", DATABASE_URL, "-qc", "ANALYZE"], check=True)
        print(f"  built in {time.perf_counter() - start:.0f} s")
    people = population()
    mix = mix_of(random.Random(2026), people, MIX_SIZE)
    timed = set(mix)
    sample = [r for r in mix_of(random.Random(1), people, SAMPLE_SIZE * 3) if r not in timed]
    return mix, list(dict.fromkeys(sample))[:SAMPLE_SIZE]


def population() -> dict:
    """Who asks (a session for each demo user) and what there is to ask about."""
    from django.test import Client

    from contracts.models import Contract
    from gateways.models import GatewayReview
    from procurement.models import ContractCategory, Directorate, User

    def session_of(email: str) -> str:
        client = Client()
        client.force_login(User.objects.get(email=email))
        return client.cookies["sessionid"].value

    names = ("partner", "officer", "member", "director", "manager", "head", "auditor")
    return {
        "sessions": {name: session_of(f"{name}@northmere.example") for name in names},
        "contracts": list(Contract.objects.values_list("pk", flat=True)),
        "reviews": list(GatewayReview.objects.exclude(state="draft").values_list("pk", flat=True)),
        "directorates": list(Directorate.objects.values_list("pk", flat=True)),
        "categories": list(ContractCategory.objects.values_list("pk", flat=True)),
        "managers": list(
            Contract.objects.exclude(contract_manager=None)
            .values_list("contract_manager", flat=True)
            .distinct()
        ),
    }


def register_addresses(rng, *, directorates, categories, managers, count) -> list[str]:
    """``count`` register addresses drawn at random from its searches, filters, sorts, orders
    and pages (1 to 2,000): few are drawn twice."""
    choices = {
        "q": lambda: rng.choice(SEARCH_WORDS),
        "directorate": lambda: rng.choice(directorates),
        "category": lambda: rng.choice(categories),
        "status": lambda: rng.choice(STATUSES),
        "value": lambda: rng.choice(VALUE_BANDS),
        "ending": lambda: rng.choice(ENDING),
        "problem": lambda: rng.choice(PROBLEMS),
        "sme": lambda: "on",
        "vcse": lambda: "on",
    }
    addresses = []
    for _ in range(count):
        query = {key: choices[key]() for key in rng.sample(sorted(choices), rng.randint(0, 3))}
        if rng.random() < 0.7:
            query["sort"] = rng.choice(SORTS)
            query["order"] = rng.choice(("asc", "desc"))
        # Most asks are of the first pages; some go deep into the unfiltered register.
        deep = not ({"q", "status", "problem", "ending"} & set(query)) and rng.random() < 0.3
        query["page"] = str(rng.randint(1, 2000) if deep else rng.randint(1, 5))
        addresses.append("/contracts/?" + urllib.parse.urlencode(query))
    return addresses


def mix_of(rng, people: dict, count: int) -> list[tuple[str, str]]:
    """``count`` requests, in blocks of twenty: seven to the register at random addresses, three
    contract pages and a contract's social value drawn from the whole register, the officer's
    home page twice and another's, performance, social value, the dashboard, the forward plan,
    the reports awaiting a decision and two reports."""
    sessions = people["sessions"]
    register = register_addresses(
        rng,
        directorates=people["directorates"],
        categories=people["categories"],
        managers=people["managers"],
        count=count,
    )
    mix = []
    while len(mix) < count:
        contract = rng.choice(people["contracts"])
        mix += [
            (register.pop(), sessions[rng.choice(("officer", "partner", "head"))]) for _ in range(7)
        ]
        mix += [
            (f"/contracts/{rng.choice(people['contracts'])}/", sessions[name])
            for name in ("officer", "partner", "director")
        ]
        mix += [
            ("/", sessions["officer"]),
            ("/", sessions["officer"]),
            ("/", sessions[rng.choice(("member", "director", "manager", "partner"))]),
            ("/performance/", sessions[rng.choice(("head", "auditor"))]),
            ("/social-value/", sessions[rng.choice(("head", "director"))]),
            (f"/social-value/contracts/{contract}/", sessions["head"]),
            ("/dashboard/", sessions["member"]),
            ("/gateways/", sessions["officer"]),
            ("/gateways/awaiting/", sessions["director"]),
            (f"/gateways/reviews/{rng.choice(people['reviews'])}/", sessions["partner"]),
        ]
    rng.shuffle(mix)
    return mix[:count]


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


def check_mix(sample: list[tuple[str, str]]) -> None:
    """Every kind of request in the mix answers 200 before the load starts: checked on a sample
    drawn apart from the timed mix (the cache is emptied after it, before every run)."""
    for path, session in sample:
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
    answered = result["hit"] + result["miss"] + result["none"]
    result["hit_ratio"] = result["hit"] / answered if answered else 0.0
    result["load"] = os.getloadavg()
    return result


def report(label: str, result: dict) -> None:
    """Print one run's figures."""
    answered = result["hit"] + result["miss"] + result["none"]
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
    print(
        f"{'served from the cache':<26}{result['hit_ratio']:.0%} of {answered:,} responses "
        f"(built {result['miss']:,}, pages with nothing cached {result['none']:,})"
    )
    print(f"{'load average':<26}{' '.join(f'{x:.2f}' for x in result['load'])} (1, 5, 15 min)")


def misses(label: str, results: list[dict]) -> list[str]:
    """The targets the median run missed (each figure's median over the runs)."""
    rps = statistics.median(r["rps"] for r in results)
    p95 = statistics.median(r["p95"] for r in results)
    errors = sum(r["errors"] for r in results)
    failures = []
    if rps < TARGET_RPS:
        failures.append(f"{label}: throughput {rps:.0f} requests/s < {TARGET_RPS}")
    if p95 > TARGET_P95_MS:
        failures.append(f"{label}: 95th percentile {p95:.0f} ms > {TARGET_P95_MS} ms")
    if errors:
        failures.append(f"{label}: {errors} errors")
    return failures


def timed_runs(script: str) -> tuple[list[dict], list[dict], int]:
    """RUNS runs, each reading only and then reading while a contract is corrected every
    second, each from an empty cache: their results and the edits made."""
    import redis

    reads, writes, edits = [], [], []
    for number in range(1, RUNS + 1):
        redis.Redis.from_url(REDIS_URL).flushdb()
        reads.append(drive(script))
        report(f"Run {number}: reads only", reads[-1])
        redis.Redis.from_url(REDIS_URL).flushdb()
        stop, made = threading.Event(), []
        editor = threading.Thread(target=edit_every_second, args=(stop, made))
        editor.start()
        try:
            writes.append(drive(script))
        finally:
            stop.set()
            editor.join()
        edits.append(len(made))
        report(
            f"Run {number}: reads while an officer corrects a contract every second "
            f"({len(made)} edits)",
            writes[-1],
        )
    return reads, writes, min(edits)


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
    mix, sample = prepare()
    server = serve()
    try:
        check_mix(sample)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(f'{{"{path}", "{session}"}}' for path, session in mix))
        print(
            f"Load: {len(mix):,} requests ({len(set(mix)):,} distinct), {CONNECTIONS} "
            f"connections, {RUNS} runs of {DURATION} s each, gunicorn with {WORKERS} workers on "
            f"{os.cpu_count()} cores, page cache {'on' if PAGE_CACHE else 'off'}"
        )
        reads, writes, fewest_edits = timed_runs(script.name)
    finally:
        server.terminate()
        server.wait(timeout=30)
    failures = misses("Reads only", reads) + misses("Reads with an edit a second", writes)
    if fewest_edits < DURATION // 2:
        failures.append(f"only {fewest_edits} edits were made in {DURATION} s")
    print()
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
