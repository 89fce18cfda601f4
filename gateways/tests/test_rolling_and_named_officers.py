"""The gateways keep the register's rules: an award names its officers, and a rolling contract
has no end for a Gateway 3 extension to move."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractWithOptionsFactory
from gateways.services import GatewayError, review_create
from gateways.tests.test_register_approvals import approver, award_report, create, people  # noqa: F401
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_an_award_over_50000_without_a_lead_director_is_refused(people, approver):  # noqa: F811
    review = award_report(people)
    assert review.award_value > 50000
    with pytest.raises(ValidationError) as caught:
        create(review, approver, lead_director=None)
    assert caught.value.message_dict == {
        "lead_director": ["Name a lead director: contracts over £50,000 must have one"]
    }
    assert not Contract.objects.exists()


def test_a_rolling_contract_cannot_be_proposed_for_a_gateway_3_extension(make_user):
    contract = ContractWithOptionsFactory(end_date=None, review_date=timezone.localdate())
    with pytest.raises(GatewayError, match="rolling contract with no end date"):
        review_create(
            author=make_user(Role.BUSINESS_PARTNER),
            stage="G3",
            summary="Extend",
            contract=contract,
            is_extension=True,
        )
