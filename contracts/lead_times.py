"""Renewal lead times by value band (DESIGN §2.6): the larger the contract, the earlier flagged.

A contract is "expiring" once it is inside the longest lead time of its band, so that it reaches
the forward plan early enough to re-procure ("retender rather than extend"), and its renewal alerts
go out at each lead time. The bands are data (``RenewalBand``), loaded with these defaults and
edited by administrators.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class ValueBand:
    name: str
    above: Decimal | None  # the band holds values above this (exclusive); None: from zero
    lead_months: tuple[int, ...]  # longest first

    @property
    def longest(self) -> int:
        return self.lead_months[0]


# The defaults, highest band first: a value belongs to the first band it is above.
DEFAULT_BANDS = (
    ValueBand("Over £1.5m", Decimal("1500000.00"), (18, 12, 6)),
    ValueBand("Over £100k up to £1.5m", Decimal("100000.00"), (9, 6, 3)),
    ValueBand("Up to £100k", None, (3, 1)),
)


def bands() -> tuple[ValueBand, ...]:
    """The bands in force, highest first (one query); the defaults if none are recorded."""
    from .models import RenewalBand

    recorded = [band.as_value_band() for band in RenewalBand.objects.order_by("-value_above")]
    if not recorded:
        return DEFAULT_BANDS
    # The lowest band holds every contract below the next one up, so none is left without a band.
    lowest = recorded[-1]
    recorded[-1] = ValueBand(lowest.name, None, lowest.lead_months)
    return tuple(recorded)


def band_condition(band: ValueBand, among: tuple[ValueBand, ...]):
    """The contracts in ``band`` of ``among`` (highest first), as a condition on their value."""
    from django.db.models import Q

    condition = Q(whole_life_value__gt=band.above) if band.above is not None else Q()
    for higher in among:
        if higher is band:
            break
        condition &= Q(whole_life_value__lte=higher.above)
    return condition


def band_for(value: Decimal, among: tuple[ValueBand, ...]) -> ValueBand:
    return next(band for band in among if band.above is None or value > band.above)


MAX_LEAD_MONTHS = 60


def parse_lead_months(text: str) -> tuple[int, ...]:
    """Lead times as an administrator writes them ("18, 12, 6"): whole months, each between 1
    and ``MAX_LEAD_MONTHS``, longest first."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise ValueError("Enter at least one lead time in months, such as 9, 6, 3")
    try:
        months = [int(part) for part in parts]
    except ValueError:
        raise ValueError(
            "Enter lead times as whole months separated by commas, such as 9, 6, 3"
        ) from None
    if any(not 1 <= month <= MAX_LEAD_MONTHS for month in months):
        raise ValueError(f"Each lead time must be between 1 and {MAX_LEAD_MONTHS} months")
    if len(set(months)) != len(months):
        raise ValueError("Enter each lead time once")
    return tuple(sorted(months, reverse=True))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept within the month: 31/01 + 1 → 28/02."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def last_end_alerted_by(on: date, months: int) -> date:
    """The latest end date whose lead time of ``months`` falls on or before ``on``: every end
    date up to it has reached that lead time, none after it has. Clamping to the month's end
    makes several end dates share one alert day (31/08, 30/08 and 29/08 less 6 months are all
    28/02), so the answer can be a few days past ``on`` plus ``months``."""
    end = add_months(on, months)
    while add_months(end + timedelta(days=1), -months) <= on:
        end += timedelta(days=1)
    return end
