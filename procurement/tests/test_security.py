"""The Content Security Policy is on every page, and a download keeps its own stricter one."""

import pytest
from django.urls import reverse

from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_every_page_forbids_inline_script_and_framing(client, make_user):
    for response in (
        client.get(reverse("accounts:sign_in")),
        client.get("/healthz"),
        client.get("/no-such-page/"),
    ):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
    client.force_login(make_user(Role.AUDITOR))
    assert "default-src 'self'" in client.get("/dashboard/")["Content-Security-Policy"]


def test_a_person_is_signed_out_after_a_time_with_no_activity(client, make_user, settings):
    settings.SESSION_IDLE_SECONDS = 600
    client.force_login(make_user(Role.AUDITOR))
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    assert session["last_seen"]
    session["last_seen"] -= 601
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=/dashboard/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_person_signed_in(client, make_user, settings):
    settings.SESSION_IDLE_SECONDS = 600
    client.force_login(make_user(Role.AUDITOR))
    client.get("/dashboard/")
    session = client.session
    session["last_seen"] -= 599
    session.save()
    assert client.get("/dashboard/").status_code == 200
    assert client.session["last_seen"] > session["last_seen"]
