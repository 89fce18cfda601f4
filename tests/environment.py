"""Test defaults for the environment, loaded (``-p tests.environment``) before Django's settings.

Tests run with DEBUG off, as production does, so they need a secret key; they are served over
plain HTTP by the test client and live server. Values already in the environment win, so CI's
DATABASE_URL and REDIS_URL are used as given.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-real-0123456789")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("COUNCIL_NAME", "Northmere Borough Council")


def _own_redis_database(url: str, worker: str) -> str:
    """The Redis database of one worker of a parallel run (pytest-xdist's gw0, gw1, ...): the one
    after the configured database for gw0, and so on, as each worker has its own test database.
    Its cache, broker and results then never meet another worker's."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base + 1 + int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)
