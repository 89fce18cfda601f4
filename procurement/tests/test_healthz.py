"""/healthz reports the database and, when configured, Redis, with a non-200 status when down."""

import json

import pytest

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
    assert "no-cache" in response["Cache-Control"]


def test_up_with_redis(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"ok": True, "configured": True}


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
