"""/healthz reports the database and, when configured, Redis, with a non-200 status when down;
and the worker, from its heartbeat, without ever making the status non-200."""

import json
import time

import pytest
from django.core.cache import cache

from procurement.background import HEARTBEAT_KEY, Heartbeat, worker_heartbeat
from procurement.tests.test_settings import STRONG_KEY, run_django

pytestmark = pytest.mark.django_db


def test_up_without_redis_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": True, "configured": False}
    # Without Redis, work is done in the request: there is no worker to wait for.
    assert body["checks"]["worker"] == {
        "ok": True,
        "state": "in-process",
        "seconds_since_heartbeat": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_up_with_redis(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"ok": True, "configured": True}


def test_a_worker_not_heard_from_is_reported_and_the_service_stays_up(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    cache.delete(HEARTBEAT_KEY)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "state": "not seen",
        "seconds_since_heartbeat": None,
    }
    worker_heartbeat(now=time.time() - 200)  # three heartbeats missed, and more
    worker = client.get("/healthz").json()["checks"]["worker"]
    assert (worker["ok"], worker["state"]) == (False, "not seen")
    assert 200 <= worker["seconds_since_heartbeat"] < 260
    cache.delete(HEARTBEAT_KEY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_worker_is_heard_from_on_its_timer(client, settings, redis_url, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    assert not app.conf.task_always_eager
    settings.REDIS_URL = redis_url
    cache.delete(HEARTBEAT_KEY)
    monkeypatch.setattr(Heartbeat, "interval", 0.2)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        response = client.get("/healthz")
        assert response.status_code == 200
        worker = response.json()["checks"]["worker"]
        assert worker["ok"] is True
        assert worker["state"] == "running"
        assert worker["seconds_since_heartbeat"] <= 1
        first = cache.get(HEARTBEAT_KEY)
        deadline = time.monotonic() + 10
        while cache.get(HEARTBEAT_KEY) == first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cache.get(HEARTBEAT_KEY) > first  # and again, every interval
    stopped = cache.get(HEARTBEAT_KEY)
    time.sleep(0.5)
    assert cache.get(HEARTBEAT_KEY) == stopped  # a stopped worker beats no more
    cache.delete(HEARTBEAT_KEY)


def test_down_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_down_when_the_database_cannot_be_reached():
    # A real process whose database cannot be opened: nothing is mocked.
    code = (
        "from django.test import Client\n"
        "import json\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code)\n"
        "print(r.content.decode())\n"
    )
    result = run_django(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        HTTPS_ONLY="false",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite:////nonexistent-directory/for/health/db.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503"
    checks = json.loads(body)["checks"]
    assert checks["database"]["ok"] is False
    assert checks["database"]["error"] == "OperationalError"
