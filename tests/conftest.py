"""Fixtures of the cross-app tests."""

import pytest
from django.db import transaction

from tests import sweep_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo council and its other side (tests/sweep_world.py), built once for the module
    and rolled back after: the authorisation sweep's, and the query-string fuzz test's."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield sweep_world.build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
