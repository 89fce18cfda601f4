"""The register and contract pages: who may do what, filters, sorting, and constant query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractFactory, ContractWithOptionsFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


def form_data(contract: Contract, **changes) -> dict:
    data = {
        "reference": contract.reference,
        "title": contract.title,
        "description": contract.description,
        "directorate": contract.directorate_id,
        "category": contract.category_id or "",
        "supplier": contract.supplier_id,
        "contract_manager": contract.contract_manager_id or "",
        "lead_director": contract.lead_director_id or "",
        "whole_life_value": f"£{contract.whole_life_value:,}",
        "annual_value": "",
        "irrecoverable_vat": "0",
        "start_date_day": contract.start_date.day,
        "start_date_month": contract.start_date.month,
        "start_date_year": contract.start_date.year,
        "end_date_day": contract.end_date.day,
        "end_date_month": contract.end_date.month,
        "end_date_year": contract.end_date.year,
        "extension_options": contract.extension_options,
        "extension_option_months": contract.extension_option_months,
        "extension_options_value": str(contract.extension_options_value),
        "procurement_route": contract.procurement_route,
        "key_decision_reference": "",
        "risk_rating": "",
        "change_reason": "Correcting the title",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_register_and_a_contract(client, user_for_role, role):
    contract = ContractFactory()
    client.force_login(user_for_role(role))
    assert client.get(reverse("contracts:register")).status_code == 200
    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.LEAD_MEMBER, Role.AUDITOR, Role.CONSULTEE_LEGAL])
def test_read_only_roles_cannot_add_edit_or_import(client, user_for_role, role):
    contract = ContractFactory()
    client.force_login(user_for_role(role))
    for url in (
        reverse("contracts:create"),
        reverse("contracts:edit", args=[contract.pk]),
        reverse("contracts:extend", args=[contract.pk]),
        reverse("contracts:import"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("contracts:edit", args=[contract.pk]), form_data(contract, title="X")
    )
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.title != "X"


def test_an_officer_edits_their_directorate_but_not_another(client, make_user):
    mine, theirs = DirectorateFactory(), DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=mine)
    own = ContractFactory(directorate=mine, title="Own contract")
    other = ContractFactory(directorate=theirs, title="Secret other contract")
    client.force_login(officer)
    response = client.post(
        reverse("contracts:edit", args=[own.pk]), form_data(own, title="Renamed")
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Renamed"
    refused = client.get(reverse("contracts:edit", args=[other.pk]))
    assert refused.status_code == 403
    assert "Secret other contract" not in refused.content.decode()
    refused = client.post(
        reverse("contracts:edit", args=[other.pk]), form_data(other, title="Hijacked")
    )
    assert refused.status_code == 403
    other.refresh_from_db()
    assert other.title == "Secret other contract"
    # Nor may they move their own contract into another directorate: the form offers only theirs.
    response = client.post(
        reverse("contracts:edit", args=[own.pk]), form_data(own, directorate=theirs.pk)
    )
    assert response.status_code == 200
    assert "Choose the directorate from the list" in response.content.decode()
    own.refresh_from_db()
    assert own.directorate == mine


def test_business_partners_edit_every_directorate(client, make_user):
    contract = ContractFactory()
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(
        reverse("contracts:edit", args=[contract.pk]), form_data(contract, title="Renamed")
    )
    assert response.status_code == 302


def test_add_a_contract_with_gov_uk_errors_then_success(client, make_user):
    directorate = DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=directorate)
    client.force_login(officer)
    template = ContractFactory.build(
        reference="NEW-1",
        directorate=directorate,
        supplier=SupplierFactory(),
        whole_life_value=Decimal("75000"),
    )
    bad = form_data(template, end_date_day="31", end_date_month="2", end_date_year="2027")
    response = client.post(reverse("contracts:create"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "End date must be a real date" in page
    assert "Name a contract manager: contracts over £50,000 must have one" in page
    assert not Contract.objects.filter(reference="NEW-1").exists()
    good = form_data(
        template,
        whole_life_value="£45,000.00",
        change_reason="New contract",
    )
    response = client.post(reverse("contracts:create"), good)
    assert response.status_code == 302
    contract = Contract.objects.get(reference="NEW-1")
    assert contract.whole_life_value == Decimal("45000.00")
    assert contract.history.latest().history_user == officer


def test_extension_page_uses_an_option(client, make_user):
    contract = ContractWithOptionsFactory(
        end_date=date(2027, 3, 31), whole_life_value=Decimal("90000.00")
    )
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("contracts:extend", args=[contract.pk])
    response = client.post(url, {"reason": "Performing well", "approved_by": "G3 approval 2026/7"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.extensions_used == 1
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "1 of 2 used" in detail
    assert "Performing well" in detail


def test_over_the_threshold_the_extension_page_points_to_gateway_3(client, make_user):
    contract = ContractWithOptionsFactory()  # £250,000
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    url = reverse("contracts:extend", args=[contract.pk])
    response = client.post(url, {"reason": "Performing well", "approved_by": "Head of service"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "is approved at Gateway 3" in page
    contract.refresh_from_db()
    assert contract.extensions_used == 0
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Use an extension option" not in detail
    assert "so an extension is approved at Gateway 3" in detail


def test_search_filters_and_sorting(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    today = timezone.localdate()
    home_care = ContractFactory(title="Home care north", end_date=today + timedelta(days=30))
    ContractFactory(title="Stationery", end_date=today + timedelta(days=900))
    sme = ContractFactory(
        title="Grounds", supplier=SupplierFactory(name="Green SME Ltd", is_sme=True)
    )
    register = reverse("contracts:register")

    def references(query: str) -> list[str]:
        page = client.get(f"{register}?{query}").context["page"]
        return [c.reference for c in page.object_list]

    assert references("q=home+care") == [home_care.reference]
    assert references("q=green+sme") == [sme.reference]
    assert references("ending=3") == [home_care.reference]
    assert references("sme=on") == [sme.reference]
    assert references("status=expiring") == [home_care.reference]
    assert references("sort=end")[0] == home_care.reference
    assert references("sort=end&order=desc")[-1] == home_care.reference
    assert client.get(f"{register}?q=home").context["page"].paginator.count == 1


def test_the_register_is_paged(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    ContractFactory.create_batch(51)
    first = client.get(reverse("contracts:register")).context["page"]
    assert (first.paginator.count, len(first.object_list), first.paginator.num_pages) == (51, 50, 2)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_register_and_contract_pages_keep_a_constant_query_count(client, make_user):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    ContractWithOptionsFactory.create_batch(3)
    contract = ContractWithOptionsFactory()
    register = reverse("contracts:register")
    detail = reverse("contracts:detail", args=[contract.pk])
    small = (queries_for(client, register), queries_for(client, detail))
    ContractWithOptionsFactory.create_batch(30)
    for n in range(5):
        contract.title = f"Title {n}"
        contract.save()
    large = (queries_for(client, register), queries_for(client, detail))
    assert large == small


def test_data_quality_counts_link_to_the_register(client, make_user):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    ContractFactory(review_date=None, category=None)
    ContractFactory(review_date=timezone.localdate())
    response = client.get(reverse("contracts:data_quality"))
    rows = {row["key"]: row["count"] for row in response.context["rows"]}
    assert rows["no_review_date"] == 1
    assert rows["no_category"] == 1
    assert rows["no_manager"] == 2
    listed = client.get(f"{reverse('contracts:register')}?problem=no_category").context["page"]
    assert listed.paginator.count == 1


def test_the_home_page_lists_contracts_the_manager_must_act_on(client, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    ContractFactory(contract_manager=manager, end_date=timezone.localdate() + timedelta(days=20))
    client.force_login(manager)
    items = client.get(reverse("procurement:home")).context["attention_items"]
    assert [(i.title, i.count) for i in items] == [("Contracts you manage that are expiring", 1)]


def test_the_history_tab_says_who_changed_what_from_what_to_what_and_why(client, make_user):
    partner = make_user(Role.BUSINESS_PARTNER, first_name="Hannah", last_name="Lewis")
    new_manager = make_user(Role.CONTRACT_MANAGER, first_name="Tom", last_name="Okafor")
    contract = ContractFactory(whole_life_value=Decimal("40000"))
    from contracts.services import contract_update

    contract_update(
        contract=contract,
        fields={"contract_manager": new_manager, "whole_life_value": Decimal("45000")},
        by=partner,
        reason="Manager changed after restructure",
    )
    client.force_login(partner)
    entry = client.get(reverse("contracts:detail", args=[contract.pk])).context["changes"][0]
    assert entry["record"].history_user == partner
    assert entry["record"].history_change_reason == "Manager changed after restructure"
    assert {(c["field"], c["old"], c["new"]) for c in entry["changes"]} == {
        ("contract manager", "blank", "Tom Okafor"),
        ("whole-life value", "£40,000.00", "£45,000.00"),
    }


def test_a_variation_breaking_a_contract_rule_is_shown_not_a_server_error(client, make_user):
    contract = ContractFactory(start_date=date(2025, 4, 1), end_date=date(2027, 3, 31))
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    response = client.post(
        reverse("contracts:vary", args=[contract.pk]),
        {
            "effective_date_day": "1",
            "effective_date_month": "6",
            "effective_date_year": "2025",
            "value_change": "0",
            "new_end_date_day": "1",
            "new_end_date_month": "1",
            "new_end_date_year": "2025",
            "reason": "Shorter term",
            "approved_by": "ED",
        },
    )
    assert response.status_code == 200
    assert "The end date must be the same as or after the start date" in response.content.decode()
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 3, 31)
    assert not contract.events.exists()
