"""Contracts over £50,000 name a contract manager and a lead director (Kent R24): the form and
the services require them of whatever a person makes or changes; a legacy register imported
without them is taken in, and each gap is shown to be filled."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.tests.factories import directorate_with_partner
from contracts.forms import ContractForm
from contracts.models import Contract
from contracts.services import contract_create, contract_update, contract_vary
from contracts.tests.factories import ContractFactory, SupplierFactory
from contracts.tests.test_pages import form_data
from procurement.roles import Role

pytestmark = pytest.mark.django_db

MANAGER = "Name a contract manager: contracts over £50,000 must have one"
DIRECTOR = "Name a lead director: contracts over £50,000 must have one"


def legacy(**fields) -> Contract:
    """A contract over £50,000 as a legacy register holds it: no named officers."""
    fields.setdefault("directorate", directorate_with_partner())
    return ContractFactory(whole_life_value=Decimal("50000.01"), **fields)


# --- The form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "refused"), [("50000.00", False), ("50000.01", True)])
def test_the_form_requires_both_officers_over_50000(make_user, value, refused):
    user = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory.build(
        directorate=ContractFactory().directorate,
        supplier=SupplierFactory(),
        whole_life_value=Decimal(value),
    )
    data = {k: str(v) for k, v in form_data(contract).items()}
    form = ContractForm(data, user=user)
    if refused:
        assert form.errors["contract_manager"] == [MANAGER]
        assert form.errors["lead_director"] == [DIRECTOR]
    else:
        assert form.is_valid(), form.errors


def test_editing_a_legacy_contract_through_the_form_asks_for_both(client, make_user):
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    contract = legacy()
    response = client.post(reverse("contracts:edit", args=[contract.pk]), form_data(contract))
    assert response.status_code == 200
    assert response.context["form"].errors["contract_manager"] == [MANAGER]
    assert response.context["form"].errors["lead_director"] == [DIRECTOR]


# --- The services: one rule for every path a person takes -------------------------------------


def test_a_new_contract_over_50000_without_them_is_refused_by_the_service(make_user):
    # The service is what the form, the gateway award and any other writer call: the rule holds
    # on every path, not only on the page.
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory.build(whole_life_value=Decimal("50000.01"))
    fields = {name: getattr(contract, name) for name in Contract.DETAIL_FIELDS}
    fields["directorate"] = ContractFactory().directorate
    fields["supplier"] = SupplierFactory()
    with pytest.raises(ValidationError) as caught:
        contract_create(fields={"reference": "NEW-1", **fields}, by=partner, reason="New")
    assert caught.value.message_dict == {
        "contract_manager": [MANAGER],
        "lead_director": [DIRECTOR],
    }
    assert not Contract.objects.filter(reference="NEW-1").exists()


def test_a_change_may_fill_one_legacy_gap_and_leave_the_other(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = legacy()
    manager = make_user(Role.CONTRACT_MANAGER)
    contract_update(
        contract=contract, fields={"contract_manager": manager}, by=partner, reason="Named"
    )
    contract.refresh_from_db()
    assert contract.contract_manager == manager
    # But no change may open a gap: removing the manager again is refused.
    with pytest.raises(ValidationError) as caught:
        contract_update(
            contract=contract, fields={"contract_manager": None}, by=partner, reason="Removed"
        )
    assert caught.value.message_dict == {"contract_manager": [MANAGER]}


def test_a_variation_may_not_take_a_contract_over_50000_without_them(make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractFactory(whole_life_value=Decimal("50000.00"))
    with pytest.raises(ValidationError):
        contract_vary(
            contract=contract,
            effective_date=timezone.localdate(),
            value_change=Decimal("0.01"),
            new_end_date=None,
            reason="More hours",
            approved_by="Head of service",
            by=partner,
        )
    contract.refresh_from_db()
    assert contract.whole_life_value == Decimal("50000.00")


# --- Where the gaps are shown ----------------------------------------------------------------


def test_the_data_quality_page_lists_both_gaps_over_50000(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    neither = legacy()
    legacy(lead_director=make_user(Role.EXECUTIVE_DIRECTOR))
    ContractFactory(whole_life_value=Decimal("50000.00"))  # at the threshold: not a gap
    ended = legacy(end_date=timezone.localdate() - timedelta(days=1))
    ended.start_date = ended.end_date - timedelta(days=10)
    ended.save()
    rows = {r["key"]: r for r in client.get(reverse("contracts:data_quality")).context["rows"]}
    assert (rows["over_50k_no_manager"]["label"], rows["over_50k_no_manager"]["count"]) == (
        "Over £50,000 with no contract manager",
        2,
    )
    assert (
        rows["over_50k_no_lead_director"]["label"],
        rows["over_50k_no_lead_director"]["count"],
    ) == ("Over £50,000 with no lead director", 1)
    listed = client.get(f"{reverse('contracts:register')}?problem=over_50k_no_lead_director")
    assert [c.pk for c in listed.context["page"]] == [neither.pk]


def test_the_contract_page_says_who_should_fill_the_gap(client, make_user):
    directorate = directorate_with_partner()
    partner = directorate.business_partner
    partner.first_name, partner.last_name = "Hannah", "Lewis"
    partner.save()
    contract = legacy(directorate=directorate)
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "govuk-notification-banner" in page
    assert "names no contract manager and no lead director" in page
    assert f"Hannah Lewis, business partner for {directorate.name}" in page
    named = ContractFactory(whole_life_value=Decimal("40000"))
    page = client.get(reverse("contracts:detail", args=[named.pk])).content.decode()
    assert "govuk-notification-banner" not in page


def test_the_business_partner_is_asked_on_their_home_page(client, make_user):
    directorate = directorate_with_partner()
    legacy(directorate=directorate)
    legacy(directorate=directorate, lead_director=make_user(Role.EXECUTIVE_DIRECTOR))
    legacy()  # another directorate's: its own partner is asked
    client.force_login(directorate.business_partner)
    items = client.get(reverse("procurement:home")).context["attention_items"]
    assert [(i.title, i.count, i.href) for i in items if "£50,000" in i.title] == [
        (
            "Contracts over £50,000 in your directorates with no contract manager",
            2,
            f"{reverse('contracts:register')}?problem=over_50k_no_manager&partner=on",
        ),
        (
            "Contracts over £50,000 in your directorates with no lead director",
            1,
            f"{reverse('contracts:register')}?problem=over_50k_no_lead_director&partner=on",
        ),
    ]
    # The register the link opens lists those two, not the other directorate's.
    listed = client.get(f"{reverse('contracts:register')}?problem=over_50k_no_manager&partner=on")
    assert "<strong>2</strong> contracts" in listed.content.decode()
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    items = client.get(reverse("procurement:home")).context["attention_items"]
    assert not [i for i in items if "£50,000" in i.title]
