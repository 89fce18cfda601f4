"""Dates and times as GOV.UK writes them, for pages, emails, the PDF and messages: "3 December
2026" in text, "3 Dec 2026" in tables, "3 December 2026 at 2:05pm" for a moment
(docs/decisions/0038). Exports and the API keep ISO 8601: they are read by machines."""

from datetime import date, datetime

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


def financial_quarter(day: date) -> tuple[int, int]:
    """(financial year it starts, quarter): 1 April 2026 is (2026, 1); 1 March 2027 is (2026, 4)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1
