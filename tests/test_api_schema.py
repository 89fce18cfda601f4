"""Schemathesis against the API's own schema, on a seeded database: every operation, with data
generated from the schema, answers with no server error and with responses the schema allows."""

import io
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from procurement.models import User
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def caller(settings):
    """A business partner on the seeded demo council, with a token."""
    settings.DEBUG = True
    settings.API_RATE = "100000/minute"
    call_command("seed_demo", contracts=40, stdout=io.StringIO())
    partner = User.objects.get(email="partner@northmere.example")
    _, key = api_token_create(
        user=partner,
        name="Schemathesis",
        expires_on=timezone.localdate() + timezone.timedelta(days=1),
        by=partner,
    )
    return key


@contextmanager
def requests_in_this_transaction():
    """As Django's test client does around each request: the connection is not closed at the
    start and end of each request, so the WSGI calls run in the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_keeps_to_the_schema(caller):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {caller}")
    spec = client.get("/api/schema/?format=json").json()
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {caller}"}
    tried = []
    for found in loaded.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def keeps_to_the_schema(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        with requests_in_this_transaction():
            keeps_to_the_schema()
        tried.append(operation.label)
    assert len(tried) == len([m for path in spec["paths"].values() for m in path])
