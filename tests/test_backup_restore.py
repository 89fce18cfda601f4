"""Recovery, as docs/operations.md tells it: pg_dump the database, pg_restore the dump into a
new one, and the service serves the restored register."""

import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from contracts.tests.factories import ContractOverFiftyThousandFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERVE = """
import django
django.setup()
from django.test import Client
from procurement.models import User
client = Client()
client.force_login(User.objects.get(email={email!r}))
page = client.get("/contracts/?q={reference}")
print(page.status_code, {reference!r} in page.content.decode())
"""


def _pg(params: dict) -> tuple[list[str], dict]:
    arguments = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432)]
    arguments += ["-U", params["USER"] or "postgres"]
    environment = {**os.environ}
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = params["PASSWORD"]
    return arguments, environment


def test_a_dump_restores_into_a_fresh_database_that_the_service_serves(
    postgres, make_user, tmp_path
):
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore", "createdb", "dropdb")}
    for name, path in tools.items():
        if path is None:
            pytest.fail(f"{name} is needed (Debian's postgresql-client)")
    auditor = make_user(Role.AUDITOR)
    contract = ContractOverFiftyThousandFactory(title="Restored home care")
    params = connection.settings_dict
    arguments, environment = _pg(params)
    dump = tmp_path / "procurement.dump"
    subprocess.run(
        [
            tools["pg_dump"],
            *arguments,
            "--format=custom",
            "--no-owner",
            "-f",
            str(dump),
            params["NAME"],
        ],
        check=True,
        env=environment,
    )
    restored = f"restore_{uuid.uuid4().hex[:8]}"
    subprocess.run([tools["createdb"], *arguments, restored], check=True, env=environment)
    try:
        subprocess.run(
            [tools["pg_restore"], *arguments, "--no-owner", "-d", restored, str(dump)],
            check=True,
            env=environment,
        )
        host = params["HOST"] or "127.0.0.1"
        url = (
            f"postgres://{params['USER'] or 'postgres'}@{host}:{params['PORT'] or 5432}/{restored}"
        )
        served = subprocess.run(
            [sys.executable, "-c", SERVE.format(email=auditor.email, reference=contract.reference)],
            cwd=settings.BASE_DIR,
            env={
                **environment,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "true",
                "REDIS_URL": "",
            },
            capture_output=True,
            text=True,
            check=True,
        )
        assert served.stdout.strip().splitlines()[-1] == "200 True", served.stdout
    finally:
        subprocess.run([tools["dropdb"], *arguments, "--if-exists", restored], env=environment)
