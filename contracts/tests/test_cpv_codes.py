"""A contract's CPV code: entered on its page, imported with the register, shown with its
description, exported, and checked the same way on every path."""

import pytest
from django.urls import reverse

from contracts.forms import ContractRowForm
from contracts.importing import contracts_import, contracts_import_check
from contracts.models import Contract
from contracts.tests.factories import ContractOverFiftyThousandFactory
from contracts.tests.test_import import HEADINGS, csv_file, people, row  # noqa: F401
from contracts.tests.test_pages import form_data
from procurement.models import CpvCode
from procurement.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cpv_list():
    for code, description in (
        ("45000000-7", "Construction work"),
        ("85310000-5", "Social work services"),
        ("03000000-1", "Agricultural, farming, fishing, forestry and related products"),
    ):
        CpvCode.objects.create(code=code, description=description)


def test_the_contract_page_takes_a_code_as_typed_and_shows_it_with_its_description(
    client, make_user
):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    contract = ContractOverFiftyThousandFactory()
    client.force_login(head)
    url = reverse("contracts:edit", args=[contract.pk])
    response = client.post(url, form_data(contract, cpv_code=" 85310000 5 "))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.cpv_code == "85310000-5"
    assert contract.history.first().cpv_code == "85310000-5"
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "85310000-5" in page
    assert "Social work services" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("85310000-4", "The check digit of 85310000 is 5, not 4"),
        ("45999999-1", "45999999-1 is not in the CPV 2008 list"),
        ("853-10000", "is not a CPV code: enter 8 digits, a hyphen and the check digit"),
    ],
)
def test_the_contract_page_refuses_a_bad_code_with_why(client, make_user, typed, message):
    contract = ContractOverFiftyThousandFactory()
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    response = client.post(
        reverse("contracts:edit", args=[contract.pk]), form_data(contract, cpv_code=typed)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    contract.refresh_from_db()
    assert contract.cpv_code == ""


@pytest.mark.parametrize("heading", ["CPV", "CPV code", "Main CPV code", "cpv_code"])
def test_the_register_import_reads_a_cpv_column_however_headed(people, heading):  # noqa: F811
    stream = csv_file(
        [*row("C-1"), "3000000-1"],
        [*row("C-2"), "45000000"],
        [*row("C-3"), ""],
        headings=[*HEADINGS, heading],
    )
    result = contracts_import(
        stream=stream, filename="register.csv", by=people["partner"], reason="Load"
    )
    assert result.problems == []
    codes = dict(Contract.objects.values_list("reference", "cpv_code"))
    assert codes == {"C-1": "03000000-1", "C-2": "45000000-7", "C-3": ""}


def test_the_register_import_reports_a_bad_code_on_its_row_and_column(people):  # noqa: F811
    stream = csv_file(
        [*row("C-1"), "45000000-8"], [*row("C-2"), "45999999-1"], headings=[*HEADINGS, "CPV"]
    )
    result = contracts_import_check(stream=stream, filename="r.csv", by=people["partner"])
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "CPV code", "The check digit of 45000000 is 7, not 8"),
        (3, "CPV code", "45999999-1 is not in the CPV 2008 list"),
    ]


def test_the_import_checks_every_row_against_the_list_read_once(people, monkeypatch):  # noqa: F811
    from procurement import cpv

    calls = []
    real = cpv.codes_loaded
    monkeypatch.setattr(cpv, "codes_loaded", lambda: calls.append(1) or real())
    rows = [[*row(f"C-{n}"), "45000000-7"] for n in range(30)]
    result = contracts_import_check(
        stream=csv_file(*rows, headings=[*HEADINGS, "CPV code"]),
        filename="r.csv",
        by=people["partner"],
    )
    assert result.problems == []
    assert len(calls) == 1
    assert isinstance(ContractRowForm().fields["cpv_code"].codes, cpv.CodesOnFirstUse)


def test_the_register_export_carries_the_code(client, make_user):
    from contracts import exports

    assert "CPV code" in exports.REGISTER_HEADINGS
    contract = ContractOverFiftyThousandFactory(cpv_code="45000000-7")
    from django.utils import timezone

    from contracts.selectors import contracts_with_status

    found = contracts_with_status(today=timezone.localdate()).filter(pk=contract.pk)
    rows = list(exports.register_rows(found))
    assert "45000000-7" in rows[0]


def test_the_api_shows_the_code(client, make_user):
    contract = ContractOverFiftyThousandFactory(cpv_code="45000000-7")
    client.force_login(make_user(Role.AUDITOR))
    found = client.get(f"/api/v1/contracts/{contract.pk}/").json()
    assert found["cpv_code"] == "45000000-7"
