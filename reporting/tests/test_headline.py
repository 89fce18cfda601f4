"""The dashboard's headline: six figures against last year, each said in a sentence, zeros in
words; the years it offers; social value counted once across versions of the measures library."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.tests.factories import ContractOverFiftyThousandFactory
from performance.models import Saving
from procurement.roles import Role
from reporting.annual import social_value_section
from reporting.dashboard import headline, key_figures, pounds
from reporting.selectors import Scope, social_value_by_theme, years_with_data
from socialvalue.models import Commitment, DeliveryReturn, Measure
from socialvalue.tests.factories import library

from . import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return world.build()


def _lines(scope: Scope, *, compare: bool = True) -> dict:
    now = key_figures(scope)
    before = key_figures(scope.previous) if compare else None
    return {line.section: line for line in headline(now, before)}


def test_money_in_a_headline_reads_in_millions_from_a_million():
    assert pounds(Decimal("2120000")) == "£2.1m"
    assert pounds(Decimal("14049.40")) == "£14,049"
    assert pounds(Decimal("0")) == "£0"


def test_six_figures_each_against_last_year(council):
    lines = _lines(Scope(year=world.YEAR, today=world.TODAY))
    assert list(lines) == [
        "contracts",
        "savings",
        "social-value",
        "suppliers",
        "gateways",
        "maturity",
    ]
    # On 31/03/2025 C1, C5, C6 and C7 ran (£2,200,000); on 31/03/2026 C1, C2, C3 and C6.
    contracts = lines["contracts"]
    assert (contracts.number, contracts.previous) == ("£2.9m", "£2.2m")
    assert contracts.sentence == (
        "4 contracts worth £2.9m were running on 31 March 2026, £720,000 more than last year."
    )
    # £45,000 for 2025/26 against £20,000 for 2024/25.
    assert lines["savings"].sentence == (
        "£45,000 of savings were recorded, £25,000 more than last year."
    )
    assert lines["social-value"].sentence == (
        "£400 of social value was delivered and verified, 40% of the £1,000 due, "
        "£400 more than last year."
    )
    assert lines["suppliers"].number == "61%"
    assert lines["suppliers"].sentence == (
        "SMEs hold 61% of the annual value of the contracts running on 31 March 2026, "
        "26 percentage points lower than last year."
    )
    assert lines["maturity"].sentence == (
        "The council's self-assessment puts it at 2.0 of 5 on average across the themes, "
        "1 level higher than last year."
    )
    assert contracts.url == "/dashboard/contracts/?year=2025"


def test_zeros_are_said_in_words():
    lines = _lines(Scope(year=2020, today=date(2021, 6, 1)), compare=False)
    assert lines["savings"].sentence == "No savings were recorded this year."
    assert lines["contracts"].sentence == "No contracts were running on 31 March 2021."
    assert lines["social-value"].sentence == "No social value was due or delivered this year."
    assert lines["gateways"].sentence == "No gateway report was decided this year."
    assert lines["suppliers"].number == "None to count"
    assert lines["maturity"].number == "Not assessed"
    assert all(line.previous == "" for line in lines.values())


def test_the_year_picker_offers_only_years_with_data(client, make_user):
    today = date(2026, 6, 1)
    reader = make_user(Role.LEAD_MEMBER)
    assert years_with_data(today=today) == [2026]
    ContractOverFiftyThousandFactory(start_date=date(2023, 5, 1), end_date=date(2027, 3, 31))
    assert years_with_data(today=today) == [2026, 2025, 2024, 2023]
    Saving.objects.create(
        contract=ContractOverFiftyThousandFactory(start_date=date(2024, 1, 1)),
        financial_year=2021,
        cashable=Decimal("10"),
        non_cashable=Decimal("0"),
        recorded_by=reader,
    )
    assert years_with_data(today=today)[-1] == 2021
    client.force_login(reader)
    page = client.get(reverse("reporting:dashboard"), {"year": 2021}).content.decode()
    assert re.search(r'<option value="2021"[^>]*>2021/22</option>', page)
    assert '<option value="2020">' not in page


def test_a_measure_in_two_library_versions_is_counted_once(council):
    head = council["head"]
    later = library(version="2", theme="Skills and employment")
    hours = Measure.objects.get(library=later, code="HRS")
    commitment = Commitment.objects.create(
        contract=council["contracts"]["C3"],
        measure=hours,
        quantity=Decimal("20"),
        target_date=date(2026, 1, 31),
        source=Commitment.Source.AWARD,
        created_by=head,
    )
    DeliveryReturn.objects.create(
        commitment=commitment,
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        quantity=Decimal("5"),
        evidence="Timesheets",
        status="verified",
        recorded_by=head,
    )
    found = social_value_by_theme(Scope(year=world.YEAR, today=world.TODAY))
    assert [theme.label for theme in found.themes] == ["Skills and employment"]
    [measure] = found.themes[0].measures
    assert (measure.code, measure.committed, measure.delivered, measure.contracts) == (
        "HRS",
        Decimal("120"),
        Decimal("45"),
        2,
    )
    assert (found.committed, found.delivered) == (Decimal("1200.00"), Decimal("450.00"))


def test_the_annual_report_writes_money_measures_as_money(council):
    spent = Measure.objects.get(
        library=library(name="Local spend", measures=(("LOC", "£", "1.00"),), theme="Local"),
        code="LOC",
    )
    Commitment.objects.create(
        contract=council["contracts"]["C1"],
        measure=spent,
        quantity=Decimal("134018"),
        target_date=date(2026, 1, 31),
        source=Commitment.Source.AWARD,
        created_by=council["head"],
    )
    section = social_value_section(Scope(year=world.YEAR, today=world.TODAY))
    [row] = [row for row in section["tables"][0]["rows"] if row[1] == "LOC"]
    assert row == ["Local", "LOC", "£134,018", "£0", "£134,018", "£0"]
    assert "(none)" not in " ".join(section["narrative"])
