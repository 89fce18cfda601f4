"""The routing preview, as a page and as JSON for other systems."""

import pytest
from django.urls import reverse

from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, make_user):
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    return client


def test_json_gives_tier_steps_and_policy(signed_in):
    url = reverse("gateways:routing_preview_json")
    body = signed_in.get(f"{url}?stage=G1&value=1500000.01&core=0&complex=0").json()
    assert body["required"] is True
    assert body["tier"] == "B"
    assert body["steps"][0] == {
        "name": "Business partner or head of procurement check",
        "kind": "check",
        "must": "any",
        "roles": ["Business partner", "Head of procurement"],
    }
    assert body["steps"][-1]["must"] == "any"
    assert body["steps"][-1]["roles"] == ["Lead member", "Leadership Team"]
    assert body["policy"] == "2020-09-01"
    small = signed_in.get(f"{url}?stage=G2&value=100000.00").json()
    assert (small["required"], small["tier"], small["steps"]) == (False, None, [])


def test_json_says_each_statutory_consultee_must_comment(signed_in):
    """RBKC §7: the report carries the comments of every statutory consultee before the Officer
    Board, so the step is each of them, not any one."""
    url = reverse("gateways:routing_preview_json")
    body = signed_in.get(f"{url}?stage=G1&value=1500000.01").json()
    assert body["steps"][1] == {
        "name": "Comments from the statutory consultees",
        "kind": "consultation",
        "must": "all",
        "roles": [
            "Statutory consultee (communications)",
            "Statutory consultee (finance)",
            "Statutory consultee (legal)",
        ],
    }


def test_the_page_says_each_consultee_comments_and_any_one_checker_checks(signed_in):
    page = signed_in.get(
        f"{reverse('gateways:routing_preview')}?stage=G1&value=1500000.01"
    ).content.decode()
    assert (
        "Comments from the statutory consultees: each of statutory consultee (communications), "
        "statutory consultee (finance) and statutory consultee (legal)"
    ) in page
    assert (
        "Business partner or head of procurement check: any one of business partner or head "
        "of procurement"
    ) in page
    assert "or statutory consultee" not in page


def test_json_gateway_0_follows_the_flags(signed_in):
    url = reverse("gateways:routing_preview_json")
    assert signed_in.get(f"{url}?stage=G0&value=500000&complex=1").json()["required"] is True
    assert signed_in.get(f"{url}?stage=G0&value=500000&complex=0").json()["required"] is False
    assert signed_in.get(f"{url}?stage=G0&value=2000000&core=true").json()["required"] is True


def test_json_bad_input_is_a_400_with_the_errors(signed_in):
    response = signed_in.get(f"{reverse('gateways:routing_preview_json')}?stage=G9&value=lots")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["stage"][0]["message"] == "Choose G0, G1, G2 or G3"
    assert errors["value"][0]["message"] == "Enter an amount of money, like £1,234.50"


def test_the_page_shows_the_route_and_why(signed_in):
    page = signed_in.get(
        f"{reverse('gateways:routing_preview')}?stage=G1&value=%C2%A3100%2C000.01"
    ).content.decode()
    assert "G1 is required: Tier A" in page
    assert "£100,000.01 is in Tier A" in page
    assert "Executive director sign-off in consultation with the lead member" in page


def test_the_page_shows_errors_in_a_summary(signed_in):
    page = signed_in.get(f"{reverse('gateways:routing_preview')}?value=").content.decode()
    assert "There is a problem" in page
    assert "Choose the gateway" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("gateways:routing_preview_json") + "?stage=G1&value=1")
    assert response.status_code == 302
