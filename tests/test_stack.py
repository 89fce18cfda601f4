"""The full stack described in docker-compose.yml: the services the README promises."""

from pathlib import Path

import yaml
from django.conf import settings


def compose() -> dict:
    return yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())


def test_compose_runs_web_worker_one_beat_postgres_and_redis():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery --app config worker")
    assert services["beat"]["command"].startswith("celery --app config beat")
    assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_points_the_app_at_postgres_and_redis_with_debug_off():
    environment = compose()["services"]["worker"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["DEBUG"] == "false"
