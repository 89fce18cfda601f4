# Dates as GOV.UK writes them: "3 December 2026" in text, "3 Dec 2026" in tables
# (SHORT_DATE_FORMAT). A moment reads "3 December 2026 at 2:05pm" through the govuk_datetime filter
# (procurement/dates.py): Django's formats cannot write "pm" without full stops.
# What people type is read as before: dd/mm/yyyy (docs/decisions/0038).
# https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = r"j F Y \a\t H:i"
SHORT_DATETIME_FORMAT = r"j M Y \a\t H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
