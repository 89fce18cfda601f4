"""OCDS publication: every demo process valid against the OCDS 1.1.5 schemas with the extensions
each package declares, and every codelist value in its codelist; ocids and release ids stable
across runs; paging with links; the record of one process with a compiled release of its own;
what Find a Tender publishes (the buyer's identifier and UK classification, suppliers' scale and
VCSE status, values including VAT, thresholds, KPIs, notices); procurements only once officers
made them public; and nothing the council does not publish."""

import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractFactory, SupplierFactory
from gateways.selectors import projects_made_public
from gateways.tests.factories import ProjectFactory
from opendata.models import Notice
from opendata.ocds import EXTENSIONS, ocid_for
from performance.tests.factories import KpiFactory
from procurement.models import ContractCategory, CpvCode, Threshold
from procurement.tests.factories import UserFactory
from procurement.thresholds import forward_plan_publish_above, value_band

from .ocds_schema import package_problems

pytestmark = pytest.mark.django_db
fromisoformat = datetime.fromisoformat


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=150, stdout=io.StringIO())


def all_packages(client) -> list[dict]:
    packages, url = [], reverse("opendata:releases")
    while url:
        packages.append(client.get(url).json())
        url = packages[-1].get("links", {}).get("next")
    return packages


def record(client, reference: str) -> dict:
    response = client.get(reverse("opendata:record", args=[ocid_for(reference)]))
    assert response.status_code == 200, response.content
    return response.json()


def test_every_demo_process_is_valid_ocds_and_its_ids_are_stable(client, demo, ocds_dir):
    packages = all_packages(client)
    assert client.get(reverse("opendata:releases"))["Content-Type"] == "application/json"
    for package in packages:
        assert package["extensions"] == list(EXTENSIONS)
        assert package_problems(ocds_dir, package) == []
        for release in package["releases"]:
            dated, published = release["date"], package["publishedDate"]
            assert fromisoformat(dated) <= fromisoformat(published), release["id"]
    releases = [release for package in packages for release in package["releases"]]
    today = timezone.localdate()
    public = set(projects_made_public(today=today).values_list("reference", flat=True))
    published = set(
        Contract.objects.filter(whole_life_value__gt=5000).values_list("reference", flat=True)
    )
    assert {r["ocid"] for r in releases} == {ocid_for(ref) for ref in public | published}
    assert len({(r["ocid"], r["id"]) for r in releases}) == len(releases)
    again = [release for package in all_packages(client) for release in package["releases"]]
    assert [(r["ocid"], r["id"]) for r in again] == [(r["ocid"], r["id"]) for r in releases]
    tags = {tag for r in releases for tag in r["tag"]}
    assert {"planning", "tender", "award", "contract", "implementation"} <= tags


def test_a_page_links_to_the_next_and_a_bad_page_is_refused(client, demo, ocds_dir):
    first = client.get(reverse("opendata:releases")).json()
    assert len({release["ocid"] for release in first["releases"]}) == 100
    assert first["links"]["next"].endswith("/open-data/ocds/releases.json?page=2")
    second = client.get(first["links"]["next"]).json()
    assert second["links"]["prev"].endswith("?page=1")
    assert package_problems(ocds_dir, second) == []
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
    package = record(client, contract.reference)
    assert package_problems(ocds_dir, package) == []
    assert package["publisher"] == {
        "name": settings.COUNCIL_NAME,
        "scheme": "GB-PPON",
        "uid": settings.COUNCIL_ID,
    }
    (the_record,) = package["records"]
    release = the_record["compiledRelease"]
    assert release["ocid"] == ocid_for(contract.reference)
    assert release["tag"] == ["compiled"]
    assert release["id"] not in {each["id"] for each in the_record["releases"]}
    buyer = next(p for p in release["parties"] if "buyer" in p["roles"])
    assert buyer["id"] == f"GB-PPON-{settings.COUNCIL_ID}" == release["buyer"]["id"]
    assert buyer["identifier"]["scheme"] == "GB-PPON"
    assert buyer["address"]["postalCode"] == settings.COUNCIL_ADDRESS["postalCode"]
    assert buyer["details"]["classifications"][0]["id"] == "publicAuthoritySubCentralGovernment"
    assert buyer["contactPoint"] == {
        "name": "Procurement team",
        "email": settings.PROCUREMENT_MAILBOX,
    }
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["details"]["scale"] in {"sme", "large"}
    assert supplier["details"]["vcse"] is contract.supplier.is_vcse
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


def test_a_contract_says_its_value_with_vat_its_threshold_signing_and_category(client, ocds_dir):
    """Works at exactly the works threshold including VAT is above it ("not less than")."""
    works = ContractCategory.objects.create(
        name="Highways works",
        quality_weight=60,
        price_weight=30,
        social_value_weight=10,
        threshold_kind=Threshold.Kind.WORKS,
    )
    threshold = Threshold.objects.filter(kind=Threshold.Kind.WORKS).latest("effective_from")
    contract = ContractFactory(
        reference="HW-1",
        category=works,
        whole_life_value=threshold.value_including_vat - Decimal("1000.00"),
        vat=Decimal("1000.00"),
        procurement_began_on=threshold.effective_from,
        signed_on=threshold.effective_from + timedelta(days=3),
        supplier=SupplierFactory(is_vcse=True, is_sme=True),
    )
    package = record(client, "HW-1")
    assert package_problems(ocds_dir, package) == []
    release = package["records"][0]["compiledRelease"]
    section = release["contracts"][0]
    assert section["value"] == {
        "amount": float(contract.whole_life_value),
        "amountGross": float(threshold.value_including_vat),
        "currency": "GBP",
    }
    assert section["aboveThreshold"] is True
    assert section["dateSigned"].startswith(contract.signed_on.isoformat())
    assert release["tender"]["mainProcurementCategory"] == "works"
    assert release["tender"]["aboveThreshold"] is True
    supplier = next(p for p in release["parties"] if "supplier" in p["roles"])
    assert supplier["details"] == {"scale": "sme", "vcse": True}
    contract.vat = Decimal("999.99")
    contract.save()
    release = record(client, "HW-1")["records"][0]["compiledRelease"]
    assert release["contracts"][0]["aboveThreshold"] is False
    assert "dateSigned" in release["contracts"][0]


def test_kpis_are_published_for_a_contract_over_five_million_only(client, ocds_dir):
    big = ContractFactory(reference="BIG-1", whole_life_value=Decimal("4200000.00"), vat=None)
    KpiFactory(contract=big, name="Visits on time", unit="%", target=Decimal("95"))
    small = ContractFactory(reference="SMALL-2", whole_life_value=Decimal("4000000.00"), vat=0)
    KpiFactory(contract=small)
    package = record(client, "BIG-1")
    assert package_problems(ocds_dir, package) == []
    (metric,) = package["records"][0]["compiledRelease"]["contracts"][0]["agreedMetrics"]
    assert metric["title"] == "Visits on time"
    assert metric["observations"] == [{"id": "target", "measure": 95.0, "unit": {"name": "%"}}]
    small_release = record(client, "SMALL-2")["records"][0]["compiledRelease"]
    assert "agreedMetrics" not in small_release["contracts"][0]


def test_a_notice_recorded_is_a_document_with_its_notice_type(client, ocds_dir):
    contract = ContractFactory(reference="CD-1", whole_life_value=Decimal("90000.00"))
    Notice.objects.create(
        kind=Notice.Kind.CONTRACT_DETAILS,
        item_key=f"contract_details:{contract.pk}",
        notice_id="012345-2026",
        published_on=date(2026, 3, 2),
        recorded_by=UserFactory(),
        contract=contract,
    )
    package = record(client, "CD-1")
    assert package_problems(ocds_dir, package) == []
    (document,) = package["records"][0]["compiledRelease"]["contracts"][0]["documents"]
    assert document["noticeType"] == "UK7"
    assert document["documentType"] == "contractNotice"
    assert document["url"] == "https://www.find-tender.service.gov.uk/Notice/012345-2026"


class TestTheForwardPlanAsOpenData:
    def test_a_procurement_officers_made_public_has_a_planning_release(self, client, ocds_dir):
        project = ProjectFactory(
            reference="FP-1",
            estimated_value=Decimal("250000.00"),
            on_public_forward_plan=True,
            planned_start_date=timezone.localdate() + timedelta(days=900),
        )
        package = record(client, "FP-1")
        assert package_problems(ocds_dir, package) == []
        (release,) = package["records"][0]["releases"]
        assert release["tag"] == ["planning"]
        assert release["tender"]["status"] == "planned"
        # The public forward plan's band, never the estimate.
        band = value_band(project.estimated_value, above=forward_plan_publish_above())
        assert release["planning"]["budget"] == {"description": f"Estimated value: {band}"}
        assert "value" not in release["tender"]
        assert "250000" not in json.dumps(package)
        assert fromisoformat(release["date"]) <= fromisoformat(package["publishedDate"])
        assert project.title == release["tender"]["title"]
        releases = client.get(reverse("opendata:releases")).json()["releases"]
        assert [r["ocid"] for r in releases] == [ocid_for("FP-1")]

    @pytest.mark.parametrize(
        "fields",
        [
            {"on_public_forward_plan": False},
            {"on_public_forward_plan": True, "estimated_value": Decimal("100000.00")},
            {"on_public_forward_plan": True, "public_from": timedelta(days=2)},
        ],
        ids=["not published", "not over the figure", "from a day to come"],
    )
    def test_a_procurement_not_made_public_is_not_in_the_open_data(self, client, fields):
        if "public_from" in fields:
            fields = fields | {"public_from": timezone.localdate() + fields["public_from"]}
        ProjectFactory(reference="FP-2", **{"estimated_value": Decimal("250000.00"), **fields})
        assert client.get(reverse("opendata:releases")).json()["releases"] == []
        missing = client.get(reverse("opendata:record", args=[ocid_for("FP-2")]))
        assert missing.status_code == 404


def test_the_check_finds_a_code_not_in_its_codelist_and_a_field_against_its_extension(
    client, ocds_dir
):
    ContractFactory(reference="CK-1", whole_life_value=Decimal("90000.00"))
    package = record(client, "CK-1")
    assert package_problems(ocds_dir, package) == []
    release = package["records"][0]["compiledRelease"]
    release["contracts"][0]["documents"] = [{"id": "1", "documentType": "madeUpNotice"}]
    next(p for p in release["parties"] if "supplier" in p["roles"])["details"]["scale"] = "huge"
    found = package_problems(ocds_dir, package)
    assert any("'madeUpNotice' is not in documentType.csv" in problem for problem in found)
    assert any("'huge' is not one of" in problem for problem in found)


def test_the_releases_page_reads_a_fixed_number_of_queries(client):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("opendata:releases")).status_code == 200
        return len(queries)

    CpvCode.objects.create(code="90910000-9", description="Cleaning services")
    ContractFactory(reference="Q-0", whole_life_value=Decimal("90000.00"), cpv_code="90910000-9")
    ProjectFactory(reference="Q-P0", estimated_value=Decimal("250000"), on_public_forward_plan=True)
    few = count()
    for n in range(1, 6):
        contract = ContractFactory(
            reference=f"Q-{n}", whole_life_value=Decimal("6000000.00"), cpv_code="90910000-9"
        )
        KpiFactory(contract=contract)
        ProjectFactory(
            reference=f"Q-P{n}", estimated_value=Decimal("250000"), on_public_forward_plan=True
        )
    assert count() == few


@pytest.mark.parametrize(
    ("code", "description", "category"),
    [
        ("90910000-9", "Cleaning services", "services"),
        ("45000000-7", "Construction work", "works"),
        ("30200000-1", "Computer equipment and supplies", "goods"),
        ("48000000-8", "Software package and information systems", "goods"),
    ],
)
def test_what_is_bought_is_classified_by_its_cpv_code(
    client, ocds_dir, code, description, category
):
    CpvCode.objects.create(code=code, description=description)
    ContractFactory(reference="CPV-1", whole_life_value=Decimal("90000.00"), cpv_code=code)
    package = record(client, "CPV-1")
    assert package_problems(ocds_dir, package) == []
    release = package["records"][0]["compiledRelease"]
    (item,) = release["contracts"][0]["items"]
    assert item["classification"] == {"scheme": "CPV", "id": code[:8], "description": description}
    assert release["tender"]["items"][0]["classification"]["id"] == code[:8]
    assert release["tender"]["mainProcurementCategory"] == category


def test_a_procurement_made_public_after_its_award_compiles_to_its_award(client, ocds_dir):
    """Its planning release may be dated after its award release; the compiled release is still
    the award's, with the contracts."""
    ContractFactory(reference="LATE-1", whole_life_value=Decimal("300000.00"))
    ProjectFactory(
        reference="LATE-1", estimated_value=Decimal("250000"), on_public_forward_plan=True
    )
    package = record(client, "LATE-1")
    assert package_problems(ocds_dir, package) == []
    (the_record,) = package["records"]
    assert sorted(r["tag"][0] for r in the_record["releases"]) == ["award", "planning"]
    assert the_record["compiledRelease"]["contracts"][0]["value"]["amount"] == 300000.0


@pytest.mark.parametrize(
    ("end_date", "end", "max_extent"),
    [
        (date(2027, 1, 31), "2027-01-31T23:59:59+00:00", "2029-01-31T23:59:59+00:00"),
        (date(2027, 7, 31), "2027-07-31T23:59:59+01:00", "2029-07-31T23:59:59+01:00"),
    ],
    ids=["winter", "summer"],
)
def test_a_contract_period_ends_at_the_end_of_its_last_day_in_london(
    client, ocds_dir, end_date, end, max_extent
):
    ContractFactory(
        reference="END-1",
        start_date=date(2025, 2, 1),
        end_date=end_date,
        extension_options=2,
        extension_option_months=12,
    )
    package = record(client, "END-1")
    assert package_problems(ocds_dir, package) == []
    period = package["records"][0]["compiledRelease"]["contracts"][0]["period"]
    assert period == {
        "startDate": "2025-02-01T00:00:00+00:00",
        "endDate": end,
        "maxExtentDate": max_extent,
    }
