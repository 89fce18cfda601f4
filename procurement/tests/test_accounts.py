"""Signing in and out, and the rules for passwords (resets by email: test_password_reset.py)."""

import re

import pytest
from django.urls import reverse

from conftest import TEST_PASSWORD
from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_goes_home(client, make_user):
    user = make_user(Role.PROCUREMENT_OFFICER, email="priya.shah@council.example")
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": "Priya.Shah@council.example", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:home")
    assert client.get(reverse("procurement:home")).context["user"] == user


def test_a_wrong_password_gives_a_gov_uk_error_summary(client, make_user):
    make_user(Role.PROCUREMENT_OFFICER, email="priya.shah@council.example")
    response = client.post(
        reverse("accounts:sign_in"),
        {"username": "priya.shah@council.example", "password": "not-the-password"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert " ".join(title.split()).startswith("Error: Sign in \u2013 Procurement governance")


def test_sign_in_returns_to_the_page_asked_for(client, make_user):
    make_user(Role.AUDITOR, email="audit@council.example")
    response = client.post(
        f"{reverse('accounts:sign_in')}?next=/reference-data/",
        {
            "username": "audit@council.example",
            "password": TEST_PASSWORD,
            "next": "/reference-data/",
        },
    )
    assert response["Location"] == "/reference-data/"


def test_sign_out_needs_a_post_and_ends_the_session(client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))
    assert response["Location"] == reverse("accounts:signed_out")
    assert client.get(reverse("procurement:home")).status_code == 302


def test_a_short_password_is_refused_with_a_clear_message(client, make_user):
    user = make_user(Role.CONTRACT_MANAGER)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in (
        response.content.decode().replace("&#x27;", "'")
    )


@pytest.mark.parametrize(
    ("password", "refused_because"),
    [
        ("short-pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_passwords_follow_ncsc_guidance(make_user, password, refused_because):
    """Length and a deny-list of common passwords, no composition rules (NCSC password guidance):
    three random words pass; short, common or all-digit passwords do not."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = make_user(first_name="Priya", last_name="Shah")
    validate_password("correct horse battery staple", user=user)  # no capital, digit or symbol
    with pytest.raises(ValidationError, match=refused_because):
        validate_password(password, user=user)
