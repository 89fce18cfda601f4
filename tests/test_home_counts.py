"""Every count on the home page opens a list showing exactly that many rows, for every role of
the demo council (tests/sweep_world.py)."""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from procurement.roles import Role

pytestmark = pytest.mark.django_db


def rows_shown(response, anchor: str) -> int:
    """How many rows the list a home-page link opens shows (all its pages)."""
    name = resolve(response.wsgi_request.path).view_name
    context = response.context
    if name == "contracts:register":
        found = re.search(r"<strong>(\d+)</strong> contracts?\b", response.content.decode())
        return int(found.group(1))
    if name in ("performance:mine", "performance:portfolio"):
        return (
            len(context["exceptions"])
            if anchor == "exceptions"
            else context["page"].paginator.count
        )
    if name == "socialvalue:mine":
        return len(context[anchor])
    if name == "gateways:awaiting":
        return len(context["stuck"] if anchor == "stuck" else context["waiting"])
    if name == "alerts:mine":
        return len(context["open_alerts"])
    if name == "alerts:reassign":
        return sum(len(contracts) for _, contracts in context["groups"])
    if name == "alerts:notifications":
        return context["page"].paginator.count
    if name == "training:mine":
        # The person's mandatory courses, each tagged: those not current are the ones to attend.
        return sum(1 for standing in context["standings"] if standing.status != "current")
    if name == "assurance:list":
        return len(context["reports"])
    if name == "maturity:plan":
        return len(context["items"])
    if name == "maturity:score_list":
        return sum(total - scored for _, areas in context["themes"] for _, scored, total in areas)
    raise AssertionError(f"No list known for {name}: say how its rows are counted")


# Links to one thing to do, not to a list.
SINGLE_ITEM_LINKS = {"gateways:declaration"}


def test_each_home_page_count_matches_the_list_its_link_opens(world):
    checked = 0
    for user in [*world.users.values(), world.outsider, world.outside_director]:
        client = Client()
        client.force_login(user)
        for item in client.get(reverse("procurement:home")).context["attention_items"]:
            path, _, anchor = item.href.partition("#")
            if resolve(path.split("?")[0]).view_name in SINGLE_ITEM_LINKS:
                continue
            response = client.get(path)
            assert response.status_code == 200, (user, item)
            assert rows_shown(response, anchor) == item.count, (user.email, item)
            checked += 1
    # The demo council gives most roles something to do: this checked many counts.
    assert checked >= 10


def test_the_contract_manager_sees_late_kpi_returns_as_a_filtered_list(world):
    client = Client()
    client.force_login(world.users[Role.CONTRACT_MANAGER])
    items = {i.title: i for i in client.get(reverse("procurement:home")).context["attention_items"]}
    late = items["Your contracts with KPI returns late"]
    assert late.href == reverse("performance:mine") + "?late=on"
    everything = client.get(reverse("performance:mine")).context["page"].paginator.count
    assert 0 < late.count < everything
