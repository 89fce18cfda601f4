"""Renewal lead times by value band (DESIGN §2.6): the larger the contract, the earlier flagged.

A contract is "expiring" once it is inside the longest lead time of its band, so that it reaches
the forward plan early enough to re-procure ("retender rather than extend").
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ValueBand:
    name: str
    above: Decimal | None  # the band holds values above this (exclusive); None: from zero
    lead_months: tuple[int, ...]  # longest first

    @property
    def longest(self) -> int:
        return self.lead_months[0]


# Highest band first: a value belongs to the first band it is above.
BANDS = (
    ValueBand("Over £1.5m", Decimal("1500000.00"), (18, 12, 6)),
    ValueBand("Over £100k up to £1.5m", Decimal("100000.00"), (9, 6, 3)),
    ValueBand("Up to £100k", None, (3, 1)),
)


def band_for(value: Decimal) -> ValueBand:
    return next(band for band in BANDS if band.above is None or value > band.above)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept within the month: 31/01 + 1 → 28/02."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
