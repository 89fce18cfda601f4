"""The forward plan: projects by quarter, contracts to re-procure, the project's gateways."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractOverFiftyThousandFactory
from gateways.models import GatewayReview, ProcurementProject
from gateways.tests.factories import ProjectFactory
from procurement.dates import financial_quarter
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 1), (2026, 1)),
        (date(2026, 6, 30), (2026, 1)),
        (date(2026, 10, 1), (2026, 3)),
        (date(2027, 1, 1), (2026, 4)),
        (date(2027, 3, 31), (2026, 4)),
    ],
)
def test_financial_quarters(day, expected):
    assert financial_quarter(day) == expected


def test_the_plan_groups_by_quarter_and_lists_contracts_to_reprocure(client, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    ProjectFactory(title="Home care", planned_start_date=date(2027, 4, 1))
    ProjectFactory(title="Fleet", planned_start_date=None)
    soon = timezone.localdate() + timedelta(days=60)
    waiting = ContractOverFiftyThousandFactory(title="Meals on wheels", end_date=soon)
    planned = ContractOverFiftyThousandFactory(title="Day centres", end_date=soon)
    ProjectFactory(replaces=planned)
    response = client.get(reverse("gateways:forward_plan"))
    quarters = response.context["quarters"]
    assert [p.title for p in quarters["Quarter 1 2027/28 (April to June 2027)"]] == ["Home care"]
    assert "Fleet" in [p.title for p in quarters["Start not yet planned"]]
    assert [c.pk for c in response.context["to_reprocure"]] == [waiting.pk]


def test_starting_a_reprocurement_from_an_expiring_contract(client, make_user):
    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractOverFiftyThousandFactory(
        title="Meals on wheels", end_date=timezone.localdate() + timedelta(days=60)
    )
    client.force_login(partner)
    form = client.get(f"{reverse('gateways:project_create')}?replaces={contract.pk}").context[
        "form"
    ]
    assert form.initial["title"] == "Re-procurement of Meals on wheels"
    assert form.initial["replaces"] == contract.pk
    assert form.initial["estimated_value"] == Decimal("250000.00")
    data = {
        "reference": "PP-2026-001",
        "title": "Re-procurement of Meals on wheels",
        "directorate": contract.directorate_id,
        "estimated_value": "£300,000",
        "replaces": contract.pk,
        "lead_officer": partner.pk,
        "change_reason": "Contract ends soon",
    }
    response = client.post(reverse("gateways:project_create"), data)
    assert response.status_code == 302
    project = ProcurementProject.objects.get(reference="PP-2026-001")
    assert (project.replaces, project.estimated_value) == (contract, Decimal("300000.00"))
    assert project.history.get().history_user == partner
    plan = client.get(reverse("gateways:forward_plan")).context
    assert list(plan["to_reprocure"]) == []


def test_the_project_page_lists_its_gateways_and_starts_a_report(client, make_user):
    directorate = DirectorateFactory()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=directorate)
    project = ProjectFactory(directorate=directorate, is_high_value_or_complex=True)
    client.force_login(officer)
    gateways = client.get(reverse("gateways:project", args=[project.pk])).context["gateways"]
    assert [g["stage"] for g in gateways] == ["G0", "G1", "G2"]
    assert all(g["review"] is None for g in gateways)
    url = reverse("gateways:start_report", args=[project.pk])
    missing = client.post(url, {"stage": "G0"})
    assert "Say what the report asks the approvers to decide" in missing.content.decode()
    response = client.post(url, {"stage": "G0", "summary": "Options: in-house, external, shared."})
    review = GatewayReview.objects.get()
    assert response["Location"] == reverse("gateways:report", args=[review.pk])
    assert (review.author, review.state) == (officer, GatewayReview.State.DRAFT)
    again = client.post(url, {"stage": "G0", "summary": "Again"})
    assert "already open" in again.content.decode()


def test_who_may_plan(client, make_user):
    project = ProjectFactory()
    client.force_login(make_user(Role.LEAD_MEMBER))
    assert client.get(reverse("gateways:forward_plan")).status_code == 200
    assert client.get(reverse("gateways:project_create")).status_code == 403
    assert client.get(reverse("gateways:start_report", args=[project.pk])).status_code == 403
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    assert client.get(reverse("gateways:project_edit", args=[project.pk])).status_code == 403


def test_proposing_an_extension_from_the_plan_starts_a_gateway_3_report(client, make_user):
    from contracts.tests.factories import ContractWithOptionsFactory

    partner = make_user(Role.BUSINESS_PARTNER)
    contract = ContractWithOptionsFactory(end_date=timezone.localdate() + timedelta(days=60))
    client.force_login(partner)
    page = client.get(reverse("gateways:forward_plan")).content.decode()
    assert "propose an extension (Gateway 3)" in page
    response = client.post(reverse("gateways:propose_extension", args=[contract.pk]))
    review = GatewayReview.objects.get()
    assert response["Location"] == reverse("gateways:report", args=[review.pk])
    assert (review.stage, review.is_extension, review.contract) == ("G3", True, contract)
    form = client.get(response["Location"]).context["form"]
    assert "performance_evidence" in form.fields
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    assert client.post(reverse("gateways:propose_extension", args=[contract.pk])).status_code == 403


def test_the_plan_filters_by_directorate_and_category(client, make_user):
    from procurement.models import ContractCategory

    care = ContractCategory.objects.get(name="Care and support services")
    works = ContractCategory.objects.get(name="Works and construction")
    ProjectFactory(title="Home care", category=care)
    roofing = ProjectFactory(title="Roofing", category=works)
    client.force_login(make_user(Role.AUDITOR))
    plan = client.get(f"{reverse('gateways:forward_plan')}?category={works.pk}").context
    assert [p.title for projects in plan["quarters"].values() for p in projects] == ["Roofing"]
    plan = client.get(
        f"{reverse('gateways:forward_plan')}?directorate={roofing.directorate_id}"
    ).context
    assert [p.title for projects in plan["quarters"].values() for p in projects] == ["Roofing"]


def test_a_key_contract_performance_review_routes_as_gateway_3(make_user):
    from contracts.tests.factories import ContractOverFiftyThousandFactory
    from gateways.services import review_create, review_submit

    partner = make_user(Role.BUSINESS_PARTNER)
    review = review_create(
        author=partner,
        stage="G3",
        summary="Annual review of a key contract",
        contract=ContractOverFiftyThousandFactory(),
    )
    review_submit(review=review, by=partner)
    review.refresh_from_db()
    assert (review.tier_code, review.is_extension) == ("A", False)


def test_contracts_to_reprocure_are_paged_most_urgent_first(client, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    today = timezone.localdate()
    contracts = [
        ContractOverFiftyThousandFactory(end_date=today + timedelta(days=30 + n)) for n in range(12)
    ]
    url = reverse("gateways:forward_plan")
    first = client.get(url)
    assert [c.pk for c in first.context["to_reprocure"]] == [c.pk for c in contracts[:10]]
    html = first.content.decode()
    assert "<strong>12</strong>, the most urgent first" in html
    assert 'href="?page=2#retender"' in html
    second = client.get(url, {"page": "2"})
    assert [c.pk for c in second.context["to_reprocure"]] == [c.pk for c in contracts[10:]]
