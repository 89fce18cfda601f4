"""Financial quarters, from 1 April: the one helper every page, report and form reads them from,
at the boundaries of the financial year (31 March / 1 April) and of the calendar year."""

from datetime import date

import pytest

from procurement.dates import financial_quarter, quarter_end, quarter_label, quarter_start


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 31), (2025, 4)),
        (date(2026, 4, 1), (2026, 1)),
        (date(2026, 6, 30), (2026, 1)),
        (date(2026, 7, 1), (2026, 2)),
        (date(2026, 12, 31), (2026, 3)),
        (date(2027, 1, 1), (2026, 4)),
        (date(2027, 3, 31), (2026, 4)),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, expected):
    assert financial_quarter(day) == expected


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        ((2026, 1), date(2026, 4, 1), date(2026, 6, 30)),
        ((2026, 2), date(2026, 7, 1), date(2026, 9, 30)),
        ((2026, 3), date(2026, 10, 1), date(2026, 12, 31)),
        ((2026, 4), date(2027, 1, 1), date(2027, 3, 31)),
        ((2027, 4), date(2028, 1, 1), date(2028, 3, 31)),  # 2028 is a leap year: 31 March still
    ],
)
def test_each_quarter_starts_and_ends_across_the_year_boundaries(quarter, start, end):
    assert (quarter_start(*quarter), quarter_end(*quarter)) == (start, end)
    assert financial_quarter(start) == financial_quarter(end) == quarter


def test_the_day_before_a_quarter_starts_is_in_the_quarter_before():
    assert financial_quarter(quarter_start(2026, 1) - date.resolution) == (2025, 4)
    assert financial_quarter(quarter_start(2026, 4) - date.resolution) == (2026, 3)


def test_a_quarter_is_labelled_with_its_financial_year_and_months():
    assert quarter_label(2026, 1) == "Quarter 1 2026/27 (April to June 2026)"
    assert quarter_label(2026, 4) == "Quarter 4 2026/27 (January to March 2027)"
    assert quarter_label(2099, 3, short=True) == "Q3 2099/00 (October to December 2099)"
