"""Indexes for the renewal alert job (PostgreSQL only; SQLite reads without them).

The job asks, for each value band, for the contracts ending within its lead times: a range of end
dates and a range of values, which one index on both answers; a rolling contract (no end date)
by its review date. On a register of 100,000 contracts this reads the few thousand inside a lead
time and nothing else.
"""

from django.db import migrations

INDEXES = {
    "contract_alert_end_value": 'ON "contracts_contract" ("end_date", "whole_life_value")',
    "contract_alert_review_value": (
        'ON "contracts_contract" ("review_date", "whole_life_value") WHERE "end_date" IS NULL'
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, definition in INDEXES.items():
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" {definition}')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("contracts", "0013_contract_start_date_index")]

    operations = [migrations.RunPython(create, drop)]
