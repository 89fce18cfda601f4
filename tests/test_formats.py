"""Every page, email and PDF writes a count with its noun through the one helper, and a date
with one of the project's formats.

A count and its noun go through ``counted`` (procurement/numbers.py, the ``counted`` filter):
"1 project", "1,200 payment lines", never "1 projects". A template that writes the pattern
``{{ n }} noun{{ n|pluralize }}`` by hand is refused.

Dates (decision record 0038): "3 December 2026" (DATE_FORMAT) in text, "3 Dec 2026"
(SHORT_DATE_FORMAT) in tables, and "December 2026" for a month. A template that spells a
format out ("j F Y") is refused: the formats live once, in config/formats/en_GB/formats.py,
which ``long_date`` and ``short_date`` (procurement/dates.py) follow for Python's text. The
check reads files only."""

import re

from tests.app_code import APPS, ROOT

ALLOWED = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "F Y"}
DATE_FILTER = re.compile(r"\|date:\"([^\"]*)\"")
HAND_MADE_COUNT = re.compile(r"\{\{ ?([a-z_.]+(?:\|length)?) ?\}\} [a-z]+\{\{ ?\1\|pluralize ?\}\}")


def _templates():
    for folder in [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]:
        yield from sorted(folder.rglob("*.html"))
        yield from sorted(folder.rglob("*.txt"))


def test_templates_write_dates_in_the_projects_formats():
    found = [
        f'{path.relative_to(ROOT)}:{number}: |date:"{fmt}"'
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for fmt in DATE_FILTER.findall(line)
        if fmt not in ALLOWED
    ]
    assert not found, "Use DATE_FORMAT or SHORT_DATE_FORMAT:\n" + "\n".join(found)


def test_the_python_helpers_agree_with_the_formats():
    from datetime import date

    from django.utils.formats import date_format

    from procurement.dates import long_date, short_date

    day = date(2026, 3, 5)
    assert long_date(day) == date_format(day, "DATE_FORMAT") == "5 March 2026"
    assert short_date(day) == date_format(day, "SHORT_DATE_FORMAT") == "5 Mar 2026"


def test_templates_write_counts_with_the_counted_filter():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for match in HAND_MADE_COUNT.finditer(line)
    ]
    assert not found, 'Write {{ n|counted:"noun" }}:\n' + "\n".join(found)


def test_the_count_check_finds_a_hand_made_plural():
    assert HAND_MADE_COUNT.search("{{ n }} project{{ n|pluralize }}")
    assert HAND_MADE_COUNT.search("{{ rows|length }} row{{ rows|length|pluralize }}")
    assert not HAND_MADE_COUNT.search('{{ n|counted:"project" }}')
