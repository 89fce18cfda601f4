"""The Council Plan themes as reference data: kept by the head of procurement and administrators,
retired rather than deleted, with every change in their history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from procurement.models import PlanTheme
from procurement.roles import Role
from procurement.services import ProcurementError, plan_theme_create, plan_theme_update

pytestmark = pytest.mark.django_db


def test_the_head_of_procurement_and_administrators_keep_the_themes(make_user):
    for role in (Role.HEAD_OF_PROCUREMENT, Role.ADMINISTRATOR):
        plan_theme_create(name=f"Theme of {role.label}", by=make_user(role), reason="The plan")
    for role in (Role.PROCUREMENT_OFFICER, Role.BUSINESS_PARTNER, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            plan_theme_create(name="Not theirs", by=make_user(role), reason="The plan")
    assert PlanTheme.objects.count() == 2


def test_a_theme_is_named_once_whatever_its_case_and_spacing(make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    plan_theme_create(name="Narrowing the gap", by=head, reason="The plan")
    with pytest.raises(ProcurementError, match="already a theme called"):
        plan_theme_create(name="  narrowing   THE gap ", by=head, reason="The plan")
    with pytest.raises(ProcurementError, match="Give the theme a name"):
        plan_theme_create(name="   ", by=head, reason="The plan")


def test_retiring_a_theme_keeps_it_with_its_history(make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    theme = plan_theme_create(name="Community involvement", by=head, reason="The 2019 plan")
    plan_theme_update(
        theme=theme,
        name="Community involvement",
        description="",
        order=0,
        is_active=False,
        by=head,
        reason="The 2023 plan replaces it",
    )
    theme.refresh_from_db()
    assert not theme.is_active
    history = list(theme.history.order_by("history_date"))
    assert [(h.history_user, h.history_change_reason, h.is_active) for h in history] == [
        (head, "The 2019 plan", True),
        (head, "The 2023 plan replaces it", False),
    ]
    with pytest.raises(ProcurementError, match="Say why"):
        plan_theme_update(
            theme=theme, name="x", description="", order=0, is_active=True, by=head, reason=" "
        )


def test_the_head_of_procurement_adds_and_changes_a_theme_on_its_pages(client, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    client.force_login(head)
    added = client.post(
        reverse("procurement:plan_theme_create"),
        {"name": "Prevention", "description": "Early help", "order": "1", "change_reason": "Plan"},
    )
    assert added.status_code == 302
    theme = PlanTheme.objects.get()
    changed = client.post(
        reverse("procurement:plan_theme_edit", args=[theme.pk]),
        {
            "name": "Prevention and early intervention",
            "description": "Early help",
            "order": "1",
            "is_active": "on",
            "change_reason": "The plan's own words",
        },
    )
    assert changed.status_code == 302
    page = client.get(reverse("procurement:plan_theme", args=[theme.pk])).content.decode()
    assert "Prevention and early intervention" in page
    assert "The plan&#x27;s own words" in page
    listed = client.get(reverse("procurement:plan_themes")).content.decode()
    assert "Add a theme" in listed


def test_others_read_the_themes_but_cannot_change_them(client, make_user):
    theme = plan_theme_create(
        name="Narrowing the gap", by=make_user(Role.ADMINISTRATOR), reason="The plan"
    )
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    listed = client.get(reverse("procurement:plan_themes"))
    assert listed.status_code == 200
    assert "Add a theme" not in listed.content.decode()
    assert client.get(reverse("procurement:plan_theme_create")).status_code == 403
    assert client.get(reverse("procurement:plan_theme_edit", args=[theme.pk])).status_code == 403
