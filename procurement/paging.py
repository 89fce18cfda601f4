"""Paging that stays quick on long lists: a count that is exact only while it is cheap, and a page
read by its ids first.

- The count stops at ``exact_up_to`` rows (or just past the page asked for, if that is further):
  ``SELECT count(*) FROM (… LIMIT n)``. Beyond it the list says "about 12,400", from the
  database's own estimate of the rows (PostgreSQL's planner; elsewhere the plain count).
  Stepping on to the pages past the estimate still works: each page counts up to itself, so
  the last page is found exactly when someone reaches it.
- A page reads the ids of its rows first (the sort's index, without the other tables), then
  those rows with everything they show: a deep page skips index entries, not whole rows.

Both run a fixed number of queries, whatever the page and the size of the list.
"""

import json

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

from procurement import numbers

# Lists up to this long are counted exactly on every page.
EXACT_UP_TO = 1000
# A page number past any list's end: counting stops there (a database's LIMIT has a largest).
FURTHEST_PAGE = 10**7


def rounded(number: int) -> int:
    """``number`` to three significant figures, as an estimate is said: 12,437 is about 12,400."""
    digits = len(str(number))
    if digits <= 3:
        return number
    scale = 10 ** (digits - 3)
    return round(number / scale) * scale


def estimated_rows(queryset) -> int | None:
    """The database's estimate of how many rows ``queryset`` finds, without finding them
    (PostgreSQL's planner); ``None`` where the database gives none."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A Django paginator whose count is exact up to ``exact_up_to`` rows (or the page asked
    for) and estimated beyond, and whose pages are read by id. ``count_is_exact`` says which;
    ``count`` is the figure to show."""

    exact_up_to = EXACT_UP_TO

    def __init__(self, object_list, per_page, *args, exact_up_to: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if exact_up_to is not None:
            self.exact_up_to = exact_up_to
        self._wanted = 1

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        limit = self._limit = max(self.exact_up_to, self._wanted * self.per_page) + 1
        found = self.object_list.order_by()[:limit].count()
        if found < limit:
            return found, True
        estimate = estimated_rows(self.object_list)
        if estimate is None:
            estimate = self.object_list.count()
        # At least what was counted, and never said more precisely than it is known.
        return max(rounded(estimate), limit), False

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self._counted[1]

    @property
    def count_as_said(self) -> str:
        """The count as a list says it: "1,234"; beyond the exact count "about 12,400", or "more
        than 1,000" where the estimate is less than was counted."""
        if self.count_is_exact:
            return numbers.count(self.count)
        if self.count <= self._limit:  # the estimate is no more than was counted
            return f"more than {numbers.count(self._limit - 1)}"
        return f"about {numbers.count(self.count)}"

    def validate_number(self, number) -> int:
        # The first page number asked for decides how far the count goes.
        if "_counted" not in self.__dict__:
            try:
                self._wanted = min(max(1, int(number)), FURTHEST_PAGE)
            except (TypeError, ValueError, OverflowError):
                pass
        return super().validate_number(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_is_exact and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int) -> list:
        """The rows from ``bottom`` to ``top``: their ids in the list's order (an index's
        work), then the rows themselves."""
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return []
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
