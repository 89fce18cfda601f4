"""OCDS publication: every demo process valid against the OCDS 1.1.5 schemas in ../shared/ocds,
ocids stable across runs, paging with links, the record of one process, and nothing the council
does not publish."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from gateways.models import ProcurementProject

pytestmark = pytest.mark.django_db

SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


def validator(ocds_dir: Path, name: str):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {
        file: json.loads((ocds_dir / file).read_text())
        for file in (
            "release-schema.json",
            "release-package-schema.json",
            "record-package-schema.json",
        )
    }
    registry = Registry().with_resources(
        (SCHEMA_URL + file, Resource.from_contents(schema, default_specification=DRAFT4))
        for file, schema in schemas.items()
    )
    return Draft4Validator(schemas[name], registry=registry)


def problems(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=150, stdout=io.StringIO())


def all_releases(client) -> list[dict]:
    releases, url = [], reverse("opendata:releases")
    while url:
        package = client.get(url).json()
        releases += package["releases"]
        url = package.get("links", {}).get("next")
    return releases


def test_every_demo_process_is_valid_ocds_and_its_ocid_is_stable(client, demo, ocds_dir):
    packages = validator(ocds_dir, "release-package-schema.json")
    first = client.get(reverse("opendata:releases"))
    assert first["Content-Type"] == "application/json"
    assert problems(packages, first.json()) == []
    releases = all_releases(client)
    projects = set(ProcurementProject.objects.values_list("reference", flat=True))
    published = set(
        Contract.objects.filter(whole_life_value__gt=5000).values_list("reference", flat=True)
    )
    assert {r["ocid"] for r in releases} == {
        f"{settings.OCDS_PREFIX}-{ref}" for ref in projects | published
    }
    assert len({r["ocid"] for r in releases}) == len(releases)
    again = all_releases(client)
    assert [(r["ocid"], r["id"]) for r in again] == [(r["ocid"], r["id"]) for r in releases]
    tags = {tag for r in releases for tag in r["tag"]}
    assert {"planning", "tender", "award", "contract", "implementation"} <= tags


def test_a_page_links_to_the_next_and_a_bad_page_is_refused(client, demo, ocds_dir):
    first = client.get(reverse("opendata:releases")).json()
    assert len(first["releases"]) == 100
    assert first["links"]["next"].endswith("/open-data/ocds/releases.json?page=2")
    second = client.get(first["links"]["next"]).json()
    assert second["links"]["prev"].endswith("?page=1")
    assert problems(validator(ocds_dir, "release-package-schema.json"), second) == []
    missing = client.get(reverse("opendata:releases"), {"page": "999"})
    assert missing.status_code == 404
    assert "There is no such page" in missing.json()["detail"]


def test_the_record_of_a_process_and_what_is_published_of_it(client, demo, ocds_dir):
    contract = (
        Contract.objects.filter(whole_life_value__gt=5000)
        .exclude(supplier__companies_house_number="")
        .order_by("pk")
        .first()
    )
    assert contract is not None
    ocid = f"{settings.OCDS_PREFIX}-{contract.reference}"
    response = client.get(reverse("opendata:record", args=[ocid]))
    package = response.json()
    assert problems(validator(ocds_dir, "record-package-schema.json"), package) == []
    release = package["records"][0]["compiledRelease"]
    assert release["ocid"] == ocid
    buyer = next(p for p in release["parties"] if "buyer" in p["roles"])
    assert buyer["contactPoint"] == {
        "name": "Procurement team",
        "email": settings.PROCUREMENT_MAILBOX,
    }
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["details"]["scale"] in {"sme", "large"}
    assert supplier["id"] == f"GB-COH-{contract.supplier.companies_house_number}"
    text = json.dumps(package)
    for person in (contract.contract_manager, contract.lead_director):
        if person is not None:
            assert person.email not in text
            assert person.last_name not in text
    period = release["contracts"][0]["period"]
    assert period["maxExtentDate"] >= period["endDate"]
    assert client.get(reverse("opendata:record", args=["ocds-other-X"])).status_code == 404
    small = ContractFactory(reference="SMALL-1", whole_life_value=Decimal("5000.00"))
    hidden = f"{settings.OCDS_PREFIX}-{small.reference}"
    assert client.get(reverse("opendata:record", args=[hidden])).status_code == 404
