"""A new password revokes every API token of its owner, whichever way it was set: their password
change page, a reset link, the admin's set-password or ``manage.py changepassword``."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from conftest import TEST_PASSWORD
from procurement.models import ApiToken
from procurement.roles import Role
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-for-them"
REVOKED = "Revoked: the password changed"


def tokens_of(user, *names, days=30) -> dict[str, str]:
    expires_on = timezone.localdate() + timedelta(days=days)
    return {
        name: api_token_create(user=user, name=name, expires_on=expires_on, by=user)[1]
        for name in names
    }


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/suppliers/").status_code == 200


def revocations(user) -> list[tuple[str, str, object]]:
    return [
        (record.name, record.history_change_reason, record.history_user)
        for record in ApiToken.history.filter(user=user, revoked_at__isnull=False).order_by("name")
    ]


def test_changing_your_password_revokes_all_your_tokens_and_no_one_elses(client, make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    colleague = make_user(Role.PROCUREMENT_OFFICER)
    keys = tokens_of(officer, "Finance system", "Portal")
    theirs = tokens_of(colleague, "Their system")
    assert all(works(key) for key in keys.values())
    client.force_login(officer)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Changing your password also revokes all your API tokens" in page
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert not any(works(key) for key in keys.values())
    assert works(theirs["Their system"])
    assert revocations(officer) == [
        ("Finance system", REVOKED, officer),
        ("Portal", REVOKED, officer),
    ]
    tokens_page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "Changing or resetting your password revokes all your tokens at once" in tokens_page
    assert tokens_page.count("Revoked ") == 2


def test_a_password_reset_link_revokes_the_tokens(client, make_user):
    officer = make_user(Role.CONTRACT_MANAGER)
    keys = tokens_of(officer, "Finance system")
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    link = reverse(
        "accounts:password_reset_confirm",
        args=[uid, default_token_generator.make_token(officer)],
    )
    form_page = client.get(link, follow=True)
    assert "Setting a new password also revokes any API tokens you have" in (
        form_page.content.decode()
    )
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert not works(keys["Finance system"])
    assert revocations(officer) == [("Finance system", REVOKED, officer)]


@pytest.mark.parametrize(
    "change",
    [
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        {"usable_password": "false", "unset-password": "1"},  # password sign-in turned off
    ],
    ids=["new-password", "password-disabled"],
)
def test_an_administrator_setting_the_password_revokes_the_tokens(client, make_user, change):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    admin = make_user(Role.ADMINISTRATOR, is_staff=True)
    keys = tokens_of(officer, "Finance system")
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    response = client.post(url, change)
    assert response["Location"] == reverse("admin:procurement_user_change", args=[officer.pk])
    assert not works(keys["Finance system"])
    # The history says the administrator did it.
    assert revocations(officer) == [("Finance system", REVOKED, admin)]


def test_manage_py_changepassword_revokes_the_tokens(make_user, monkeypatch):
    from django.contrib.auth.management.commands import changepassword

    officer = make_user(Role.PROCUREMENT_OFFICER)
    keys = tokens_of(officer, "Finance system")
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt=None: NEW_PASSWORD)
    call_command("changepassword", officer.email, stdout=None)
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert not works(keys["Finance system"])
    assert revocations(officer) == [("Finance system", REVOKED, officer)]


def test_signing_in_revokes_nothing_even_when_the_password_hash_is_upgraded(
    client, make_user, settings
):
    officer = make_user(Role.PROCUREMENT_OFFICER)  # hashed with MD5 (conftest.py)
    keys = tokens_of(officer, "Finance system")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    response = client.post(
        reverse("accounts:sign_in"), {"username": officer.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.password.startswith("scrypt$")  # upgraded at sign-in: not a new password
    assert works(keys["Finance system"])
    assert revocations(officer) == []


def test_expired_and_revoked_tokens_are_left_as_they_were(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    tokens_of(officer, "Working")
    expired = ApiToken.objects.get(name="Working")
    expired.expires_on = timezone.localdate() - timedelta(days=1)
    expired.save()
    tokens_of(officer, "Current")
    officer.set_password(NEW_PASSWORD)
    officer.save()
    states = dict(ApiToken.objects.values_list("name", "revoked_at"))
    assert states["Working"] is None
    assert states["Current"] is not None
