"""The dashboard's contract figures and the home pages' counts of the register kept, so a cold
dashboard or home page reads a few hundred rows rather than the register.

A figure is a condition on the register taken on a scope's as-at day (reporting/selectors.py).
For each day asked for (a financial year and its as-at day: today for the current year, the last
day of a past one), the first request works the figures out from the register and keeps them
(``ContractFigure``): a row per dashboard figure, directorate and category, and a row per home
page count (``HOME_CONDITIONS``), directorate, contract manager and lead director, so that a
person's counts are read from their own rows. Every write that can move a contract in or out of
a figure then corrects each kept day in the same transaction: its
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
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum

from performance.models import financial_year_of
from procurement.commits import delete_all_derived, lock_table
from procurement.models import Directorate

from .models import ContractFigure, ContractFigureDay
from .selectors import (
    CONTRACT_CONDITIONS,
    CONTRACT_SUMS,
    HOME_CONDITIONS,
    ContractFigures,
    Scope,
    contract_figure_rows,
    figures_from_rows,
    home_figure_rows,
)

DASHBOARD_NAMES = (
    *(f"{key}__count" for key in CONTRACT_CONDITIONS),
    *(f"{key}__{part}" for key, parts in CONTRACT_SUMS.items() for part in parts),
)
HOME_NAMES = tuple(f"{key}__count" for key in HOME_CONDITIONS)
NAMES = (*DASHBOARD_NAMES, *HOME_NAMES)
NONE = 0  # the group of contracts with no category, no contract manager or no lead director
NO_CATEGORY = NONE
TABLE = ContractFigure._meta.db_table
GROUP_FIELDS = ("directorate_id", "category_id", "contract_manager_id", "lead_director_id")
GROUP_COLUMNS = ", ".join(GROUP_FIELDS)

Day = tuple[int, date]  # a financial year and its as-at day
# (directorate, category, contract manager, lead director): figures
Group = tuple[int, int, int, int]
Groups = dict[Group, dict[str, Decimal]]


def _lock(mode: str) -> None:
    """Take the kept figures' table lock."""
    lock_table(ContractFigure, mode)


def _council(day: Day) -> Scope:
    """The whole council's scope for a kept day (a year and its as-at day)."""
    year, as_at = day
    return Scope(year=year, today=as_at)


def live_groups(day: Day, contract_ids: Iterable[int] | None = None) -> Groups:
    """The figures of ``day`` for each directorate and category, from the register itself (of
    the contracts ``contract_ids`` only, if given)."""
    dashboard, home = contract_figure_rows(_council(day)), home_figure_rows(_council(day))
    if contract_ids is not None:
        ids = list(contract_ids)
        dashboard, home = dashboard.filter(pk__in=ids), home.filter(pk__in=ids)
    # The dashboard's figures by directorate and category; the home pages' by directorate,
    # contract manager and lead director.
    groups: Groups = {}
    for row in dashboard:
        group = (row["directorate_id"], row["category_id"] or NONE, NONE, NONE)
        groups[group] = {name: Decimal(row[name]) for name in DASHBOARD_NAMES}
    for row in home:
        group = (row["directorate_id"], NONE, row["contract_manager_id"] or NONE)
        groups.setdefault((*group, row["lead_director_id"] or NONE), {}).update(
            {name: Decimal(row[name]) for name in HOME_NAMES}
        )
    return groups


def kept_days() -> list[Day]:
    return list(ContractFigureDay.objects.order_by("year", "as_at").values_list("year", "as_at"))


def kept_groups(day: Day) -> Groups:
    groups: Groups = {}
    rows = ContractFigure.objects.filter(year=day[0], as_at=day[1]).values_list(
        *GROUP_FIELDS, "name", "value"
    )
    for *group, name, value in rows:
        groups.setdefault(tuple(group), {})[name] = value
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
            **dict(zip(GROUP_FIELDS, group, strict=True)),
            name=name,
            value=value,
        )
        for group, figures in live_groups(day).items()
        for name, value in figures.items()
        if value
    )


@transaction.atomic
def discard_all() -> None:
    """Let go of every kept figure: after writes whose contracts' old figures are unknown."""
    _lock("SHARE ROW EXCLUSIVE")
    delete_all_derived(ContractFigure, ContractFigureDay)


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
            f"INSERT INTO {TABLE} (year, as_at, {GROUP_COLUMNS}, name, value) "  # noqa: S608 - our own table's name
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT (year, as_at, {GROUP_COLUMNS}, name) "
            f"DO UPDATE SET value = {TABLE}.value + excluded.value",
            changes,
        )


def _kept(day: Day):
    """The figures kept for ``day`` (worked out and kept first if they are not)."""
    if not ContractFigureDay.objects.filter(year=day[0], as_at=day[1]).exists():
        keep_day(day)
    return ContractFigure.objects.filter(year=day[0], as_at=day[1])


def kept_contract_figures(scope: Scope) -> ContractFigures:
    """The contract figures of ``scope`` from those kept for its day."""
    rows = _kept((scope.year, scope.as_at)).filter(name__in=DASHBOARD_NAMES)
    if scope.directorate_id:
        rows = rows.filter(directorate_id=scope.directorate_id)
    if scope.category_id is not None:
        rows = rows.filter(category_id=scope.category_id or NO_CATEGORY)
    groups: dict[tuple[int, int], dict[str, Decimal]] = {}
    for directorate_id, category_id, name, value in (
        rows.values_list("directorate_id", "category_id", "name")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        groups.setdefault((directorate_id, category_id), {})[name] = value
    return figures_from_rows(
        {
            "directorate_id": directorate_id,
            "category_id": category_id or None,
            **{
                name: int(value) if name.endswith("__count") else value
                for name, value in (
                    (name, figures.get(name, Decimal("0"))) for name in DASHBOARD_NAMES
                )
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


@dataclass(frozen=True)
class HomeCounts:
    """What a person's home page counts of the register, read from the kept figures of today."""

    expiring: int  # contracts they manage, expiring
    expired: int  # contracts they manage, past their end date
    overdue_reviews: int  # running contracts they manage or lead, review overdue
    overdue_reviews_council: int  # running contracts across the council, review overdue
    # In the directorates they are business partner for, contracts that must name officers:
    no_manager: int  # with no contract manager
    no_lead_director: int  # with no lead director


def home_counts(*, user, today: date) -> HomeCounts:
    """``user``'s home-page counts of the register from the figures kept for today (two
    queries; the first request of a day works them out), whatever the register's size."""
    rows = _kept((financial_year_of(today), today)).filter(name__in=HOME_NAMES)
    manages, leads = Q(contract_manager_id=user.pk), Q(lead_director_id=user.pk)
    partners = Q(directorate_id__in=Directorate.objects.filter(business_partner=user).values("pk"))

    def total(key: str, whose: Q | None = None) -> Sum:
        return Sum("value", filter=Q(name=f"{key}__count") & (whose or Q()))

    counts = rows.aggregate(
        expiring=total("home_expiring", manages),
        expired=total("home_expired", manages),
        overdue_reviews=total("home_overdue_reviews", manages | leads),
        overdue_reviews_council=total("home_overdue_reviews"),
        no_manager=total("home_no_manager", partners),
        no_lead_director=total("home_no_lead_director", partners),
    )
    return HomeCounts(**{key: int(value or 0) for key, value in counts.items()})
