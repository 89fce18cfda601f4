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
