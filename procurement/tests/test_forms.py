"""The GOV.UK form renderer, the date input, and money and dates as people read them."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template

from procurement.forms import GovukDateField, GovukForm
from procurement.numbers import money


class ExampleForm(GovukForm):
    title = forms.CharField(label="Contract title", help_text="As it appears on the contract")
    route = forms.ChoiceField(
        label="Procurement route",
        choices=[("quote", "Quotation"), ("tender", "Published tender")],
        widget=forms.RadioSelect,
    )
    start = GovukDateField(label="Start date")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    directorate = forms.ChoiceField(
        label="Directorate", choices=[("", "---------"), ("care", "Adult social care")]
    )
    value = forms.DecimalField(label="Estimated value (£)", required=False, max_value=100)


def render(template: str, **context) -> str:
    return Template("{% load govuk %}" + template).render(Context(context))


def test_a_valid_form_renders_gov_uk_groups_without_errors():
    html = render("{{ form }}", form=ExampleForm())
    assert 'class="govuk-form-group"' in html
    assert '<label class="govuk-label govuk-label--s" for="id_title">Contract title</label>' in html
    assert 'class="govuk-input"' in html
    assert 'aria-describedby="id_title-hint"' in html
    assert 'class="govuk-radios"' in html
    assert 'class="govuk-date-input"' in html
    assert 'class="govuk-textarea"' in html
    assert "govuk-error-message" not in html


def test_errors_render_in_the_summary_linked_to_each_field_and_inline():
    form = ExampleForm(data={"start_day": "31", "start_month": "2", "start_year": "2026"})
    assert not form.is_valid()
    summary = render("{% govuk_error_summary form %}", form=form)
    assert 'class="govuk-error-summary"' in summary
    assert '<a href="#id_title">Enter the contract title</a>' in summary
    assert '<a href="#id_route_0">Select the procurement route</a>' in summary
    assert '<a href="#id_start_day">Start date must be a real date</a>' in summary
    assert '<a href="#id_directorate">Select the directorate</a>' in summary
    fields = render("{{ form }}", form=form)
    assert "govuk-form-group--error" in fields
    assert 'class="govuk-input govuk-input--error"' in fields
    assert 'aria-describedby="id_title-hint id_title-error"' in fields
    # What the person typed is shown back to them.
    assert 'name="start_day"' in fields
    assert 'value="31"' in fields


def test_no_summary_for_an_unbound_form():
    assert "govuk-error-summary" not in render("{% govuk_error_summary form %}", form=ExampleForm())


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("1", "4", "2026", date(2026, 4, 1)),
        ("29", "02", "2028", date(2028, 2, 29)),
    ],
)
def test_the_date_input_reads_day_month_year(day, month, year, expected):
    form = ExampleForm(
        data={
            "title": "Home care",
            "route": "tender",
            "start_day": day,
            "start_month": month,
            "start_year": year,
            "directorate": "care",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == expected


def test_a_select_box_asks_to_choose_rather_than_showing_dashes():
    html = render("{{ form }}", form=ExampleForm())
    assert '<option value="" selected>Choose a directorate</option>' in html
    assert "---------" not in html


def test_numbers_are_checked_in_words_that_name_the_field():
    form = ExampleForm(data={"value": "lots"})
    assert form.errors["value"] == ["Estimated value must be a number"]
    form = ExampleForm(data={"value": "101"})
    assert form.errors["value"] == ["Estimated value must be 100 or less"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "wrong"),
    [
        ("", "4", "2026", "Start date must include a day", {"day"}),
        ("1", "", "", "Start date must include a month and year", {"month", "year"}),
        ("1", "13", "2026", "Start date must be a real date", {"month"}),
        ("31", "2", "2026", "Start date must be a real date", {"day", "month", "year"}),
        ("", "", "", "Enter the start date", {"day", "month", "year"}),
        ("²", "4", "2026", "Start date must be a real date", {"day"}),
        ("1", "4", "9" * 5000, "Start date must be a real date", {"year"}),
        ("1", "4", "26", "Start date must be a real date", {"year"}),
    ],
)
def test_a_date_says_which_part_is_wrong_and_highlights_only_that(day, month, year, message, wrong):
    form = ExampleForm(data={"start_day": day, "start_month": month, "start_year": year})
    assert form.errors["start"] == [message]
    html = render("{{ form }}", form=form)
    for part in ("day", "month", "year"):
        box = html.split(f'id="id_start_{part}"')[0].rsplit("<input", 1)[1]
        assert ("govuk-input--error" in box) == (part in wrong), part
    summary = render("{% govuk_error_summary form %}", form=form)
    first = next(p for p in ("day", "month", "year") if p in wrong)
    assert f'<a href="#id_start_{first}">{message}</a>' in summary


def test_a_date_shows_as_gov_uk_writes_it():
    assert render('{{ when|date:"SHORT_DATE_FORMAT" }}', when=date(2026, 3, 7)) == "7 Mar 2026"
    assert render("{{ when }}", when=date(2026, 3, 7)) == "7 March 2026"


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (14, 5, "3 December 2026 at 2:05pm"),
        (9, 0, "3 December 2026 at 9am"),
        (12, 0, "3 December 2026 at midday"),
        (0, 0, "3 December 2026 at midnight"),
        (0, 30, "3 December 2026 at 12:30am"),
    ],
)
def test_a_moment_shows_as_gov_uk_writes_it(hour, minute, expected):
    moment = datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo("Europe/London"))
    assert render("{{ when|govuk_datetime }}", when=moment) == expected
    short = expected.replace("December", "Dec")
    assert render('{{ when|govuk_datetime:"short" }}', when=moment) == short


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1500000.01"), 2, "£1,500,000.01"),
        (Decimal("100000"), 2, "£100,000.00"),
        (Decimal("1234.5"), 0, "£1,235"),
        (Decimal("-250.456"), 2, "-£250.46"),
        (None, 2, ""),
    ],
)
def test_money_in_pounds(value, places, expected):
    assert money(value, places) == expected
