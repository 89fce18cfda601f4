"""What the Procurement Act 2023 asks the council to notify, worked by hand at the limits, and
the Find a Tender notices recorded against it, for any reference and each lot."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from contracts.lead_times import add_months
from contracts.tests.factories import ContractOverFiftyThousandFactory
from gateways.tests.factories import ProjectFactory
from opendata.models import Notice
from opendata.selectors import contract_details_items, notifiable, performance_items
from opendata.services import NoticeError, notice_record
from performance.tests.factories import KpiFactory
from procurement.roles import Role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def refs(items) -> list[str]:
    return [item.reference for item in items]


def test_contract_details_under_the_act_and_kpis_over_5m():
    ContractOverFiftyThousandFactory(
        reference="FIRST-DAY", vat=Decimal("0"), start_date=date(2025, 2, 24)
    )
    ContractOverFiftyThousandFactory(reference="BEFORE", start_date=date(2025, 2, 23))
    large = ContractOverFiftyThousandFactory(
        reference="LARGE", whole_life_value=Decimal("6000000"), start_date=date(2025, 7, 1)
    )
    KpiFactory(contract=large, name="Visits on time")
    KpiFactory(contract=large, name="Complaints answered")
    items = contract_details_items(today=TODAY)
    assert refs(items) == ["FIRST-DAY", "LARGE"]
    assert items[1].detail == (
        "Entered into 1 July 2025; due by 28 October 2025; KPIs: Visits on time; "
        "Complaints answered"
    )
    assert items[1].kpis == ["Visits on time", "Complaints answered"]
    assert items[1].warning == "Over £5m: the notice must name at least 3 KPIs"
    assert items[0].warning == ""


def test_performance_ratings_due_in_the_next_12_months():
    due = ContractOverFiftyThousandFactory(
        reference="DUE",
        whole_life_value=Decimal("6000000"),
        start_date=date(2024, 4, 1),
        end_date=date(2029, 3, 31),
        review_date=date(2027, 6, 1),
    )
    KpiFactory(contract=due)
    later = ContractOverFiftyThousandFactory(
        reference="LATER",
        whole_life_value=Decimal("6000000"),
        start_date=date(2024, 4, 1),
        end_date=date(2029, 3, 31),
        review_date=date(2027, 6, 2),
    )
    KpiFactory(contract=later)
    ContractOverFiftyThousandFactory(  # no KPIs: nothing to rate against
        reference="NO-KPIS",
        whole_life_value=Decimal("6000000"),
        start_date=date(2024, 4, 1),
        end_date=date(2029, 3, 31),
        review_date=date(2026, 9, 1),
    )
    items = performance_items(today=TODAY)
    assert [(i.reference, i.due_on) for i in items] == [("DUE", date(2027, 6, 1))]


def test_a_notice_is_recorded_once_with_its_history(make_user, pipeline_years):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    today = timezone.localdate()
    ProjectFactory(reference="BIG", estimated_value=Decimal("5000000"), planned_start_date=today)
    item = next(i for i in notifiable(today=today) if i.reference == "BIG")
    for notice_id, published, message in (
        ("12345-2025", today, "Enter the notice identifier as Find a Tender shows it"),
        ("012345-2025", today + timedelta(days=1), "cannot have been published in the future"),
    ):
        with pytest.raises(NoticeError, match=message):
            notice_record(item=item, notice_id=notice_id, published_on=published, by=head)
    assert not Notice.objects.exists()
    notice = notice_record(item=item, notice_id="012345-2025", published_on=today, by=head)
    assert notice.history.get().history_change_reason == "Published as 012345-2025"
    assert notice.project.reference == "BIG"
    with pytest.raises(NoticeError, match="already recorded"):
        notice_record(item=item, notice_id="054321-2025", published_on=today, by=head)
    assert next(i for i in notifiable(today=today) if i.reference == "BIG").notice == notice


def test_the_page_and_csv_and_who_may_record(client, make_user, pipeline_years):
    today = timezone.localdate()
    big = ProjectFactory(
        reference="BIG",
        estimated_value=Decimal("5000000"),
        planned_start_date=add_months(today, 3),
    )
    url = reverse("opendata:procurement_act")
    for role, status in ((Role.PROCUREMENT_OFFICER, 403), (Role.LEAD_MEMBER, 403)):
        client.force_login(make_user(role))
        assert client.get(url).status_code == status
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(url).content.decode()
    assert "BIG" in page
    assert "Not yet recorded" in page
    record = reverse("opendata:notice", args=[f"pipeline:{big.pk}"])
    assert client.get(record).status_code == 403
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    bad = client.post(
        record,
        {
            "notice_id": "nope",
            "published_on_day": today.day,
            "published_on_month": today.month,
            "published_on_year": today.year,
        },
    )
    assert "Enter the notice identifier as Find a Tender shows it" in bad.content.decode()
    assert not Notice.objects.exists()
    client.post(
        record,
        {
            "notice_id": "000123-2026",
            "published_on_day": today.day,
            "published_on_month": today.month,
            "published_on_year": today.year,
        },
    )
    assert Notice.objects.get().notice_id == "000123-2026"
    assert "000123-2026" in client.get(url).content.decode()
    csv = b"".join(client.get(reverse("opendata:procurement_act_csv")).streaming_content)
    assert "Pipeline notice,BIG" in csv.decode()
    assert "000123-2026" in csv.decode()
    missing = reverse("opendata:notice", args=[f"pipeline:{big.pk + 1}"])
    assert client.get(missing).status_code == 404


def test_the_csv_cannot_run_a_formula(client, make_user, pipeline_years):
    ProjectFactory(
        reference="SAFE",
        title='=HYPERLINK("http://evil.example")',
        estimated_value=Decimal("5000000"),
        planned_start_date=add_months(timezone.localdate(), 3),
    )
    client.force_login(make_user(Role.AUDITOR))
    csv = b"".join(client.get(reverse("opendata:procurement_act_csv")).streaming_content).decode()
    assert "'=HYPERLINK" in csv


def started_since_the_act(reference: str, **fields):
    return ContractOverFiftyThousandFactory(
        reference=reference,
        start_date=date(2025, 6, 1),
        end_date=timezone.localdate() + timedelta(days=365),
        **fields,
    )


class TestAwkwardReferencesAndLots:
    def test_the_notice_of_an_awkward_reference_is_recorded_from_its_page(self, client, make_user):
        today = timezone.localdate()
        lot = started_since_the_act("CR24/0001 A", lot="Lot 2 (north)")
        other = started_since_the_act("CR24/0001 A", lot="Lot 1")
        client.force_login(make_user(Role.BUSINESS_PARTNER))
        page = client.get(reverse("opendata:procurement_act")).content.decode()
        assert "CR24/0001 A (Lot 2 (north))" in page
        item = next(i for i in notifiable(today=today) if i.contract_id == lot.pk)
        url = reverse("opendata:notice", args=[item.key])
        assert f'href="{url}"' in page
        form = client.get(url)
        assert form.status_code == 200
        assert "CR24/0001 A (Lot 2 (north))" in form.content.decode()
        client.post(
            url,
            {
                "notice_id": "000123-2026",
                "published_on_day": today.day,
                "published_on_month": today.month,
                "published_on_year": today.year,
            },
        )
        notice = Notice.objects.get()
        assert notice.contract == lot
        waiting = [i for i in notifiable(today=today) if i.notice is None]
        assert other.pk in {i.contract_id for i in waiting}
        assert lot.pk not in {i.contract_id for i in waiting}
        assert client.get(url).status_code == 302  # already recorded

    def test_a_notice_recorded_under_its_reference_is_still_found(self, make_user, pipeline_years):
        today = timezone.localdate()
        contract = started_since_the_act("CR24/0001 A")
        project = ProjectFactory(
            reference="BIG (2026)",
            estimated_value=Decimal("5000000"),
            planned_start_date=today,
        )
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        for kind, key, owner in (
            (Notice.Kind.CONTRACT_DETAILS, "contract_details:CR24/0001 A", {"contract": contract}),
            (Notice.Kind.PIPELINE, "pipeline:BIG (2026)", {"project": project}),
        ):
            Notice.objects.create(
                kind=kind,
                item_key=key,
                notice_id="000123-2026",
                published_on=today,
                recorded_by=head,
                **owner,
            )
        migration = importlib.import_module("opendata.migrations.0002_item_keys_by_row")
        migration.keys_by_row(apps, None)
        found = {i.key: i.notice for i in notifiable(today=today)}
        assert found[f"contract_details:{contract.pk}"] is not None
        assert found[f"pipeline:{project.pk}"] is not None
        migration.keys_by_reference(apps, None)
        assert set(Notice.objects.values_list("item_key", flat=True)) == {
            "contract_details:CR24/0001 A",
            "pipeline:BIG (2026)",
        }
