"""The thresholds as messages and pages write them."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

from procurement.thresholds import (
    KEY_CONTRACT_ABOVE,
    KPIS_ABOVE,
    NAMED_OFFICERS_ABOVE,
    pounds,
    pounds_short,
    pounds_words,
)


def test_a_threshold_in_full_short_and_words():
    assert (pounds(KPIS_ABOVE), pounds_short(KPIS_ABOVE), pounds_words(KPIS_ABOVE)) == (
        "£5,000,000",
        "£5m",
        "£5 million",
    )
    assert pounds_words(KEY_CONTRACT_ABOVE) == "£1.5 million"
    assert pounds_words(NAMED_OFFICERS_ABOVE) == pounds_short(NAMED_OFFICERS_ABOVE) == "£50,000"


def render(text: str) -> str:
    return Template("{% load thresholds %}" + text).render(Context())


def test_a_page_prints_a_threshold_by_its_name():
    assert render('{% threshold "REGISTER_ABOVE" %}') == "£5,000"
    assert render('{% threshold "PIPELINE_ABOVE" "short" %}') == "£2m"
    assert render('{% threshold "KEY_CONTRACT_ABOVE" "words" %}') == "£1.5 million"
    assert render('{% threshold "KPIS_REQUIRED" %}') == "3"
    assert render('{% threshold "VAT_STANDARD_RATE_PERCENT" %}') == "20"
    assert render('{% threshold "PIPELINE_SPEND_ABOVE" "words" %}') == "£100 million"


@pytest.mark.parametrize(
    "tag",
    [
        '{% threshold "NO_SUCH_FIGURE" %}',
        '{% threshold "pounds" %}',
        '{% threshold "KPIS_ABOVE" "long" %}',
    ],
)
def test_a_name_or_style_that_is_not_there_fails_loudly(tag):
    with pytest.raises(TemplateSyntaxError):
        render(tag)
