"""Who sees what: the supplier's evidence only to the council roles that manage or oversee the
contract, never the public; the pages' forms, refusals and someone else's ids in the URL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.dates import long_date
from procurement.roles import Role
from socialvalue.models import Commitment, DeliveryReturn, quarter_end, quarter_start
from socialvalue.services import commitment_add, quarters_open, return_record

from .factories import library, running_contract

pytestmark = pytest.mark.django_db
EVIDENCE = "Timesheets signed by Northmere Food Bank"


@pytest.fixture
def setup(make_user):
    contract = running_contract()
    [measure] = library().measures.all()
    officer = make_user(Role.PROCUREMENT_OFFICER, directorate=contract.directorate)
    commitment = commitment_add(
        contract=contract,
        measure=measure,
        quantity=Decimal(100),
        target_date=contract.end_date,
        by=officer,
    )
    delivery_return = return_record(
        commitment=commitment,
        period_start=quarters_open(contract, timezone.localdate())[1],
        quantity=Decimal(12),
        evidence=EVIDENCE,
        upload=SimpleUploadedFile("timesheets.pdf", b"%PDF-1.4 signed"),
        by=officer,
    )
    return {
        "contract": contract,
        "commitment": commitment,
        "return": delivery_return,
        "officer": officer,
    }


def urls(setup):
    contract, delivery_return = setup["contract"], setup["return"]
    return {
        "plan": reverse("socialvalue:contract", args=[contract.pk]),
        "return": reverse("socialvalue:return", args=[contract.pk, delivery_return.pk]),
        "evidence": reverse("socialvalue:evidence", args=[contract.pk, delivery_return.pk]),
    }


def test_the_public_sees_nothing(client, setup):
    for url in urls(setup).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert EVIDENCE not in client.get(reverse("register:public")).content.decode()


def test_a_user_without_a_role_is_refused(client, setup, make_user):
    client.force_login(make_user())
    for url in urls(setup).values():
        assert client.get(url).status_code == 403


def test_lead_members_see_the_figures_but_not_the_suppliers_evidence(client, setup, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    pages = urls(setup)
    plan = client.get(pages["plan"]).content.decode()
    assert "12 hours" in plan
    assert EVIDENCE not in plan
    assert pages["return"] not in plan
    assert client.get(pages["return"]).status_code == 403
    assert client.get(pages["evidence"]).status_code == 403


@pytest.mark.parametrize("who", ["manager", "director", "auditor", "officer"])
def test_those_who_manage_or_oversee_the_contract_see_the_evidence(client, setup, make_user, who):
    contract = setup["contract"]
    user = {
        "manager": contract.contract_manager,
        "director": contract.lead_director,
        "auditor": make_user(Role.AUDITOR),
        "officer": setup["officer"],
    }[who]
    client.force_login(user)
    pages = urls(setup)
    assert EVIDENCE in client.get(pages["return"]).content.decode()
    download = client.get(pages["evidence"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"


def test_an_officer_of_another_directorate_does_not_see_the_evidence(client, setup, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    assert client.get(urls(setup)["return"]).status_code == 403


def test_another_contracts_return_in_the_url_is_not_found(client, setup):
    client.force_login(setup["contract"].contract_manager)
    other = running_contract()
    wrong = reverse("socialvalue:return", args=[other.pk, setup["return"].pk])
    assert client.get(wrong).status_code == 404
    wrong = reverse("socialvalue:return_create", args=[other.pk, setup["commitment"].pk])
    assert client.get(wrong).status_code == 404


def test_the_contract_manager_verifies_from_the_return_page(client, setup):
    contract = setup["contract"]
    client.force_login(contract.contract_manager)
    page = client.get(urls(setup)["return"]).content.decode()
    assert "Verify the return" in page
    verify = reverse("socialvalue:return_verify", args=[contract.pk, setup["return"].pk])
    assert client.get(verify).status_code == 405
    client.post(verify)
    setup["return"].refresh_from_db()
    assert setup["return"].status == DeliveryReturn.Status.VERIFIED


def test_the_recorder_is_told_someone_else_checks_it(client, setup):
    client.force_login(setup["officer"])
    page = client.get(urls(setup)["return"]).content.decode()
    assert "Verify the return" not in page
    assert "You recorded this return" in page
    verify = reverse("socialvalue:return_verify", args=[setup["contract"].pk, setup["return"].pk])
    assert client.post(verify).status_code == 403


def test_a_return_form_with_mistakes_shows_an_error_summary_and_saves_nothing(client, setup):
    contract, commitment = setup["contract"], setup["commitment"]
    client.force_login(setup["officer"])
    url = reverse("socialvalue:return_create", args=[contract.pk, commitment.pk])
    response = client.post(url, {"period": "", "quantity": "lots", "evidence": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    for message in (
        "Choose the quarter the return is for",
        "Enter a number, like 120, 12.5 or 35,000",
        "Describe the evidence of what was delivered",
    ):
        assert message in page
    taken = setup["return"].period_start.isoformat()
    page = client.post(url, {"period": taken, "quantity": "3", "evidence": "More"}).content
    assert "is already recorded" in page.decode()
    assert DeliveryReturn.objects.count() == 1


def test_a_return_for_the_current_quarter_is_refused_with_an_error_summary(client, setup):
    contract, commitment = setup["contract"], setup["commitment"]
    client.force_login(setup["officer"])
    url = reverse("socialvalue:return_create", args=[contract.pk, commitment.pk])
    current = quarter_start(timezone.localdate())
    response = client.post(url, {"period": current.isoformat(), "quantity": "3", "evidence": "X"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    ends = quarter_end(current)
    assert (
        f"A return for the quarter ending {long_date(ends)} can be recorded from "
        f"{long_date(ends + timedelta(days=1))}, once the quarter has ended."
    ) in page
    assert DeliveryReturn.objects.count() == 1


def test_adding_a_commitment_from_the_page(client, setup):
    contract = setup["contract"]
    client.force_login(contract.contract_manager)
    [measure] = library(name="Other", measures=[("VOL", "hours", None)]).measures.all()
    response = client.post(
        reverse("socialvalue:commitment_create", args=[contract.pk]),
        {
            "measure": measure.pk,
            "quantity": "1,200",
            "target_date_day": "31",
            "target_date_month": "3",
            "target_date_year": str(contract.end_date.year),
            "note": "",
        },
    )
    assert response.status_code == 302
    added = Commitment.objects.get(contract=contract, measure=measure)
    assert added.quantity == 1200
    assert added.source == Commitment.Source.ADDED


def test_a_lead_member_may_not_add_to_the_plan(client, setup, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    url = reverse("socialvalue:commitment_create", args=[setup["contract"].pk])
    assert client.get(url).status_code == 403


def test_the_home_page_asks_the_contract_manager_to_verify(client, setup):
    client.force_login(setup["contract"].contract_manager)
    items = client.get(reverse("procurement:home")).context["attention_items"]
    [item] = [i for i in items if i.title == "Social value returns awaiting your verification"]
    assert item.count == 1
    mine = client.get(reverse("socialvalue:mine")).content.decode()
    assert urls(setup)["return"] in mine


def test_a_filter_that_makes_no_sense_is_explained(client, setup):
    client.force_login(setup["contract"].contract_manager)
    page = client.get(reverse("socialvalue:portfolio"), {"year": "1066", "by": "colour"})
    text = page.content.decode()
    assert "govuk-error-summary" in text
    assert "Choose the financial year from the list" in text


def test_the_plan_page_costs_the_same_queries_for_a_bigger_plan(client, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract = setup["contract"]
    client.force_login(contract.contract_manager)
    url = urls(setup)["plan"]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more = library(name="More", measures=[(f"M{n}", "hours", "2") for n in range(4)])
    quarter = quarters_open(contract, timezone.localdate())[2]
    for measure in more.measures.all():
        commitment = commitment_add(
            contract=contract,
            measure=measure,
            quantity=Decimal(10),
            target_date=contract.end_date,
            by=setup["officer"],
        )
        return_record(
            commitment=commitment,
            period_start=quarter,
            quantity=Decimal(2),
            evidence="More evidence",
            by=setup["officer"],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
