"""Settings come from the environment, with safe defaults, and production refuses unsafe ones.

Each case starts a fresh Python process, because settings are read once at start-up.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

STRONG_KEY = "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` after ``django.setup()`` in a new process with only ``env`` configured."""
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR"}
    environment = {name: value for name, value in os.environ.items() if name in keep}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    script = f"import django; django.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("print('started')", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_debug_starts_on_the_development_key():
    result = run_django("from django.conf import settings; print(settings.DEBUG)", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_an_unreadable_boolean_is_a_configuration_error_not_a_guess():
    result = run_django("print('started')", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_defaults_are_sqlite_in_process_tasks_and_london_time():
    code = (
        "from django.conf import settings as s\n"
        "print(s.DATABASES['default']['ENGINE'])\n"
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)\n"
        "print(s.LANGUAGE_CODE, s.TIME_ZONE, s.COUNCIL_NAME)\n"
        "print(s.ALLOWED_HOSTS)\n"
    )
    result = run_django(code, DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    engine, celery, locale, hosts = result.stdout.strip().splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert celery == "True memory://"
    assert locale == "en-gb Europe/London Northmere Borough Council"
    assert hosts == "[]"


def test_database_redis_and_council_come_from_the_environment():
    code = (
        "from django.conf import settings as s\n"
        "d = s.DATABASES['default']\n"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])\n"
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)\n"
        "print(s.COUNCIL_NAME)\n"
        "print(s.ALLOWED_HOSTS)\n"
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)\n"
    )
    result = run_django(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://app:pw@db.internal:6543/register",
        REDIS_URL="redis://cache.internal:6380/2",
        COUNCIL_NAME="Royal Borough of Example",
        ALLOWED_HOSTS="procurement.example.gov.uk, www.example.gov.uk",
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="procurement@example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "django.db.backends.postgresql register db.internal 6543"
    assert lines[1] == "False redis://cache.internal:6380/2"
    assert lines[2] == "Royal Borough of Example"
    assert lines[3] == "['procurement.example.gov.uk', 'www.example.gov.uk']"
    assert lines[4] == "smtp.example.gov.uk 587 True procurement@example.gov.uk"


def test_check_deploy_reports_nothing_for_a_production_configuration():
    code = (
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print('clean')\n"
    )
    result = run_django(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="procurement.example.gov.uk",
        REDIS_URL="redis://cache.internal:6379/0",
        SITE_URL="https://procurement.example.gov.uk",
        OCDS_PREFIX="ocds-b5fd17",
        COUNCIL_ID="PMZV-7732-XZPV",
    )
    assert result.returncode == 0, result.stderr
    assert "clean" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_check_deploy_complains_when_the_cache_is_not_shared():
    code = (
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )
    result = run_django(
        code, DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="procurement.example.gov.uk"
    )
    assert result.returncode != 0
    assert "procurement.W001" in result.stderr


def test_check_deploy_complains_when_https_is_turned_off():
    code = (
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )
    result = run_django(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="procurement.example.gov.uk",
        HTTPS_ONLY="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
