"""Dates and times as GOV.UK writes them, for pages, emails, the PDF and messages: "3 December
2026" in text, "3 Dec 2026" in tables, "3 December 2026 at 2:05pm" for a moment
(docs/decisions/0038). Exports and the API keep ISO 8601: they are read by machines."""

from datetime import date, datetime, timedelta

from django.utils import timezone


def long_date(day: date | None) -> str:
    """3 December 2026."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day) if timezone.is_aware(day) else day
    return f"{day.day} {day:%B %Y}"


def short_date(day: date | None) -> str:
    """3 Dec 2026, for a table's cells."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day) if timezone.is_aware(day) else day
    return f"{day.day} {day:%b %Y}"


def time_of_day(moment: datetime) -> str:
    """2:05pm, 9am, midday or midnight."""
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def date_and_time(moment: datetime | None, *, short: bool = False) -> str:
    """3 December 2026 at 2:05pm (3 Dec 2026 at 2:05pm, ``short``, for a table), in the
    council's time zone."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{(short_date if short else long_date)(moment)} at {time_of_day(moment)}"


# Financial quarters: the council's year runs from 1 April, so quarter 1 is April to June and
# quarter 4 is January to March of the next calendar year. A quarter is named by the year it
# starts (2026 is 2026/27) and its number; every page, report and form reads them from here.
QUARTERS = (1, 2, 3, 4)


def financial_quarter(day: date) -> tuple[int, int]:
    """(financial year it starts, quarter): 1 April 2026 is (2026, 1); 1 March 2027 is (2026, 4)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def quarter_start(financial_year: int, quarter: int) -> date:
    """The first day of a financial quarter: quarter 1 of 2026 starts on 1 April 2026."""
    month = 4 + (quarter - 1) * 3
    return date(financial_year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_end(financial_year: int, quarter: int) -> date:
    """The last day of a financial quarter: quarter 4 of 2026 ends on 31 March 2027."""
    if quarter == QUARTERS[-1]:
        return date(financial_year + 1, 3, 31)
    return quarter_start(financial_year, quarter + 1) - timedelta(days=1)


def quarter_label(financial_year: int, quarter: int, *, short: bool = False) -> str:
    """Quarter 1 2026/27 (April to June 2026); ``short``: Q1 2026/27 (April to June 2026)."""
    start, end = quarter_start(financial_year, quarter), quarter_end(financial_year, quarter)
    name = f"Q{quarter}" if short else f"Quarter {quarter}"
    return f"{name} {financial_year}/{(financial_year + 1) % 100:02d} ({start:%B} to {end:%B %Y})"


def working_days_after(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count
