"""Contracts placed for the alert jobs: a known end date and value, a manager and a partner."""

from datetime import date, timedelta
from decimal import Decimal

from contracts.tests.factories import ContractFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory, UserFactory


def directorate_with_partner(**fields):
    partner = UserFactory(roles=[Role.BUSINESS_PARTNER])
    return DirectorateFactory(business_partner=partner, **fields)


def contract_ending(end: date, *, value: str = "500000.00", **fields):
    """A contract ending on ``end``, worth ``value``, with a contract manager and lead director
    and a directorate whose business partner is named (unless given)."""
    fields.setdefault("directorate", directorate_with_partner())
    if "contract_manager" not in fields:
        fields["contract_manager"] = UserFactory(
            roles=[Role.CONTRACT_MANAGER], directorate=fields["directorate"]
        )
    fields.setdefault("lead_director", UserFactory(roles=[Role.EXECUTIVE_DIRECTOR]))
    return ContractFactory(
        whole_life_value=Decimal(value),
        start_date=fields.pop("start_date", end - timedelta(days=3 * 365)),
        end_date=end,
        procurement_route="tender",
        **fields,
    )
