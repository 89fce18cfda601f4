"""The spend lists as CSV and XLSX: the same rows, in the same order, as their pages show, with
the same filters, every row rather than a page of them."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from .selectors.gaps import (
    GapFilters,
    GapLine,
    PastFilters,
    PastLine,
    gap_lines_shown,
    no_contract_lines,
    past_lines_shown,
    past_value_or_dates,
)

CHUNK = 500  # lines read and shown at a time

NO_CONTRACT_HEADINGS = [
    "Payee",
    "Supplier on the register",
    "Directorate",
    "Paid in the last 12 months",
    "Payments",
    "First paid",
    "Last paid",
    "Threshold reached",
    "Explained",
    "Explanation",
    "Exempt category",
    "Waiver reference",
    "Note",
]

OVER_VALUE_HEADINGS = [
    "Reference",
    "Lot",
    "Title",
    "Supplier",
    "Directorate",
    "Whole-life value",
    "Paid",
    "Share of value (%)",
    "Warning",
    "Ended on",
    "Paid after the end",
    "Payments after the end",
]


def _chunks(rows: Iterable[dict]) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def no_contract_row(line: GapLine) -> list[Any]:
    explanation = line.explanation
    return [
        line.name,
        "Yes" if line.supplier else "No",
        line.directorate.name if line.directorate else "",
        line.total,
        line.payments,
        line.first_paid,
        line.last_paid,
        line.band,
        "Yes" if explanation else "No",
        explanation.get_kind_display() if explanation else "",
        str(explanation.exempt_category or "") if explanation else "",
        explanation.waiver_reference if explanation else "",
        explanation.note if explanation else "",
    ]


def no_contract_rows(*, today: date, filters: GapFilters) -> Iterator[list[Any]]:
    """Every line of the no-contract list (a few queries a thousand lines)."""
    rows = no_contract_lines(today=today, filters=filters).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows):
        for line in gap_lines_shown(chunk):
            yield no_contract_row(line)


def warning_of(line: PastLine) -> str:
    if line.is_over:
        return "Past its value: a variation or a Gateway 3 is needed"
    if line.is_near:
        return "Past 80% of its value: plan a variation or a Gateway 3"
    return ""


def over_value_row(line: PastLine) -> list[Any]:
    contract = line.contract
    return [
        contract.reference,
        contract.lot,
        contract.title,
        contract.supplier.name,
        contract.directorate.name,
        contract.whole_life_value,
        line.paid,
        line.share,
        warning_of(line),
        line.ended_on,
        line.after_end,
        line.payments_after_end,
    ]


def over_value_rows(*, filters: PastFilters) -> Iterator[list[Any]]:
    """Every contract of the over-value list."""
    rows = past_value_or_dates(filters=filters).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows):
        for line in past_lines_shown(chunk):
            yield over_value_row(line)
