"""Sign-in throttling: five failures in 15 minutes lock an email address for the rest of them,
whatever the password and whichever sign-in page; every attempt is recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse

from procurement.models import SignInAttempt
from procurement.roles import Role
from procurement.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def sign_in(client, email, password):
    return client.post(reverse("accounts:sign_in"), {"username": email, "password": password})


def test_five_failures_lock_the_address_even_with_the_right_password(client):
    user = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    for _ in range(5):
        refused = sign_in(client, user.email, "wrong")
        assert "Enter a correct email address and password" in refused.content.decode()
    locked = sign_in(client, user.email, PASSWORD)
    body = locked.content.decode()
    assert "Too many failed attempts to sign in. Try again after" in body
    assert "_auth_user_id" not in client.session
    assert list(SignInAttempt.objects.order_by("pk").values_list("succeeded", "locked_out")) == [
        (False, False)
    ] * 5 + [(False, True)]
    assert SignInAttempt.objects.first().ip_address == "127.0.0.1"
    # The lockout lifts by itself once the failures are older than 15 minutes.
    for attempt in SignInAttempt.objects.all():
        attempt.at -= timedelta(minutes=16)
        attempt.save()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert SignInAttempt.objects.filter(succeeded=True, email=user.email).count() == 1


def test_an_unknown_address_is_locked_the_same_way(client):
    for _ in range(5):
        sign_in(client, "nobody@council.example", "guess")
    body = sign_in(client, "nobody@council.example", "guess").content.decode()
    assert "Too many failed attempts to sign in" in body


def test_the_admin_sign_in_is_locked_too(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    for _ in range(5):
        sign_in(client, admin.email, "wrong")
    response = client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_a_success_does_not_count_against_anyone(client):
    user = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    for _ in range(4):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert SignInAttempt.objects.filter(succeeded=False).count() == 4


def test_an_address_can_be_throttled_where_it_is_each_persons_own(client, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    for number in range(3):
        sign_in(client, f"guess{number}@council.example", "guess")
    user = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    body = sign_in(client, user.email, PASSWORD).content.decode()
    assert "Too many failed attempts to sign in" in body
