"""The container image and the full stack of docker-compose.yml, checked as far as this machine
can without a Docker engine: the image's own steps run here as its Dockerfile writes them, the
compose file is read and (where docker-compose is installed) interpolated, and the settings the
stack starts with go through ``check --deploy`` as its migrate service runs it."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache

from conftest import require
from procurement.background import HEARTBEAT_KEY

BASE_DIR = Path(settings.BASE_DIR)
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")
OLD_COMPOSE_KEY = "change-me-to-a-long-random-value-before-any-real-use-0123456789"
PROPER_KEY = "Vx3-" + "q8Rt2LmZ0pWc7NbY4hGs" * 3


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``command`` in the project's folder with ``env``, as a person would type it."""
    return subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def dockerfile_runs() -> list[str]:
    """The Dockerfile's RUN instructions, each as one shell line."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [
        line.removeprefix("RUN ").strip() for line in joined.splitlines() if line.startswith("RUN ")
    ]


# --- The compose file -----------------------------------------------------------------------------


def test_compose_runs_migrate_web_worker_one_beat_postgres_redis_and_a_mail_catcher():
    services = compose()["services"]
    assert set(services) == {*APP_SERVICES, "db", "redis", "mail"}
    assert services["migrate"]["command"] == (
        'sh -c "python manage.py check --deploy && python manage.py migrate --noinput"'
    )
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["command"].startswith("gunicorn config.wsgi:application")
    assert services["worker"]["command"].startswith("celery --app config worker")
    assert services["beat"]["command"].startswith("celery --app config beat")
    assert services["beat"]["deploy"]["replicas"] == 1


def test_web_worker_and_beat_start_only_after_migrate_has_finished():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["db"] == {"condition": "service_healthy"}, name
    assert "migrate" not in services["migrate"]["depends_on"]


def test_each_long_running_service_but_beat_has_a_health_check():
    services = compose()["services"]
    for name in ("web", "worker", "db", "redis", "mail"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in services["web"]["healthcheck"]["test"][-1]


def test_the_stack_needs_a_secret_key_of_its_own_and_sends_mail_to_the_catcher():
    for name in APP_SERVICES:
        environment = compose()["services"][name]["environment"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert OLD_COMPOSE_KEY not in environment["SECRET_KEY"]
        assert environment["EMAIL_HOST"] == "${EMAIL_HOST:-mail}"
        assert environment["EMAIL_PORT"] == "${EMAIL_PORT:-1025}"
        assert environment["SITE_URL"] == "${SITE_URL:-http://localhost:8000}"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["DEBUG"] == "false"
        assert "media:/app/media" in compose()["services"][name]["volumes"]
    assert "8025:8025" in compose()["services"]["mail"]["ports"]


def docker_compose_config(**environment: str) -> subprocess.CompletedProcess:
    command = shutil.which("docker-compose")
    require(command is not None, "needs docker-compose to read the compose file as Docker does")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | environment
    return run([command, "-f", "docker-compose.yml", "config"], env)


def test_compose_refuses_to_start_without_a_secret_key():
    refused = docker_compose_config()
    assert refused.returncode != 0
    assert "Set SECRET_KEY to a long random value" in refused.stdout + refused.stderr

    accepted = docker_compose_config(SECRET_KEY=PROPER_KEY)
    assert accepted.returncode == 0, accepted.stderr
    web = yaml.safe_load(accepted.stdout)["services"]["web"]["environment"]
    assert web["SECRET_KEY"] == PROPER_KEY
    assert web["EMAIL_HOST"] == "mail"


# --- The image ------------------------------------------------------------------------------------


def test_the_image_installs_the_locked_tree_and_gives_its_user_the_media_folder():
    runs = dockerfile_runs()
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in runs
    assert any("mkdir -p /app/media" in run and "chown -R app /app" in run for run in runs)
    user_at = DOCKERFILE.index("\nUSER app")
    assert DOCKERFILE.index("mkdir -p /app/media") < user_at
    assert "python manage.py check --deploy && exec gunicorn" in DOCKERFILE


def test_collectstatic_with_the_production_storage_finds_every_file(tmp_path):
    """The image's own collectstatic line, with the hashed manifest storage: a stylesheet that
    refers to a file not in the repository stops it (whitenoise's MissingFileError)."""
    (line,) = [run for run in dockerfile_runs() if "collectstatic" in run]
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "STATIC_MANIFEST"}
    }
    env["STATIC_ROOT"] = str(tmp_path)
    words = shlex.split(line)
    assignments = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    command = [word for word in words if not re.match(r"^[A-Z_]+=", word)]
    assert command[:2] == ["python", "manage.py"]
    result = run([sys.executable, *command[1:]], env | assignments)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    crest = manifest["govuk/assets/images/govuk-crest.svg"]
    stylesheet = (tmp_path / manifest["govuk/application.css"]).read_text()
    assert f"/static/{crest}" in stylesheet
    assert (tmp_path / manifest["govuk/govuk-frontend.min.js"]).exists()
    # Compressed copies for whitenoise to serve.
    assert (tmp_path / f"{manifest['govuk/application.css']}.gz").exists()


def test_every_url_in_the_committed_stylesheet_is_a_committed_file():
    stylesheet = (BASE_DIR / "static" / "govuk" / "application.css").read_text()
    addresses = re.findall(r"url\([\"']?([^\"')]+)[\"']?\)", stylesheet)
    assert addresses
    for address in addresses:
        if address.startswith("data:"):
            continue
        assert address.startswith("/static/"), address
        assert (BASE_DIR / "static" / address.removeprefix("/static/")).is_file(), address


# --- check --deploy -------------------------------------------------------------------------------


def check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` with production's settings: DEBUG off, HTTPS, a proper key,
    the council's own OCDS prefix, identifier and address, changed by ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DEBUG": "false",
        "SECRET_KEY": PROPER_KEY,
        "HTTPS_ONLY": "true",
        "SITE_URL": "https://procurement.northmere.gov.uk",
        "OCDS_PREFIX": "ocds-b5fd17",
        "COUNCIL_ID": "PMZV-7732-XZPV",
        "ALLOWED_HOSTS": "procurement.northmere.gov.uk",
    }
    return run([sys.executable, "manage.py", "check", "--deploy"], env | overrides)


def test_check_deploy_passes_with_proper_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stderr
    assert "procurement.E" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "key",
    [
        OLD_COMPOSE_KEY,
        "collectstatic-only",
        "short-but-random-9f2",
    ],
)
def test_check_deploy_fails_on_a_published_or_short_key(key):
    result = check_deploy(SECRET_KEY=key)
    assert result.returncode != 0
    assert "(procurement.E001) SECRET_KEY is" in result.stderr


def test_the_development_key_does_not_even_load_with_debug_off():
    result = check_deploy(SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is not set. With DEBUG off the service will not start" in result.stderr


def test_check_deploy_fails_on_the_demonstration_prefix_and_an_address_without_https():
    result = check_deploy(
        OCDS_PREFIX="ocds-demo01",
        COUNCIL_ID="PDEM-0000-DEMO",
        SITE_URL="http://procurement.northmere.gov.uk",
    )
    assert result.returncode != 0
    assert "(procurement.E002) OCDS_PREFIX is the demonstration prefix" in result.stderr
    assert "(procurement.E004) COUNCIL_ID is the demonstration identifier" in result.stderr
    assert "(procurement.E003) SITE_URL is http://procurement.northmere.gov.uk" in result.stderr


@pytest.mark.parametrize(
    ("scheme", "identifier"),
    [("GB-PPON", "PMZV7732XZPV"), ("GB-PPON", "PMZV-7732-XZP"), ("GB-COH", "PMZV-7732-XZPV")],
)
def test_a_council_identifier_not_of_its_schemes_form_refuses_to_start(scheme, identifier):
    result = check_deploy(COUNCIL_ID_SCHEME=scheme, COUNCIL_ID=identifier)
    assert result.returncode != 0
    assert f"is not a {scheme} identifier" in result.stderr


def test_a_trial_without_tls_is_warned_about_the_prefix_and_address_but_starts():
    """The compose stack on one machine: HTTPS_ONLY off, as docs/operations.md says."""
    result = check_deploy(
        HTTPS_ONLY="false",
        OCDS_PREFIX="ocds-demo01",
        COUNCIL_ID="",
        SITE_URL="http://localhost:8000",
    )
    assert result.returncode == 0, result.stderr
    assert "(procurement.W002)" in result.stderr
    assert "(procurement.W004)" in result.stderr
    assert "(procurement.W003)" in result.stderr


def test_gunicorn_will_not_load_the_service_on_a_published_key_however_it_is_started():
    """Not only the container runs the checks: the WSGI application refuses to load."""
    load = [sys.executable, "-c", "import config.wsgi; print('loaded')"]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    production = env | {
        "DEBUG": "false",
        "HTTPS_ONLY": "true",
        "SITE_URL": "https://procurement.northmere.gov.uk",
        "OCDS_PREFIX": "ocds-b5fd17",
        "COUNCIL_ID": "PMZV-7732-XZPV",
        "ALLOWED_HOSTS": "procurement.northmere.gov.uk",
    }
    refused = run(load, production | {"SECRET_KEY": OLD_COMPOSE_KEY})
    assert refused.returncode != 0
    assert "The service will not start on these settings" in refused.stderr
    assert "(procurement.E001) SECRET_KEY is a published key" in refused.stderr
    started = run(load, production | {"SECRET_KEY": PROPER_KEY})
    assert started.returncode == 0, started.stderr
    assert "loaded" in started.stdout


def test_the_compose_worker_command_starts_a_worker_that_is_heard_from(redis_url):
    """The worker as compose starts it, in a process of its own: its heartbeat reaches the cache
    that /healthz reads."""
    command = shlex.split(compose()["services"]["worker"]["command"])
    assert command[:4] == ["celery", "--app", "config", "worker"]
    celery = Path(sys.executable).with_name("celery")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"REDIS_URL": redis_url, "DEBUG": "false"}
    cache.delete(HEARTBEAT_KEY)
    worker = subprocess.Popen(
        [str(celery), *command[1:]],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read()
            time.sleep(0.2)
        beat = cache.get(HEARTBEAT_KEY)
        assert beat is not None, "the worker was not heard from in a minute"
        assert abs(time.time() - beat) < 60
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        cache.delete(HEARTBEAT_KEY)
