"""Fixtures shared by every app's tests.

Tests that need PostgreSQL, Redis or Chromium ask for the ``postgres``, ``redis_url`` or
``chromium_path`` fixture. Where the service is absent they skip with the reason, except under
``CI=true``, where a missing service is a failure: CI must run every test against the real thing.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from procurement.roles import Role

RUNNING_IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
# The password every factory-made user has (procurement/tests/factories.py).
TEST_PASSWORD = "correct-horse-battery-staple"


def require(available: bool, reason: str) -> None:
    """Skip a test whose service is missing, or fail it in CI, where nothing may skip."""
    if available:
        return
    if RUNNING_IN_CI:
        pytest.fail(f"{reason} — under CI=true every service must be present.")
    pytest.skip(reason)


@pytest.fixture
def postgres():
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://… (the suite is on SQLite)",
    )
    return connection


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = settings.REDIS_URL
    reachable = False
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            reachable = True
        except redis.RedisError:
            reachable = False
    require(reachable, "needs Redis: set REDIS_URL=redis://… to a running server")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
    require(bool(path), "needs Debian's Chromium (apt-get install chromium)")
    return path


@pytest.fixture
def make_user(db):
    """Create an active user holding ``roles``, with a known password."""
    from procurement.tests.factories import UserFactory

    def make(*roles: Role, **fields):
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def user_for_role(make_user):
    """A function returning one user per role, created on first use."""
    users: dict[Role, object] = {}

    def get(role: Role):
        if role not in users:
            users[role] = make_user(role)
        return users[role]

    return get


@pytest.fixture(autouse=True, scope="session")
def _post_redirect_get_guard():
    """Every POST the suite makes, through the test client or a browser, passes the guard in
    tests/post_redirect_get.py: one that writes must answer with a redirect."""
    guard = "tests.post_redirect_get.PostRedirectGetGuard"
    settings.MIDDLEWARE = [guard, *settings.MIDDLEWARE]
    yield
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != guard]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply; production keeps Django's default PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts in a new data generation: no cached piece of a page outlives the test
    (and its rolled-back data) that built it."""
    from procurement.caching import new_generation

    new_generation()


@pytest.fixture(scope="session")
def seeds_dir():
    """The council documents the product's reference data comes from (``SEEDS_DIR``, else the
    ``shared/seeds`` folder beside the project)."""
    from pathlib import Path

    folder = Path(os.environ.get("SEEDS_DIR") or settings.BASE_DIR.parent / "shared" / "seeds")
    require(folder.is_dir(), f"needs the seed documents in {folder} (set SEEDS_DIR)")
    return folder


@pytest.fixture
def tasks_in_process():
    """Queued tasks run here, as they do without Redis (``make run``)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def imports_run_here(tasks_in_process, monkeypatch):
    """An import's background steps run in this process as soon as they are queued, as under
    ``make run``: a test's transaction never commits, so nothing would wait for the commit."""
    from procurement import imports

    monkeypatch.setattr(imports.transaction, "on_commit", lambda run, *args, **kwargs: run())


@pytest.fixture
def import_worker(transactional_db):
    """A Celery worker for the imports' background steps, as production has, when tasks go
    through Redis; without Redis they run in the request, as under ``make run``."""
    from config.celery import app

    if app.conf.task_always_eager:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker
