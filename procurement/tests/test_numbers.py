"""Money and counts as pages, emails and reports write them: one function each, which the
template filters call."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from procurement.numbers import counted, money


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("0"), 2, "£0.00"),
        (0, 0, "£0"),
        (Decimal("-0.004"), 2, "£0.00"),  # rounds to nothing: no "-£0.00"
        (Decimal("-5"), 2, "-£5.00"),
        (Decimal("-1500000.5"), 0, "-£1,500,001"),
        (Decimal("1500000.01"), 2, "£1,500,000.01"),
        (Decimal("0.005"), 2, "£0.01"),
        (None, 2, ""),
        ("", 0, ""),
    ],
)
def test_money(value, places, expected):
    assert money(value, places) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 projects"), (1, "1 project"), (2, "2 projects"), (1200, "1,200 projects")],
)
def test_a_count_agrees_with_its_noun(number, expected):
    assert counted(number, "project") == expected


def test_an_irregular_plural_a_zero_in_words_and_no_count():
    assert counted(1, "person", "people") == "1 person"
    assert counted(2, "person", "people") == "2 people"
    assert counted(0, "contract", none="no") == "no contracts"
    assert counted(None, "contract") == "0 contracts"


def test_the_filters_call_the_functions():
    template = Template(
        '{% load govuk %}{{ n|counted:"project" }}; {{ m|counted:"person,people" }}; '
        "{{ v|money:0 }}; {{ w|money }}"
    )
    shown = template.render(Context({"n": 1, "m": 3, "v": Decimal("-2.5"), "w": 0}))
    assert shown == "1 project; 3 people; -£3; £0.00"
