"""Trigram indexes for the register's search (PostgreSQL only; SQLite searches without them).

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``, so the
indexes are on that expression. ``pg_trgm`` is a trusted extension: the database's owner can
create it. Where that is not allowed, the search still works, more slowly, and the reason is logged.
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

INDEXES = {
    "contract_reference_trgm": ("contracts_contract", "reference"),
    "contract_title_trgm": ("contracts_contract", "title"),
    "supplier_name_trgm": ("contracts_supplier", "name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT trigram")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as error:
            cursor.execute("ROLLBACK TO SAVEPOINT trigram")
            logger.warning("Register search runs without trigram indexes: %s", error)
            return
        for name, (table, column) in INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_register")]

    operations = [migrations.RunPython(create, drop)]
