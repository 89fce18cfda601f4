"""Any reference a council uses, and lots under one reference: the ocid written from it is
URL-safe and names one process, its record is found at its address, every address the open data
gives resolves, and the lots of a reference are one process."""

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from contracts.tests.factories import (
    ContractFactory,
    ContractOverFiftyThousandFactory,
    SupplierFactory,
)
from gateways.tests.factories import ProjectFactory
from opendata.ocds import ocid_for, reference_for

from .ocds_schema import package_problems

AWKWARD = [
    "CR24/0001 A",
    "ASC (2019) 14",
    "HSG/REP/07",
    "Parks & Open Spaces #3",
    "Gwasanaethau Cymraeg \N{EN DASH} Ŵyl 2025",
    "A/../B",
    "..",
    ".",
    "v1.2_final",
    "100% ~ 50?",
    "%2F",
]
# What an ocid may hold: a URI's unreserved characters, so it needs no escaping in an address,
# a file name or a spreadsheet, and has no "#" (which a release id may not contain).
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


def ocid_ok(ocid: str) -> bool:
    prefix = f"{settings.OCDS_PREFIX}-"
    return ocid.startswith(prefix) and bool(URL_SAFE.match(ocid.removeprefix(prefix)))


class TestTheOcid:
    @pytest.mark.parametrize("reference", AWKWARD)
    def test_an_awkward_reference_makes_a_url_safe_ocid_that_gives_it_back(self, reference):
        ocid = ocid_for(reference)
        assert ocid_ok(ocid)
        assert reference_for(ocid) == reference

    @given(st.text(min_size=1, max_size=50))
    def test_any_reference_makes_a_url_safe_ocid_that_gives_it_back(self, reference):
        ocid = ocid_for(reference)
        assert ocid_ok(ocid)
        assert reference_for(ocid) == reference

    @given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
    def test_two_references_never_share_an_ocid(self, one, other):
        assert (ocid_for(one) == ocid_for(other)) == (one == other)

    @pytest.mark.parametrize("reference", ["CR-0001", "ASC2019", "2024-17", "ASC.2019_14"])
    def test_an_ocid_already_published_for_a_plain_reference_is_unchanged(self, reference):
        assert ocid_for(reference) == f"{settings.OCDS_PREFIX}-{reference}"

    @pytest.mark.parametrize(
        "rest", ["~41", "A~2f", "A B", "A~2", "~C3", "~FF", "~C3~28", "CR24/0001"]
    )
    def test_an_identifier_the_scheme_never_writes_names_no_process(self, rest):
        assert reference_for(f"{settings.OCDS_PREFIX}-{rest}") is None

    def test_another_publishers_ocid_names_no_process(self):
        assert reference_for("ocds-zzzzzz-CR-0001") is None


# A procurement officers published on the forward plan, over the figure it publishes from.
MADE_PUBLIC = {"estimated_value": Decimal("250000"), "on_public_forward_plan": True}


def published(reference: str, **fields):
    return ContractOverFiftyThousandFactory(reference=reference, **fields)


def json_addresses(document) -> list[str]:
    if isinstance(document, dict):
        return [found for value in document.values() for found in json_addresses(value)]
    if isinstance(document, list):
        return [found for value in document for found in json_addresses(value)]
    if isinstance(document, str) and document.startswith("http://testserver/"):
        return [document]
    return []


@pytest.mark.django_db
class TestTheRecordPage:
    @pytest.mark.parametrize("reference", AWKWARD)
    def test_the_record_of_an_awkward_reference_is_found(self, client, reference, ocds_dir):
        contract = published(reference)
        ocid = ocid_for(reference)
        url = reverse("opendata:record", args=[ocid])
        assert url == f"/open-data/ocds/records/{ocid}.json"
        response = client.get(url)
        assert response.status_code == 200
        package = response.json()
        assert package_problems(ocds_dir, package) == []
        release = package["records"][0]["compiledRelease"]
        assert release["ocid"] == ocid
        assert "#" not in release["id"]
        assert release["contracts"][0]["title"] == contract.title
        for address in json_addresses(package):
            assert client.get(address).status_code == 200, address

    def test_a_procurement_with_an_awkward_reference_has_its_record(self, client):
        ProjectFactory(reference="ASC (2019) 14", **MADE_PUBLIC)
        response = client.get(reverse("opendata:record", args=[ocid_for("ASC (2019) 14")]))
        assert response.status_code == 200
        assert response.json()["records"][0]["ocid"] == ocid_for("ASC (2019) 14")

    def test_an_ocid_written_before_with_a_space_is_sent_on_to_its_new_ocid(self, client):
        published("ASC (2019) 14")
        former = quote(f"{settings.OCDS_PREFIX}-ASC (2019) 14")
        response = client.get(f"/open-data/ocds/records/{former}.json")
        assert response.status_code == 301
        assert response["Location"] == reverse("opendata:record", args=[ocid_for("ASC (2019) 14")])

    def test_an_ocid_of_nothing_published_is_not_found(self, client):
        published("CR24/0001 A")
        for ocid in (
            ocid_for("CR24/0001 B"),
            f"{settings.OCDS_PREFIX}-CR24~2f0001~20A",  # not as the scheme writes it
            "ocds-zzzzzz-CR24~2F0001~20A",
            f"{settings.OCDS_PREFIX}-CR24\x00",
        ):
            assert client.get(reverse("opendata:record", args=[ocid])).status_code == 404
        small = ContractFactory(reference="SMALL (1)", whole_life_value=Decimal("5000.00"))
        hidden = reverse("opendata:record", args=[ocid_for(small.reference)])
        assert client.get(hidden).status_code == 404

    def test_every_address_the_releases_give_resolves(self, client, ocds_dir):
        for reference in AWKWARD:
            published(reference)
        ProjectFactory(reference="HSG/REP/07", **MADE_PUBLIC)
        ProjectFactory(reference="Ŵyl & Co (2026)", **MADE_PUBLIC)
        url, ocids = reverse("opendata:releases"), []
        while url:
            package = client.get(url).json()
            assert package_problems(ocds_dir, package) == []
            for release in package["releases"]:
                assert ocid_ok(release["ocid"])
                record = client.get(reverse("opendata:record", args=[release["ocid"]]))
                assert record.status_code == 200
                assert record.json()["records"][0]["ocid"] == release["ocid"]
                ocids.append(release["ocid"])
            for address in json_addresses(package):
                assert client.get(address).status_code == 200, address
            url = package.get("links", {}).get("next")
        # HSG/REP/07 is a procurement made public and a contract: a planning and an award release.
        assert sorted(set(ocids)) == sorted(
            ocid_for(r) for r in {*AWKWARD, "HSG/REP/07", "Ŵyl & Co (2026)"}
        )
        assert len(ocids) == len(set(ocids)) + 1


@pytest.mark.django_db
class TestLots:
    def test_two_lots_under_one_reference_are_one_process(self, client, ocds_dir):
        first = published("HSG/REP/07", lot="Lot 1", supplier=SupplierFactory(name="Alpha Ltd"))
        second = published("HSG/REP/07", lot="Lot 2", supplier=SupplierFactory(name="Beta Ltd"))
        releases = client.get(reverse("opendata:releases")).json()["releases"]
        assert [r["ocid"] for r in releases] == [ocid_for("HSG/REP/07")]
        package = client.get(reverse("opendata:record", args=[ocid_for("HSG/REP/07")])).json()
        assert package_problems(ocds_dir, package) == []
        (record,) = package["records"]
        release = record["compiledRelease"]
        ocid = release["ocid"]
        contracts, awards = release["contracts"], release["awards"]
        assert [c["id"] for c in contracts] == [
            f"{ocid}-contract-lot-Lot~201",
            f"{ocid}-contract-lot-Lot~202",
        ]
        assert [c["title"] for c in contracts] == [
            f"{first.title} (Lot 1)",
            f"{second.title} (Lot 2)",
        ]
        assert len({a["id"] for a in awards}) == len(awards) == 2
        assert [c["awardID"] for c in contracts] == [a["id"] for a in awards]
        assert [a["suppliers"][0]["name"] for a in awards] == ["Alpha Ltd", "Beta Ltd"]
        suppliers = {p["name"] for p in release["parties"] if "supplier" in p["roles"]}
        assert suppliers == {"Alpha Ltd", "Beta Ltd"}

    def test_a_contract_with_no_lot_keeps_the_ids_it_had(self, client):
        published("CR-0001")
        release = client.get(reverse("opendata:record", args=[ocid_for("CR-0001")])).json()[
            "records"
        ][0]["compiledRelease"]
        ocid = f"{settings.OCDS_PREFIX}-CR-0001"
        assert [c["id"] for c in release["contracts"]] == [f"{ocid}-contract"]
        assert [a["id"] for a in release["awards"]] == [f"{ocid}-award"]
        assert release["contracts"][0]["awardID"] == f"{ocid}-award"

    def test_a_lot_named_like_a_report_number_does_not_take_its_award_id(self, client):
        published("CR-0002", lot="17")
        published("CR-0002")
        release = client.get(reverse("opendata:record", args=[ocid_for("CR-0002")])).json()[
            "records"
        ][0]["compiledRelease"]
        ids = [a["id"] for a in release["awards"]] + [c["id"] for c in release["contracts"]]
        assert len(set(ids)) == 4
        assert not any(i.endswith("-award-17") for i in ids)
