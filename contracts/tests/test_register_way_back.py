"""A contract's pages lead back to the register as the visitor last searched it."""

import pytest
from django.urls import reverse

from contracts.tests.factories import ContractFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def breadcrumb(client, url) -> str:
    html = client.get(url).content.decode()
    start = html.index('class="govuk-breadcrumbs__link" href="') + len(
        'class="govuk-breadcrumbs__link" href="'
    )
    return html[start : html.index('"', start)]


def test_the_contract_page_breadcrumb_keeps_the_search_filters_sort_and_page(client, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    client.force_login(manager)
    contract = ContractFactory(title="Library books", contract_manager=manager)
    register = reverse("contracts:register")
    client.get(register, {"q": "books", "status": "active", "sort": "value", "page": "1"})
    assert breadcrumb(client, contract.get_absolute_url()) == (
        f"{register}?q=books&amp;status=active&amp;sort=value&amp;page=1"
    )
    performance = reverse("performance:contract", args=[contract.pk])
    assert breadcrumb(client, performance).startswith(f"{register}?q=books")


def test_only_what_the_register_reads_is_kept(client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    contract = ContractFactory()
    register = reverse("contracts:register")
    client.get(register, {"next": "https://elsewhere.example/", "sme": "on"})
    assert breadcrumb(client, contract.get_absolute_url()) == f"{register}?sme=on"


def test_the_unfiltered_register_clears_what_was_kept(client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    contract = ContractFactory()
    register = reverse("contracts:register")
    client.get(register, {"q": "books"})
    client.get(register)
    assert breadcrumb(client, contract.get_absolute_url()) == register


def test_a_query_string_longer_than_any_search_is_not_kept(client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    contract = ContractFactory()
    register = reverse("contracts:register")
    client.get(register, {"q": "books"})
    client.get(register, {"q": "x" * 2000})
    assert breadcrumb(client, contract.get_absolute_url()) == register
