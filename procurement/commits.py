"""Work to do once a transaction commits."""

from collections.abc import Callable

from django.db import connection, transaction

from .caching import data_changed, families_of


def on_commit_once(func: Callable[[], None]) -> None:
    """Run ``func`` when the transaction commits (at once, outside one), once however often the
    transaction asks: a bulk write signals each batch it writes, and what follows from them all
    is worked out once, at the end. Asked again after a savepoint that asked was rolled back,
    it is asked afresh."""
    if not connection.in_atomic_block:
        func()
        return
    if any(hook is func for _, hook, _ in connection.run_on_commit):
        return
    transaction.on_commit(func)


def lock_table(model, mode: str) -> None:
    """Take ``model``'s table lock in ``mode`` until the transaction ends (PostgreSQL; SQLite
    writes one at a time anyway, and outside a transaction there is nothing to hold)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN {mode} MODE")


def delete_all_derived(*models) -> None:
    """Empty the tables of ``models``, derived data kept for speed (no history, nothing else
    refers to them), without reading their rows first as a queryset's delete does to send each
    row's signals; and retire the cached pieces that read them."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - our own table's name
    data_changed(*(family for model in models for family in families_of(model)))


def delete_derived(model, column: str, values: list) -> None:
    """Delete the rows of ``model`` (derived data, as above) whose ``column`` is one of
    ``values``, in one statement, and retire the cached pieces that read them."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {connection.ops.quote_name(column)} IN ({marks})",  # noqa: S608 - our own table's and column's names
            values,
        )
    data_changed(*families_of(model))
