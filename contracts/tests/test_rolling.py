"""Rolling contracts: no end date, reviewed on their review date instead of ending."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.forms import ContractForm
from contracts.models import Contract, ContractEvent
from contracts.selectors import RegisterFilters, contracts_register, contracts_with_status
from contracts.services import (
    ContractError,
    contract_confirm_ending,
    contract_extend,
    contract_terminate,
    contract_vary,
)
from contracts.tests.factories import ContractFactory, ContractWithOptionsFactory
from contracts.tests.test_pages import form_data
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def rolling(**fields) -> Contract:
    fields.setdefault("review_date", timezone.localdate() + timedelta(days=30))
    return ContractFactory(end_date=None, **fields)


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- The model --------------------------------------------------------------------------------


def test_a_contract_with_no_end_date_is_rolling_and_passes_the_database():
    contract = rolling()
    contract.full_clean()
    assert contract.is_rolling
    assert contract.renewal_date == contract.review_date
    assert not ContractFactory().is_rolling


def test_a_dated_contract_still_may_not_end_before_it_starts():
    contract = ContractFactory(start_date=date(2026, 4, 1), end_date=date(2026, 4, 1))
    contract.end_date = date(2026, 3, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()


@pytest.mark.parametrize(
    ("review", "ok"),
    [(date(2026, 3, 31), False), (date(2026, 4, 1), True), (date(2040, 1, 1), True)],
)
def test_a_rolling_contracts_review_date_is_on_or_after_its_start(review, ok):
    contract = rolling(start_date=date(2026, 4, 1), review_date=review)
    if ok:
        contract.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            contract.full_clean()
        assert caught.value.message_dict["review_date"] == [
            "The review date of a rolling contract must be on or after its start date"
        ]


def test_the_model_accepts_a_legacy_rolling_contract_without_a_review_date():
    rolling(review_date=None).full_clean()


# --- The form ---------------------------------------------------------------------------------


def form_for(user, contract: Contract, **changes) -> ContractForm:
    data = {name: str(value) for name, value in form_data(contract, **changes).items()}
    return ContractForm(data, instance=contract, user=user)


def no_end(**changes) -> dict:
    return {"end_date_day": "", "end_date_month": "", "end_date_year": "", **changes}


def review_on(day: date) -> dict:
    return {
        "review_date_day": day.day,
        "review_date_month": day.month,
        "review_date_year": day.year,
    }


def test_the_form_takes_a_rolling_contract_with_a_review_date(make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory()
    review = contract.start_date + timedelta(days=400)
    form = form_for(user, contract, is_rolling="on", **no_end(), **review_on(review))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["end_date"] is None


def test_the_form_asks_a_rolling_contract_for_its_review_date(make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    form = form_for(user, ContractFactory(), is_rolling="on", **no_end())
    assert form.errors["review_date"] == [
        "Enter the review date: a rolling contract is reviewed on it instead of ending"
    ]


def test_the_form_refuses_a_blank_end_date_unless_the_contract_is_rolling(make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    form = form_for(user, ContractFactory(), **no_end())
    assert form.errors["end_date"] == [
        "Enter the end date, or tick 'This contract has no end date (rolling)'"
    ]


def test_the_form_refuses_an_end_date_for_a_rolling_contract(make_user):
    user = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory()
    form = form_for(user, contract, is_rolling="on", **review_on(contract.start_date))
    assert form.errors["end_date"] == [
        "Leave the end date blank for a rolling contract, or untick 'This contract has no end date'"
    ]


def test_editing_a_rolling_contract_shows_it_as_rolling(client, make_user):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    contract = rolling()
    page = client.get(reverse("contracts:edit", args=[contract.pk])).content.decode()
    assert "This contract has no end date (rolling)" in page
    assert 'name="is_rolling"' in page
    assert 'id="id_is_rolling"\n                 name="is_rolling"\n' in page
    assert 'value="on"\n                 checked' in page


# --- Status, register and pages ---------------------------------------------------------------


@pytest.mark.parametrize("review_days", [-400, 10, 3000])
def test_a_rolling_contract_is_active_whatever_its_review_date(review_days):
    today = timezone.localdate()
    contract = rolling(
        start_date=today - timedelta(days=800), review_date=today + timedelta(days=review_days)
    )
    assert contracts_with_status(today=today).get(pk=contract.pk).status == "active"
    for status in ("expiring", "expired"):
        found = contracts_register(filters=RegisterFilters(status=status), today=today)
        assert contract not in found
    active = contracts_register(filters=RegisterFilters(status="active"), today=today)
    assert contract in active


@pytest.mark.parametrize("descending", [False, True])
def test_sorted_by_end_date_rolling_contracts_come_last(descending):
    today = timezone.localdate()
    ongoing = rolling()
    soon = ContractFactory(end_date=today + timedelta(days=10))
    later = ContractFactory(end_date=today + timedelta(days=900))
    found = list(
        contracts_register(
            filters=RegisterFilters(), today=today, sort="end", descending=descending
        )
    )
    assert found == ([later, soon, ongoing] if descending else [soon, later, ongoing])


def test_pages_show_ongoing_with_the_next_review_date(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    contract = rolling(review_date=date(2031, 5, 1), start_date=date(2026, 1, 1))
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Ongoing (review due 1 May 2031)" in detail
    register = client.get(reverse("contracts:register")).content.decode()
    assert "Ongoing (review due 1 May 2031)" in register
    public = client.get(reverse("register:public")).content.decode()
    assert "Ongoing (review due 1 May 2031)" in public


def test_a_rolling_contract_without_a_review_date_is_a_data_quality_gap(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    gap = rolling(review_date=None)
    rolling()
    ContractFactory(review_date=None)
    page = client.get(reverse("contracts:data_quality"))
    rows = {row["key"]: row for row in page.context["rows"]}
    assert rows["rolling_no_review_date"]["label"] == "Rolling (no end date) with no review date"
    assert rows["rolling_no_review_date"]["count"] == 1
    listed = client.get(f"{reverse('contracts:register')}?problem=rolling_no_review_date")
    assert [c.pk for c in listed.context["page"]] == [gap.pk]
    detail = client.get(reverse("contracts:detail", args=[gap.pk])).content.decode()
    assert "no end date and no review date: enter the review date" in detail


# --- Exports ----------------------------------------------------------------------------------


def test_exports_write_ongoing_in_the_end_date_cell(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    contract = rolling(reference="ROLL-1", review_date=date(2031, 5, 1))
    ContractFactory(reference="DATED-1", end_date=date(2030, 3, 31))
    rows = read_csv(client.get(reverse("contracts:export_csv")))
    column = rows[0].index("End date")
    ends = {row[0]: row[column] for row in rows[1:]}
    assert ends == {"DATED-1": "31/03/2030", "ROLL-1": "Ongoing"}

    response = client.get(reverse("contracts:export_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    table = list(sheet.iter_rows(values_only=True))
    column = table[0].index("End date")
    # The spreadsheet's dates are dates.
    assert {row[0]: row[column] for row in table[1:]} == {
        "DATED-1": datetime(2030, 3, 31),  # noqa: DTZ001 - a date, as openpyxl reads it
        "ROLL-1": "Ongoing",
    }

    public = read_csv(client.get(reverse("register:transparency_csv")))
    column = public[0].index("End date")
    assert {row[0]: row[column] for row in public[1:]}[contract.reference] == "Ongoing"


def test_the_api_gives_a_rolling_contract_no_end_date(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    contract = rolling()
    body = client.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert (body["end_date"], body["is_rolling"]) == (None, True)


# --- Events -----------------------------------------------------------------------------------


def test_a_rolling_contract_cannot_use_an_extension_option(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractWithOptionsFactory(
        end_date=None, review_date=timezone.localdate(), whole_life_value=Decimal("90000")
    )
    with pytest.raises(ContractError, match="rolling contract with no end date"):
        contract_extend(contract=contract, reason="More time", approved_by="Head", by=partner)
    contract.refresh_from_db()
    assert (contract.end_date, contract.extensions_used) == (None, 0)
    assert not ContractEvent.objects.exists()


def test_a_rolling_contract_cannot_confirm_an_ending_it_does_not_have(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    with pytest.raises(ContractError, match="record a variation that gives it an end date"):
        contract_confirm_ending(contract=rolling(), reason="Not needed", by=partner)


def test_a_variation_gives_a_rolling_contract_an_end_and_a_termination_ends_one(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    today = timezone.localdate()
    contract = rolling(start_date=today - timedelta(days=100))
    event = contract_vary(
        contract=contract,
        effective_date=today,
        value_change=Decimal("0"),
        new_end_date=today + timedelta(days=200),
        reason="Notice given",
        approved_by="Head of service",
        by=partner,
    )
    assert (event.previous_end_date, event.new_end_date) == (None, today + timedelta(days=200))
    other = rolling(start_date=today - timedelta(days=100))
    ended = contract_terminate(
        contract=other, terminated_on=today, reason="Ended", approved_by="Head", by=partner
    )
    assert (ended.previous_end_date, ended.new_end_date) == (None, None)
