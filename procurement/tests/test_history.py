"""Changes to people and reference data record who, when and why."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from procurement.models import ContractCategory, User
from procurement.roles import Role
from procurement.services import ProcurementError, user_create, user_set_roles
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


def test_creating_a_user_records_who_and_why(make_user):
    admin = make_user(Role.ADMINISTRATOR)
    user = user_create(
        email="New.Officer@Council.Example",
        first_name="New",
        last_name="Officer",
        directorate=DirectorateFactory(),
        roles=[Role.PROCUREMENT_OFFICER],
        by=admin,
        reason="Joined the commissioning team",
    )
    assert user.email == "new.officer@council.example"
    assert not user.has_usable_password()
    assert user.roles == {Role.PROCUREMENT_OFFICER}
    record = user.history.latest()
    assert record.history_user == admin
    assert record.history_change_reason == "Joined the commissioning team"


def test_a_duplicate_email_or_a_missing_directorate_is_refused(make_user):
    make_user(email="taken@council.example")
    with pytest.raises(ProcurementError, match="already exists"):
        user_create(
            email="TAKEN@council.example",
            first_name="A",
            last_name="B",
            directorate=DirectorateFactory(),
            roles=[],
            by=None,
            reason="x",
        )
    with pytest.raises(ProcurementError, match="Choose the directorate"):
        user_create(
            email="new@council.example",
            first_name="A",
            last_name="B",
            directorate=None,
            roles=[],
            by=None,
            reason="x",
        )
    assert User.objects.count() == 1


def test_changing_roles_is_kept_in_history(make_user):
    admin = make_user(Role.ADMINISTRATOR)
    user = make_user(Role.PROCUREMENT_OFFICER)
    user_set_roles(
        user=user, roles=[Role.BUSINESS_PARTNER], by=admin, reason="Moved to the central team"
    )
    assert user.roles == {Role.BUSINESS_PARTNER}
    latest = user.history.latest()
    assert latest.history_user == admin
    assert latest.history_change_reason == "Moved to the central team"
    assert [g.group.name for g in latest.groups.all()] == [Role.BUSINESS_PARTNER.label]
    assert "password" not in {f.name for f in latest._meta.fields}


def test_an_unknown_or_missing_role_is_refused_and_nothing_changes(make_user):
    user = make_user(Role.PROCUREMENT_OFFICER)
    with pytest.raises(ProcurementError, match="These are not roles: chief-buyer"):
        user_set_roles(user=user, roles=["chief-buyer"], by=None, reason="x")
    Group.objects.filter(name=Role.AUDITOR.label).delete()
    with pytest.raises(ProcurementError, match="not set up: Auditor"):
        user_set_roles(user=user, roles=[Role.AUDITOR], by=None, reason="x")
    user.refresh_from_db()
    assert {g.name for g in user.groups.all()} == {Role.PROCUREMENT_OFFICER.label}


def test_an_admin_edit_needs_a_reason_and_records_it(client, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    category = ContractCategory.objects.get(name="Goods and commodities")
    url = reverse("admin:procurement_contractcategory_change", args=[category.pk])
    data = {
        "name": category.name,
        "description": category.description,
        "quality_weight": 35,
        "price_weight": 55,
        "social_value_weight": 10,
        "threshold_kind": "goods_services",
        "is_active": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    category.refresh_from_db()
    assert category.quality_weight == 30
    response = client.post(url, {**data, "change_reason": "Category strategy refresh 2026"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.quality_weight, category.price_weight) == (35, 55)
    record = category.history.latest()
    assert record.history_user == admin
    assert record.history_change_reason == "Category strategy refresh 2026"
    assert record.prev_record.quality_weight == 30


def test_the_admin_refuses_weights_that_do_not_sum_to_100(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    category = ContractCategory.objects.get(name="Goods and commodities")
    response = client.post(
        reverse("admin:procurement_contractcategory_change", args=[category.pk]),
        {
            "name": category.name,
            "quality_weight": 50,
            "price_weight": 50,
            "social_value_weight": 10,
            "threshold_kind": "goods_services",
            "is_active": "on",
            "change_reason": "Trying",
        },
    )
    assert response.status_code == 200
    assert "they add up to 110" in response.content.decode()
    category.refresh_from_db()
    assert category.quality_weight == 30


def test_governed_records_cannot_be_deleted_in_the_admin(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    category = ContractCategory.objects.get(name="Goods and commodities")
    url = reverse("admin:procurement_contractcategory_delete", args=[category.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ContractCategory.objects.filter(pk=category.pk).exists()


def test_an_administrator_adds_a_person_with_roles_and_a_reason(client, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    directorate = DirectorateFactory(name="Housing", code="hsg")
    response = client.post(
        reverse("admin:procurement_user_add"),
        {
            "email": "New.Manager@Council.Example",
            "first_name": "New",
            "last_name": "Manager",
            "directorate": directorate.pk,
            "password1": "a-long-passphrase-for-new",
            "password2": "a-long-passphrase-for-new",
            "change_reason": "Joined the housing contracts team",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.manager@council.example")
    assert user.directorate == directorate
    created = user.history.earliest()
    assert created.history_user == admin
    assert created.history_change_reason == "Joined the housing contracts team"

    manager = Group.objects.get(name=Role.CONTRACT_MANAGER.label)
    change = client.post(
        reverse("admin:procurement_user_change", args=[user.pk]),
        {
            "email": user.email,
            "first_name": "New",
            "last_name": "Manager",
            "directorate": directorate.pk,
            "is_active": "on",
            "groups": [manager.pk],
            "change_reason": "Made contract manager for the repairs contract",
        },
    )
    assert change.status_code == 302, change.content.decode()[:2000]
    user = User.objects.get(pk=user.pk)
    assert user.roles == {Role.CONTRACT_MANAGER}
    latest = user.history.latest()
    assert latest.history_change_reason == "Made contract manager for the repairs contract"
    assert [g.group_id for g in latest.groups.all()] == [manager.pk]


def test_the_admin_refuses_a_person_without_a_directorate_or_with_a_taken_email(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR, email="admin@council.example"))
    response = client.post(
        reverse("admin:procurement_user_add"),
        {
            "email": "ADMIN@council.example",
            "password1": "a-long-passphrase-for-new",
            "password2": "a-long-passphrase-for-new",
            "change_reason": "x",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["email"] == ["A user with this email address already exists."]
    assert errors["directorate"] == ["This field is required."]
    assert User.objects.count() == 1
