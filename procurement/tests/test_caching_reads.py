"""Every cached piece declares the families of tables it reads (procurement/caching.py), and a
write retires a piece only through them: a piece that read a table its declaration misses would
be shown stale after a write to that table. Each piece is built here over a small council with
every kind of record, the tables its build reads are recorded, and each must be covered by what
the piece declares."""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Contract
from gateways.models import GatewayReview
from procurement import caching
from procurement.roles import Role
from procurement.tests.factories import UserFactory
from reporting.dashboard import SECTIONS
from reporting.tests import world

pytestmark = pytest.mark.django_db

# Every piece the service caches: each is built at least once below.
PIECES = {
    "roles",
    "navigation",
    "contracts:register",
    "contracts:detail",
    "gateways:review",
    "gateways:forward_plan",
    "reporting:dashboard",
    "reporting:section",
}
REGISTER_QUERIES = (
    {},
    {"q": "C1"},
    {"status": "expiring", "sort": "end"},
    {"sort": "value", "order": "desc", "page": "2"},
    {"mine": "1"},
    {"partner": "1"},
    {"directorate": "1", "category": "1"},
)


def _tables() -> dict[str, object]:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


@pytest.fixture
def reads(monkeypatch) -> dict[str, tuple]:
    """Each piece built: what it declares it reads, and the tables its builds read."""
    tables, recorded, real = _tables(), {}, caching._built

    def built(name, declared, build):
        with CaptureQueriesContext(connection) as queries:
            value = real(name, declared, build)
        sql = " ".join(q["sql"] for q in queries)
        read = {tables[t] for t in tables if f'"{t}"' in sql}
        recorded.setdefault(name, (declared, set()))[1].update(read)
        return value

    monkeypatch.setattr(caching, "_built", built)
    return recorded


def _visit(client: Client, path: str, query: dict | None = None) -> None:
    response = client.get(path, query or {})
    assert response.status_code == 200, (path, query, response.status_code)


def _build_every_piece() -> None:
    world.build()
    people = [UserFactory(roles=[role]) for role in Role]
    head = next(u for u in people if Role.HEAD_OF_PROCUREMENT in u.roles)
    for person in people:
        client = Client()
        client.force_login(person)
        _visit(client, reverse("procurement:home"))
    client = Client()
    client.force_login(head)
    for query in REGISTER_QUERIES:
        _visit(client, reverse("contracts:register"), query)
    for contract in Contract.objects.all():
        _visit(client, reverse("contracts:detail", args=[contract.pk]))
    for review in GatewayReview.objects.all():
        _visit(client, reverse("gateways:review", args=[review.pk]))
    _visit(client, reverse("gateways:forward_plan"))
    _visit(client, reverse("gateways:forward_plan"), {"directorate": "1"})
    _visit(client, reverse("reporting:dashboard"), {"year": world.YEAR})
    for section in SECTIONS:
        _visit(client, reverse("reporting:section", args=[section.slug]), {"year": world.YEAR})


def test_every_cached_piece_declares_every_table_it_reads(reads):
    _build_every_piece()
    for name, (declared, read) in sorted(reads.items()):
        print(name, declared, sorted(m._meta.label_lower for m in read))
    assert set(reads) == PIECES
    missing = {}
    for name, (declared, read) in reads.items():
        assert declared is not None, f"{name} declares nothing it reads"
        for model in read:
            if not {model._meta.app_label, model._meta.label_lower} & set(declared):
                missing.setdefault(name, set()).add(model._meta.label_lower)
    assert not missing
