"""Full-text search of the register, and indexes for its sorts and deep pages (PostgreSQL only;
SQLite searches with ``icontains`` and sorts without them).

Each contract gets a ``search_vector``: the words of its title and of its supplier's name
(``simple`` configuration: no stemming, no stop words, so a search for "oak" finds "Oakfield" by
prefix). The database keeps it: a trigger fills it whenever a contract's title or supplier is
written, and another refreshes a supplier's contracts when the supplier is renamed. The column is
a pure index of other data, not governed data: it is not a model field, has no history and is
never read by the application except in the search condition. A GIN index serves the search.

The other indexes serve the register's sorts with their id tiebreak, for page 1 and for deep
pages alike: reference, end date newest first (rolling contracts last), the supplier's contracts
in id order, and references by prefix (people type "NBC/2023" for "NBC/2023/014").
"""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION contracts_contract_words(title text, supplier bigint)
    RETURNS tsvector AS $$
        SELECT to_tsvector('simple', coalesce(title, ''))
            || to_tsvector('simple', coalesce(
                (SELECT name FROM contracts_supplier WHERE id = supplier), ''))
    $$ LANGUAGE sql STABLE
    """,
    # Added empty, then filled by rewriting the table (not by an UPDATE, which would leave
    # every row's old version behind until a VACUUM FULL).
    "ALTER TABLE contracts_contract ADD COLUMN search_vector tsvector",
    "ALTER TABLE contracts_contract ALTER COLUMN search_vector TYPE tsvector "
    "USING contracts_contract_words(title, supplier_id)",
    """
    CREATE OR REPLACE FUNCTION contracts_contract_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := contracts_contract_words(NEW.title, NEW.supplier_id);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contracts_contract_search_vector
    BEFORE INSERT OR UPDATE OF title, supplier_id ON contracts_contract
    FOR EACH ROW EXECUTE FUNCTION contracts_contract_search_vector()
    """,
    """
    CREATE OR REPLACE FUNCTION contracts_supplier_search_vector() RETURNS trigger AS $$
    BEGIN
        UPDATE contracts_contract
        SET search_vector = to_tsvector('simple', title) || to_tsvector('simple', NEW.name)
        WHERE supplier_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contracts_supplier_search_vector
    AFTER UPDATE OF name ON contracts_supplier
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION contracts_supplier_search_vector()
    """,
    "CREATE INDEX IF NOT EXISTS contract_search_vector ON contracts_contract "
    "USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS contract_reference_prefix ON contracts_contract "
    "(UPPER(reference::text) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS contract_reference_id ON contracts_contract (reference, id)",
    "CREATE INDEX IF NOT EXISTS contract_end_date_desc_id ON contracts_contract "
    "(end_date DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS contract_supplier_id_id ON contracts_contract (supplier_id, id)",
    "ANALYZE contracts_contract",
]

DROP = [
    "DROP INDEX IF EXISTS contract_supplier_id_id",
    "DROP INDEX IF EXISTS contract_end_date_desc_id",
    "DROP INDEX IF EXISTS contract_reference_id",
    "DROP INDEX IF EXISTS contract_reference_prefix",
    "DROP INDEX IF EXISTS contract_search_vector",
    "DROP TRIGGER IF EXISTS contracts_supplier_search_vector ON contracts_supplier",
    "DROP FUNCTION IF EXISTS contracts_supplier_search_vector()",
    "DROP TRIGGER IF EXISTS contracts_contract_search_vector ON contracts_contract",
    "DROP FUNCTION IF EXISTS contracts_contract_search_vector()",
    "ALTER TABLE contracts_contract DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS contracts_contract_words(text, bigint)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("contracts", "0011_rolling_contracts")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
