"""Routing comes from the policy's data: value boundaries, Gateway 0 flags, Gateway 3."""

from datetime import date
from decimal import Decimal

import pytest

from gateways.routing import NoPolicyInForce, gateways_required, policy_on, route_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy():
    return policy_on(date(2026, 11, 22))


CENTRAL = {"must": "any", "roles": ["Business partner", "Head of procurement"]}
DIRECTOR = {"must": "any", "roles": ["Executive director"]}
CONSULTEES = {
    "must": "all",
    "roles": [
        "Statutory consultee (communications)",
        "Statutory consultee (finance)",
        "Statutory consultee (legal)",
    ],
}


@pytest.mark.parametrize(
    ("value", "tier", "steps"),
    [
        ("100000.00", None, []),
        ("100000.01", "A", [CENTRAL, DIRECTOR]),
        ("1500000.00", "A", [CENTRAL, DIRECTOR]),
        (
            "1500000.01",
            "B",
            [
                CENTRAL,
                CONSULTEES,
                {"must": "any", "roles": ["Officer board member"]},
                {"must": "any", "roles": ["Lead member", "Leadership Team"]},
            ],
        ),
    ],
)
def test_gateway_1_routes_by_value_at_the_boundaries(policy, value, tier, steps):
    route = route_for(policy=policy, stage="G1", value=Decimal(value))
    assert route.required is (tier is not None)
    assert route.as_json()["tier"] == tier
    assert [
        {"must": step["must"], "roles": step["roles"]} for step in route.as_json()["steps"]
    ] == steps
    assert route.as_json()["policy"] == "2020-09-01"


def test_no_gateway_at_or_below_the_threshold_says_why(policy):
    route = route_for(policy=policy, stage="G2", value=Decimal("100000.00"))
    assert not route.required
    assert route.reasons == [
        "£100,000.00 is at or below £100,000.00: no gateway is required (officer delegation)."
    ]


@pytest.mark.parametrize(
    ("value", "flags", "expected"),
    [
        ("100000.00", {"high_value_or_complex": True, "core_service": True}, []),
        ("500000.00", {}, ["G1", "G2"]),
        ("500000.00", {"high_value_or_complex": True}, ["G0", "G1", "G2"]),
        ("500000.00", {"core_service": True}, ["G1", "G2"]),
        ("2000000.00", {"core_service": True}, ["G0", "G1", "G2"]),
        ("2000000.00", {"high_value_or_complex": True}, ["G1", "G2"]),
        ("500000.00", {"extension": True}, ["G1", "G2", "G3"]),
    ],
)
def test_which_gateways_a_procurement_needs(policy, value, flags, expected):
    assert gateways_required(policy=policy, value=Decimal(value), **flags) == expected


def test_no_policy_before_the_first_came_into_force():
    with pytest.raises(NoPolicyInForce, match="1 January 2019"):
        policy_on(date(2019, 1, 1))
