"""Spend with no contract and contracts past their value: the figures against sums worked out by
hand, explaining a line, the pages' queries at two sizes, and the downloads against the pages."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractFactory, SupplierFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory
from spend.exports import no_contract_rows, over_value_rows
from spend.models import ExemptCategory, Explanation, Payment
from spend.selectors.gaps import (
    GapFilters,
    PastFilters,
    gap_lines_shown,
    no_contract_lines,
    past_lines_shown,
    past_value_or_dates,
    spend_figures,
)

from .factories import PaymentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_or_summed")]
Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def no_contract(amount, *, supplier=None, payee="Someone Ltd", directorate=None, days=30, **more):
    """A payment under no contract: to ``supplier`` (matched) or to ``payee`` (not on it)."""
    return PaymentFactory(
        amount=Decimal(amount),
        supplier=supplier,
        supplier_match=Match.NAME if supplier else Match.NOT_ON_REGISTER,
        contract=None,
        contract_match=ContractMatch.NONE,
        payee=supplier.name if supplier else payee,
        directorate=directorate,
        paid_on=days_ago(days),
        **more,
    )


def under(contract, amount, *, paid_on=None):
    return PaymentFactory(
        amount=Decimal(amount),
        supplier=contract.supplier,
        supplier_match=Match.NAME,
        contract=contract,
        contract_match=ContractMatch.ONLY_LIVE,
        directorate=contract.directorate,
        paid_on=paid_on or days_ago(20),
    )


@pytest.fixture
def world():
    """Two directorates; a supplier paid with no contract in both, a payee not on the register,
    redacted payees, payments in the queue and an old payment outside the window."""
    care, housing = DirectorateFactory(name="Care"), DirectorateFactory(name="Housing")
    acme = SupplierFactory(name="Acme Cleaning Ltd")
    no_contract("20000", supplier=acme, directorate=care)
    no_contract("15000", supplier=acme, directorate=care)
    no_contract("-2500", supplier=acme, directorate=care)  # a credit note nets off
    no_contract("4000", supplier=acme, directorate=housing)
    no_contract("6000", payee="Bob's Vans", directorate=housing)
    no_contract("900", payee="REDACTED", directorate=care, payee_key="", is_redacted=True)
    no_contract("300", payee="Personal data", directorate=care, payee_key="", is_redacted=True)
    no_contract("99999", supplier=acme, directorate=care, days=400)  # outside the 12 months
    PaymentFactory(
        amount=Decimal("7000"), contract_match=ContractMatch.WAITING, paid_on=days_ago(5)
    )
    contract = ContractFactory(directorate=care, whole_life_value=Decimal("10000"))
    under(contract, "8500")
    return {"care": care, "housing": housing, "acme": acme, "contract": contract}


def _shown(filters=None):
    today = timezone.localdate()
    rows = no_contract_lines(today=today, filters=filters or GapFilters())
    return gap_lines_shown(list(rows))


def test_no_contract_lines_are_summed_by_payee_and_directorate(world):
    lines = [(line.name, line.directorate.name, line.total, line.band) for line in _shown()]
    assert lines == [
        ("Acme Cleaning Ltd", "Care", Decimal("32500.00"), Decimal("30000")),
        ("Bob's Vans", "Housing", Decimal("6000.00"), Decimal("5000")),
        ("Acme Cleaning Ltd", "Housing", Decimal("4000.00"), None),
        ("Redacted", "Care", Decimal("1200.00"), None),
    ]


def test_the_filters_narrow_the_lines(world):
    by_directorate = _shown(GapFilters(directorate_id=world["housing"].pk))
    assert [line.total for line in by_directorate] == [Decimal("6000.00"), Decimal("4000.00")]
    in_band = _shown(GapFilters(band=Decimal("5000")))
    assert [line.name for line in in_band] == ["Bob's Vans"]
    assert [line.name for line in _shown(GapFilters(band=Decimal("30000")))] == [
        "Acme Cleaning Ltd"
    ]


def test_an_explained_line_drops_out_of_the_unexplained_figure(world, make_user):
    from spend.services.gaps import spend_explain

    today = timezone.localdate()
    before = spend_figures(today=today)
    assert before.totals.paid == Decimal("32500") + Decimal("10000") + Decimal("1200") + Decimal(
        "7000"
    ) + Decimal("8500")
    assert before.totals.no_contract == Decimal("43700.00")
    assert before.unexplained == Decimal("43700.00")
    assert before.totals.waiting == Decimal("7000.00")
    assert before.totals.waiting_payments == 1
    assert before.totals.on_contract == Decimal("8500.00")
    assert before.contracts_near == 1
    assert before.contracts_over == 0
    line = _shown()[0]
    spend_explain(
        line=line,
        kind=Explanation.Kind.WAIVER,
        waiver_reference="W-12",
        note="Emergency cleaning",
        by=make_user(Role.HEAD_OF_PROCUREMENT),
    )
    after = spend_figures(today=today)
    assert after.unexplained == Decimal("11200.00")
    assert [line.explanation.waiver_reference for line in _shown() if line.explanation] == ["W-12"]
    unexplained = _shown(GapFilters(explained=False))
    assert "Care" not in [(line.directorate.name) for line in unexplained if line.supplier]


def test_contracts_past_their_value_net_credit_notes_and_count_payments_after_the_end():
    care = DirectorateFactory()
    over = ContractFactory(
        directorate=care,
        whole_life_value=Decimal("10000"),
        end_date=days_ago(10),
        start_date=days_ago(400),
    )
    under(over, "9000", paid_on=days_ago(100))
    under(over, "2500", paid_on=days_ago(5))  # after its end
    under(over, "-500", paid_on=days_ago(3))  # a credit note, after its end too
    near = ContractFactory(directorate=care, whole_life_value=Decimal("10000"))
    under(near, "8000")
    fine = ContractFactory(directorate=care, whole_life_value=Decimal("10000"))
    under(fine, "7999.99")
    lines = past_lines_shown(list(past_value_or_dates()))
    assert [
        (line.contract, line.paid, line.share, line.is_over, line.after_end) for line in lines
    ] == [
        (over, Decimal("11000.00"), Decimal("110.0"), True, Decimal("2000.00")),
        (near, Decimal("8000.00"), Decimal("80.0"), False, Decimal("0")),
    ]
    assert lines[0].payments_after_end == 2
    elsewhere = past_value_or_dates(filters=PastFilters(directorate_id=DirectorateFactory().pk))
    assert list(elsewhere) == []


def test_a_variation_raises_the_value_the_share_is_taken_of():
    contract = ContractFactory(whole_life_value=Decimal("10000"))
    under(contract, "9000")
    assert len(past_value_or_dates()) == 1
    contract.whole_life_value = Decimal("20000")  # as contract_vary leaves it
    contract.save()
    assert len(past_value_or_dates()) == 0


# --- The pages --------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more(world, count):
    directorate = DirectorateFactory()
    for number in range(count):
        supplier = SupplierFactory()
        # The larger size's suppliers reach £5,000, where the smaller has only a payee's line.
        no_contract("1000" if count < 10 else "6500", supplier=supplier, directorate=directorate)
        no_contract("500", payee=f"Payee {number}", directorate=directorate)
        contract = ContractFactory(directorate=directorate, whole_life_value=Decimal("1000"))
        under(contract, "950")
        ExemptCategory.objects.get_or_create(name=f"Category {number}")


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("spend:index", ""),
        ("spend:no_contract", ""),
        # A band whose lines are, at first, a payee's only, and later suppliers' too.
        ("spend:no_contract", "?band=5000.00&explained=no"),
        ("spend:over_value", ""),
    ],
)
def test_the_pages_run_the_same_queries_at_two_sizes(world, client, make_user, name, query):
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    url = reverse(name) + query
    _more(world, 2)
    small = _queries(client, url)
    _more(world, 30)
    assert _queries(client, url) == small


def test_the_no_contract_page_shows_lines_and_who_may_explain(world, client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    response = client.get(reverse("spend:no_contract"))
    html = response.content.decode()
    assert "Acme Cleaning Ltd" in html
    assert "Redacted" in html
    assert "£32,500.00" in html
    assert "Explain<span" not in html
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    assert "Explain<span" in client.get(reverse("spend:no_contract")).content.decode()


def _explain_url(line):
    supplier = line.supplier.pk if line.supplier else ""
    directorate = line.directorate.pk if line.directorate else ""
    return (
        f"{reverse('spend:explain')}?supplier={supplier}&payee={line.payee_key}"
        f"&directorate={directorate}"
    )


def test_the_explanation_form_shows_its_errors_and_keeps_history(world, client, make_user):
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    client.force_login(head)
    line = next(line for line in _shown() if line.name == "Bob's Vans")
    url = _explain_url(line)
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "waiver", "note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter the waiver&#x27;s reference" in html
    response = client.post(url, {"kind": "exempt"})
    assert "Select the exempt category" in response.content.decode()
    assert not Explanation.objects.exists()
    category = ExemptCategory.objects.first()
    response = client.post(url, {"kind": "exempt", "exempt_category": category.pk})
    assert response.status_code == 302
    response = client.post(url, {"kind": "grant", "note": "Community grant 2025"})
    assert response.status_code == 302
    explanation = Explanation.objects.get()
    assert explanation.kind == "grant"
    assert explanation.exempt_category is None
    history = list(explanation.history.order_by("history_date"))
    assert [record.kind for record in history] == ["exempt", "grant"]
    assert all(record.history_user == head for record in history)
    assert "Explanation changed" in history[-1].history_change_reason
    assert "Community grant 2025" in client.get(url).content.decode()


def test_an_officer_may_not_explain_and_a_missing_line_is_not_found(world, client, make_user):
    client.force_login(make_user(Role.PROCUREMENT_OFFICER))
    line = _shown()[0]
    assert client.post(_explain_url(line), {"kind": "grant"}).status_code == 403
    client.force_login(make_user(Role.BUSINESS_PARTNER))
    assert client.get(reverse("spend:explain")).status_code == 404
    assert not Explanation.objects.exists()


def test_the_index_links_to_every_list_of_the_section(world, client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    html = client.get(reverse("spend:index")).content.decode()
    for name in (
        "spend:no_contract",
        "spend:over_value",
        "spend:queue",
        "spend:import",
        "spend:opportunity_suppliers",
        "spend:opportunity_categories",
        "spend:opportunity_ending",
        "spend:payment_performance",
    ):
        assert f'href="{reverse(name)}"' in html, name
    assert "£8,500" in html


# --- The downloads ----------------------------------------------------------------------------


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_no_contract_download_has_the_pages_rows(world, client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    query = {"directorate": world["care"].pk}
    page = client.get(reverse("spend:no_contract"), query).context["lines"]
    rows = _csv(client.get(reverse("spend:no_contract_csv"), query))
    assert [row[0] for row in rows[1:]] == [line.name for line in page]
    assert [row[3] for row in rows[1:]] == [f"{line.total:.2f}" for line in page]
    response = client.get(reverse("spend:no_contract_xlsx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    listed = list(no_contract_rows(today=timezone.localdate(), filters=GapFilters()))
    assert len(listed) == 4


def test_the_over_value_download_has_the_pages_rows(world, client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(reverse("spend:over_value")).context["lines"]
    rows = _csv(client.get(reverse("spend:over_value_csv")))
    assert [row[0] for row in rows[1:]] == [line.contract.reference for line in page]
    assert rows[1][7] == "85.00"
    assert client.get(reverse("spend:over_value_xlsx")).status_code == 200
    assert len(list(over_value_rows(filters=PastFilters()))) == 1


# --- The API ------------------------------------------------------------------------------------


def test_the_api_lists_the_pages_lines_and_says_what_is_wrong_in_json(world, client, make_user):
    client.force_login(make_user(Role.AUDITOR))
    response = client.get("/api/v1/spend/no-contract/", {"directorate": world["care"].pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(row["payee"], row["paid"]) for row in results] == [
        ("Acme Cleaning Ltd", "32500.00"),
        ("Redacted", "1200.00"),
    ]
    assert results[0]["threshold_reached"] == "30000.00"
    bad = client.get("/api/v1/spend/no-contract/", {"band": "12345"})
    assert bad.status_code == 400
    assert "band" in bad.json()
    over = client.get("/api/v1/spend/over-value/").json()["results"]
    assert [(row["reference"], row["share"]) for row in over] == [
        (world["contract"].reference, "85.0")
    ]
    assert client.get("/api/v1/spend/over-value/", {"directorate": "x"}).status_code == 400
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    assert client.get("/api/v1/spend/over-value/").status_code == 403
