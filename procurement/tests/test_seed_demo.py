"""Demo data: a fictional council with a user for every role, never with DEBUG off."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from procurement.management.commands.seed_demo import DEMO_PASSWORD, PEOPLE
from procurement.models import Directorate, User
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_creates_a_user_for_every_role_and_prints_the_logins(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", contracts=20, stdout=out)
    held = {role for user in User.objects.all() for role in user.roles}
    assert held == set(Role)
    assert Directorate.objects.count() == 5
    assert DEMO_PASSWORD in out.getvalue()
    assert "officer@northmere.example" in out.getvalue()


def test_is_safe_to_run_twice_and_if_empty_skips(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=20, stdout=io.StringIO())
    people = User.objects.count()
    call_command("seed_demo", contracts=20, stdout=io.StringIO())
    assert User.objects.count() == people
    # Everyone in PEOPLE, and one contract manager who has left (alerts/demo.py).
    assert User.objects.filter(is_active=True).count() == len(PEOPLE)
    out = io.StringIO()
    call_command("seed_demo", if_empty=True, stdout=out)
    assert "already has users" in out.getvalue()


def test_every_demo_user_can_sign_in(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=20, stdout=io.StringIO())
    for role in Role:
        user = User.objects.filter(groups__name=role.label).order_by("pk").first()
        response = client.post(
            reverse("accounts:sign_in"), {"username": user.email, "password": DEMO_PASSWORD}
        )
        assert response["Location"] == reverse("procurement:home"), role
        client.logout()
