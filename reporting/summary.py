"""The dashboard's contract figures kept, so a cold dashboard reads a few hundred rows rather
than the register.

A figure is a condition on the register taken on a scope's as-at day (reporting/selectors.py).
For each day asked for (a financial year and its as-at day: today for the current year, the last
day of a past one), the first request works the figures out from the register and keeps them,
a row per figure, directorate and category (``ContractFigure``). Every write that can move a
contract in or out of a figure then corrects each kept day in the same transaction: its
receivers (reporting/receivers.py) work out the figures of the contracts it touches before and
after the write, with the same query restricted to those contracts, and add the difference. So
the kept figures are the live ones, exactly, whatever the write. Bulk writes that send no
per-row signals (the register import and demo seeding, once they commit; migrations) and changes
to the renewal bands (which move every contract's lead time) discard what is kept: the next
request works it out afresh.

The kept figures are derived data, a cache of the register: they keep no history of their own.

On PostgreSQL, a write holds the table in ROW EXCLUSIVE mode from before it reads the contracts'
old figures until it commits, and working out a new day takes SHARE ROW EXCLUSIVE: so a new day
is worked out only once the writes in flight have committed, and a write that starts meanwhile
waits for it and then corrects it too.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from .models import ContractFigure, ContractFigureDay
from .selectors import (
    CONTRACT_CONDITIONS,
    CONTRACT_SUMS,
    ContractFigures,
    Scope,
    contract_figure_rows,
    figures_from_rows,
)

NAMES = (
    *(f"{key}__count" for key in CONTRACT_CONDITIONS),
    *(f"{key}__{part}" for key, parts in CONTRACT_SUMS.items() for part in parts),
)
NO_CATEGORY = 0
TABLE = ContractFigure._meta.db_table

Day = tuple[int, date]  # a financial year and its as-at day
Groups = dict[tuple[int, int], dict[str, Decimal]]  # (directorate, category): figures


def _lock(mode: str) -> None:
    """Take the kept figures' table lock (PostgreSQL; SQLite writes one at a time anyway)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {TABLE} IN {mode} MODE")


def _council(day: Day) -> Scope:
    """The whole council's scope for a kept day (a year and its as-at day)."""
    year, as_at = day
    return Scope(year=year, today=as_at)


def live_groups(day: Day, contract_ids: Iterable[int] | None = None) -> Groups:
    """The figures of ``day`` for each directorate and category, from the register itself (of
    the contracts ``contract_ids`` only, if given)."""
    rows = contract_figure_rows(_council(day))
    if contract_ids is not None:
        rows = rows.filter(pk__in=list(contract_ids))
    return {
        (row["directorate_id"], row["category_id"] or NO_CATEGORY): {
            name: Decimal(row[name]) for name in NAMES
        }
        for row in rows
    }


def kept_days() -> list[Day]:
    return list(ContractFigureDay.objects.order_by("year", "as_at").values_list("year", "as_at"))


def kept_groups(day: Day) -> Groups:
    groups: Groups = {}
    rows = ContractFigure.objects.filter(year=day[0], as_at=day[1]).values_list(
        "directorate_id", "category_id", "name", "value"
    )
    for directorate_id, category_id, name, value in rows:
        groups.setdefault((directorate_id, category_id), {})[name] = value
    return groups


def _is_year_end(day: Day) -> bool:
    return day[1] == date(day[0] + 1, 3, 31)


@transaction.atomic
def keep_day(day: Day) -> None:
    """Work out and keep the figures of ``day``, unless they are kept already; and let go of
    the days it supersedes, so a write corrects a few days at most."""
    _lock("SHARE ROW EXCLUSIVE")
    if ContractFigureDay.objects.filter(year=day[0], as_at=day[1]).exists():
        return
    # A day that is not a year's end is a "today": the days before it, other than years' ends,
    # are no longer asked for (the day before is kept for requests begun before midnight).
    superseded = day[1] - timedelta(days=1) if not _is_year_end(day) else date.min
    for old in kept_days():
        if old[1] < superseded and not _is_year_end(old):
            ContractFigure.objects.filter(year=old[0], as_at=old[1]).delete()
            ContractFigureDay.objects.filter(year=old[0], as_at=old[1]).delete()
    ContractFigureDay.objects.create(year=day[0], as_at=day[1])
    ContractFigure.objects.filter(year=day[0], as_at=day[1]).delete()  # none, unless left over
    ContractFigure.objects.bulk_create(
        ContractFigure(
            year=day[0],
            as_at=day[1],
            directorate_id=directorate_id,
            category_id=category_id,
            name=name,
            value=value,
        )
        for (directorate_id, category_id), figures in live_groups(day).items()
        for name, value in figures.items()
    )


@transaction.atomic
def discard_all() -> None:
    """Let go of every kept figure: after writes whose contracts' old figures are unknown."""
    _lock("SHARE ROW EXCLUSIVE")
    ContractFigure.objects.all().delete()
    ContractFigureDay.objects.all().delete()


def figures_before(contract_ids: Iterable[int]) -> dict[Day, Groups]:
    """Before a write: the contracts' figures on each kept day. Holds the table against a new
    day being worked out until the write commits."""
    ids = [pk for pk in contract_ids if pk is not None]
    _lock("ROW EXCLUSIVE")
    if not ids:
        return {}
    return {day: live_groups(day, ids) for day in kept_days()}


def figures_after(contract_ids: Iterable[int], before: dict[Day, Groups]) -> None:
    """After a write: add to each kept day the contracts' figures now less those before."""
    ids = [pk for pk in contract_ids if pk is not None]
    changes = []
    for day in kept_days():
        after = live_groups(day, ids) if ids else {}
        was = before.get(day, {})
        for group in after.keys() | was.keys():
            for name in NAMES:
                now = after.get(group, {}).get(name, Decimal("0"))
                difference = now - was.get(group, {}).get(name, Decimal("0"))
                if difference:
                    changes.append((*day, *group, name, difference))
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (year, as_at, directorate_id, category_id, name, value) "  # noqa: S608 - our own table's name
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (year, as_at, directorate_id, category_id, name) "
            f"DO UPDATE SET value = {TABLE}.value + excluded.value",
            changes,
        )


def kept_contract_figures(scope: Scope) -> ContractFigures:
    """The contract figures of ``scope`` from those kept for its day (worked out and kept first
    if they are not)."""
    day = (scope.year, scope.as_at)
    if not ContractFigureDay.objects.filter(year=day[0], as_at=day[1]).exists():
        keep_day(day)
    rows = ContractFigure.objects.filter(year=day[0], as_at=day[1])
    if scope.directorate_id:
        rows = rows.filter(directorate_id=scope.directorate_id)
    if scope.category_id is not None:
        rows = rows.filter(category_id=scope.category_id or NO_CATEGORY)
    groups: Groups = {}
    for directorate_id, category_id, name, value in rows.values_list(
        "directorate_id", "category_id", "name", "value"
    ):
        groups.setdefault((directorate_id, category_id), {})[name] = value
    return figures_from_rows(
        {
            "directorate_id": directorate_id,
            "category_id": category_id or None,
            **{
                name: int(value) if name.endswith("__count") else value
                for name, value in ((name, figures.get(name, Decimal("0"))) for name in NAMES)
            },
        }
        for (directorate_id, category_id), figures in sorted(groups.items())
    )


def disagreements() -> list[str]:
    """Where the kept figures differ from the register's own (none, if every write path keeps
    them exact): for a check, a test or an operator."""
    found = []
    for day in kept_days():
        live, kept = live_groups(day), kept_groups(day)
        for group in live.keys() | kept.keys():
            for name in NAMES:
                now = live.get(group, {}).get(name, Decimal("0"))
                held = kept.get(group, {}).get(name, Decimal("0"))
                if now != held:
                    found.append(f"{day[0]} on {day[1]}, group {group}, {name}: {held} kept, {now}")
    return found
