"""The aggregation and payment performance lists as tables: the same rows for the page, its CSV
and XLSX, and the API, each read from ``spend.selectors.insight`` as plain values.

Each list is a ``Table``: its title, its columns (heading, API name) and a function giving its
rows (a list of values per row, in the columns' order) for a query (its filters and the day)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from procurement.forms import GovukForm
from procurement.models import ContractCategory

from .selectors.gaps import twelve_months_to
from .selectors.insight import (
    category_opportunities,
    contracts_ending_together,
    directorates_paying,
    half_year_bounds,
    half_year_label,
    payment_performance,
    periods_start,
    supplier_opportunities,
)


class CategoryForm(GovukForm):
    """A list's filter: one contract category."""

    category = forms.ModelChoiceField(
        label="Contract category",
        queryset=ContractCategory.objects.order_by("name"),
        required=False,
        empty_label="All categories",
    )

    def category_id(self) -> int | None:
        if not self.is_valid() or not self.cleaned_data.get("category"):
            return None
        return self.cleaned_data["category"].pk


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (heading, name in the API)
    rows: Callable[[QueryDict, date], Iterable[list[Any]]]
    filtered: bool = False  # by contract category

    @property
    def headings(self) -> list[str]:
        return [heading for heading, _ in self.columns]

    @property
    def names(self) -> list[str]:
        return [name for _, name in self.columns]


def _category(query: QueryDict) -> int | None:
    return CategoryForm(query or None).category_id()


def supplier_rows(query: QueryDict, today: date) -> Iterable[list[Any]]:
    start, end = twelve_months_to(today)
    rows = list(supplier_opportunities(start=start, end=end))
    paying = directorates_paying(rows, start=start, end=end)
    for row in rows:
        yield [
            row["supplier__name"],
            "; ".join(paying[row["supplier_id"]]),
            row["directorates"],
            row["contracts"],
            row["paid"],
            row["paid_no_contract"],
            row["contract_value"],
        ]


def category_rows(query: QueryDict, today: date) -> Iterable[list[Any]]:
    for row in category_opportunities(on=today, category_id=_category(query)):
        yield [
            row["category__name"],
            row["directorates"],
            row["contracts"],
            row["value"],
            row["annual"],
        ]


def ending_rows(query: QueryDict, today: date) -> Iterable[list[Any]]:
    for row in contracts_ending_together(on=today, category_id=_category(query)):
        start, end = half_year_bounds(row["period"])
        yield [
            row["category__name"],
            start,
            end,
            row["contracts"],
            row["directorates"],
            row["first_end"],
            row["last_end"],
            row["value"],
        ]


def performance_rows(query: QueryDict, today: date) -> Iterable[list[Any]]:
    """Every line of the payment performance page: the last twelve months overall, for SMEs
    and VCSEs and by directorate, then the latest four six-month periods."""
    start, end = twelve_months_to(today)
    found = payment_performance(start=start, end=end)
    periods = payment_performance(start=periods_start(today), end=today).by_period
    months = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    groups = [("Overall", found.overall), ("SMEs", found.sme), ("VCSEs", found.vcse)]
    groups += [("Directorate", timing) for timing in found.by_directorate]
    for kind, timing in groups:
        yield _timing_row(kind, timing.label if kind == "Directorate" else months, timing)
    for timing in periods:
        yield _timing_row("Six-month period", half_year_label(timing.key), timing)


def _timing_row(kind: str, label: str, timing) -> list[Any]:
    return [
        kind,
        label,
        timing.invoices,
        timing.within_30,
        timing.late,
        timing.within_30_share,
        timing.within_target,
        timing.within_target_share,
        timing.average_days,
    ]


TABLES = {
    table.key: table
    for table in (
        Table(
            "suppliers",
            "Suppliers paid by several directorates apart",
            (
                ("Supplier", "supplier"),
                ("Directorates paying", "directorates"),
                ("Number of directorates", "directorate_count"),
                ("Contracts paid under", "contracts"),
                ("Paid in the last 12 months", "paid"),
                ("Of it, paid with no contract", "paid_no_contract"),
                ("Combined contract value", "contract_value"),
            ),
            supplier_rows,
        ),
        Table(
            "categories",
            "Categories bought by several directorates apart",
            (
                ("Category", "category"),
                ("Directorates", "directorates"),
                ("Contracts", "contracts"),
                ("Combined whole-life value", "value"),
                ("Combined annual value", "annual_value"),
            ),
            category_rows,
            filtered=True,
        ),
        Table(
            "ending",
            "Contracts in one category ending in the same six months",
            (
                ("Category", "category"),
                ("Period from", "period_start"),
                ("Period to", "period_end"),
                ("Contracts", "contracts"),
                ("Directorates", "directorates"),
                ("First ends", "first_end"),
                ("Last ends", "last_end"),
                ("Combined whole-life value", "value"),
            ),
            ending_rows,
            filtered=True,
        ),
        Table(
            "performance",
            "Payment performance",
            (
                ("Figures for", "kind"),
                ("Who or when", "label"),
                ("Invoices", "invoices"),
                ("Paid within 30 days", "within_30"),
                ("Paid late", "late"),
                ("Share within 30 days (%)", "within_30_share"),
                ("Paid within the local target", "within_target"),
                ("Share within the local target (%)", "within_target_share"),
                ("Average days to pay", "average_days"),
            ),
            performance_rows,
        ),
    )
}
