"""The aggregation and payment performance lists as exports, in the log of who exported what
(procurement/exportjobs.py). They are grouped figures, a row per supplier, category or period,
so each is written while the page waits."""

from django.utils import timezone

from procurement.exportjobs import ExportKind, ExportTable, register

from .insight import TABLES

KIND_PREFIX = "spend.insight."


def _kind(key: str) -> ExportKind:
    table = TABLES[key]

    def build(user, query) -> ExportTable:
        return ExportTable(table.headings, table.rows(query, timezone.localdate()), table.title)

    def count(user, query) -> int:
        return sum(1 for _ in table.rows(query, timezone.localdate()))

    return register(
        ExportKind(key=KIND_PREFIX + key, permission="spend.view_spend", build=build, count=count)
    )


for _key in TABLES:
    _kind(_key)
