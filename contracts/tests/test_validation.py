"""Every rule a contract must meet, in the model (forms, import) and in the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.services import named_officers_missing
from contracts.tests.factories import ContractFactory, ContractOverFiftyThousandFactory

pytestmark = pytest.mark.django_db


def errors_of(contract) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        contract.full_clean()
    return caught.value.message_dict


def test_a_valid_contract_passes():
    ContractFactory.build(
        supplier=ContractFactory().supplier, directorate=ContractFactory().directorate
    ).full_clean()


def test_end_must_not_be_before_start():
    contract = ContractFactory(start_date=date(2026, 4, 1), end_date=date(2026, 4, 1))
    contract.full_clean()
    contract.end_date = date(2026, 3, 31)
    assert errors_of(contract)["end_date"] == [
        "The end date must be the same as or after the start date"
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()


@pytest.mark.parametrize(
    ("review", "ok"),
    [
        (date(2026, 4, 1), True),
        (date(2029, 3, 31), True),
        (date(2026, 3, 31), False),
        (date(2029, 4, 1), False),
    ],
)
def test_review_date_within_the_term(review, ok):
    contract = ContractFactory(start_date=date(2026, 4, 1), end_date=date(2029, 3, 31))
    contract.review_date = review
    if ok:
        contract.full_clean()
    else:
        assert errors_of(contract)["review_date"] == [
            "The review date must be within the contract term"
        ]


@pytest.mark.parametrize("value", [Decimal("0.00"), Decimal("-1.00")])
def test_values_must_be_positive(value):
    contract = ContractFactory()
    contract.whole_life_value = value
    assert "whole_life_value" in errors_of(contract)
    contract.whole_life_value = Decimal("10.00")
    contract.annual_value = Decimal("-5.00")
    assert "annual_value" in errors_of(contract)


@pytest.mark.parametrize(
    ("value", "needs_officers"), [(Decimal("50000.00"), False), (Decimal("50000.01"), True)]
)
def test_named_manager_and_director_above_50000_is_the_services_rule(value, needs_officers):
    contract = ContractFactory(whole_life_value=Decimal("1000"))
    contract.whole_life_value = value
    missing = named_officers_missing(contract)
    if needs_officers:
        assert missing == {
            "contract_manager": "Name a contract manager: contracts over £50,000 must have one",
            "lead_director": "Name a lead director: contracts over £50,000 must have one",
        }
    else:
        assert missing == {}


def test_the_model_accepts_a_legacy_contract_over_50000_without_named_officers():
    # The register import validates with the model: a legacy register without them is taken in,
    # and the gap shown on the data-quality page.
    contract = ContractFactory(whole_life_value=Decimal("1000"))
    contract.whole_life_value = Decimal("50000.01")
    contract.full_clean()


def test_extension_options_must_be_consistent():
    contract = ContractOverFiftyThousandFactory()
    contract.extension_options = 2
    assert errors_of(contract)["extension_option_months"] == [
        "Enter how many months each extension option adds"
    ]
    contract.extension_options = 0
    contract.extension_option_months = 12
    assert "extension_options" in errors_of(contract)
    contract.extension_options = 1
    contract.extension_options_value = contract.whole_life_value + 1
    assert "extension_options_value" in errors_of(contract)


def test_annual_value_cannot_exceed_whole_life_value():
    contract = ContractFactory(whole_life_value=Decimal("40000"))
    contract.annual_value = Decimal("40000.01")
    assert "annual_value" in errors_of(contract)


def test_extensions_used_cannot_exceed_options_in_the_database():
    contract = ContractOverFiftyThousandFactory()
    contract.extensions_used = 1
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()


def test_reference_is_unique():
    ContractFactory(reference="C-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(reference="C-1")


def test_completeness_lists_what_is_missing():
    contract = ContractFactory(description="", review_date=None)
    assert contract.missing_details() == [
        "description",
        "contract manager",
        "lead director",
        "review date",
        "annual value",
        "risk rating",
        "key decision reference",
    ]
    assert contract.completeness == 12  # 1 of 8 details
    contract.description = "Cleaning of council offices"
    contract.review_date = contract.start_date
    assert contract.completeness == 38  # 3 of 8
