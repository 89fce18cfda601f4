"""A refused request is logged as one line naming the path and the user, without a traceback."""

import logging

import pytest
from django.urls import reverse

from procurement.roles import Role

pytestmark = pytest.mark.django_db


def test_a_403_is_one_warning_line_with_the_path_and_the_user(client, make_user, caplog):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    path = reverse("procurement:people")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(path)

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == f"Forbidden (Permission denied): {path} (user {officer.pk})"
    assert "Traceback" not in caplog.text
    assert len(caplog.text.strip().splitlines()) == 1


def test_a_404_names_an_anonymous_visitor_on_one_line(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")

    assert response.status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    assert record.getMessage() == "Not Found: /no-such-page/ (anonymous)"


def test_a_server_error_keeps_its_traceback(client, make_user, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the selector broke")

    monkeypatch.setattr("procurement.views.people_for_audit", broken)
    client.raise_request_exception = False
    client.force_login(make_user(Role.ADMINISTRATOR))
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("procurement:people"))

    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
