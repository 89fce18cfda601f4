"""A gateway report's parts are declared once (gateways/stages.py): the form, the page, what
submission asks for, the fields the author may change and the API all follow the table."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.tests.factories import ContractWithOptionsFactory, SupplierFactory
from gateways import stages
from gateways.api import ReviewSerializer
from gateways.forms import ReportForm
from gateways.models import GatewayReview
from gateways.services import REPORT_FIELDS
from gateways.stages import COMMON, EXTENSION, STAGE_PARTS, Kind, Part, Shown, parts_for
from gateways.tests.factories import ProjectFactory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

KINDS = ["G0", "G1", "G2", "G3", EXTENSION]


@pytest.fixture
def author(make_user):
    return make_user(Role.PROCUREMENT_OFFICER, directorate=DirectorateFactory())


def draft(author, kind: str, **report) -> GatewayReview:
    """A draft report of ``kind`` by ``author``, about a project (or for Gateway 3 a contract)."""
    stage = "G3" if kind == EXTENSION else kind
    subject = (
        {"contract": ContractWithOptionsFactory(directorate=author.directorate)}
        if stage == "G3"
        else {"project": ProjectFactory(directorate=author.directorate)}
    )
    review = GatewayReview(
        stage=stage,
        is_extension=kind == EXTENSION,
        author=author,
        summary="What we ask",
        **subject,
        **report,
    )
    review.save()
    return review


def page(client, review) -> str:
    client.force_login(review.author)
    return client.get(reverse("gateways:review", args=[review.pk])).content.decode()


def test_the_service_lets_the_author_change_exactly_the_parts_of_the_table():
    assert stages.REPORT_FIELDS == REPORT_FIELDS
    assert stages.REPORT_FIELDS == {part.name for part in stages.all_parts()}


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_asks_for_the_parts_of_its_gateway_in_order(author, kind):
    review = draft(author, kind)
    form = ReportForm(review=review)
    parts = parts_for(review)
    assert parts[: len(COMMON)] == COMMON
    assert list(form.fields) == [part.name for part in parts]
    for part in parts:
        field = form.fields[part.name]
        assert field.label == part.label
        assert field.help_text == part.hint
        assert field.required == bool(part.blank_error)


def test_the_api_shows_the_parts_the_table_publishes():
    published = {part.name for part in stages.all_parts() if part.in_api}
    assert published == {"summary"}
    fields = set(ReviewSerializer.Meta.fields)
    assert published <= fields
    assert not (stages.REPORT_FIELDS - published) & fields


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_shows_each_part_with_a_row(client, author, kind):
    review = draft(author, kind)
    shown = page(client, review)
    for part in parts_for(review):
        if part.shown and part.shown.blank is not None and not part.shown.notice:
            assert f'<dt class="govuk-summary-list__key">{part.shown.key}</dt>' in shown


def test_a_gateway_2_report_reads_as_the_approver_weighs_it(client, author, make_user):
    director = make_user(Role.EXECUTIVE_DIRECTOR, first_name="Dana", last_name="Director")
    review = draft(
        author,
        "G2",
        tender_outcome="Three bids\nranked",
        recommended_supplier=SupplierFactory(name="Acme Ltd"),
        award_value=Decimal("250000"),
        contract_start=date(2027, 1, 1),
        contract_end=date(2029, 12, 31),
        contract_lead_director=director,
    )
    rows = [(row.key, row.value) for row in review.report_rows()]
    assert rows == [
        ("Tender outcome", "Three bids\nranked"),
        ("Recommended supplier", "Acme Ltd"),
        ("Whole-life value of the award", "£250,000.00"),
        ("Contract term", "1 January 2027 to 31 December 2029"),
        ("Lead director", "Dana Director"),
        ("What the report asks", "What we ask"),
    ]
    assert "Three bids<br>ranked" in page(client, review)


def test_a_route_without_competition_is_a_notice_first(client, author):
    review = draft(author, "G1", strategy_route="direct_award", risks="Thin market")
    keys = [row.key for row in review.report_rows()]
    assert keys[:3] == ["Exception: route without competition", "Procurement route", "Lots"]
    shown = page(client, review)
    assert "Direct award.</p>" in shown.replace("\n", "")
    assert "No exception recorded" in shown


def test_an_extension_reads_its_four_tests_and_an_exception_only_where_recorded(author):
    review = draft(author, EXTENSION, performance_evidence="All KPIs green")
    rows = {row.key: row for row in review.report_rows()}
    assert [name for name, _ in stages.EXTENSION_TESTS] == [
        "extension_allowed_evidence",
        "savings_evidence",
        "added_social_value",
        "performance_evidence",
    ]
    assert rows["The cashable/efficiency savings secured through negotiation"].blank == "Not shown"
    assert "Exception" not in rows
    review.exception_justification = "A fixed-price market"
    assert [row.key for row in review.report_rows()][-2:] == ["Exception", "What the report asks"]


def test_submission_asks_for_the_parts_the_table_requires(author):
    review = draft(author, "G1", strategy_route="tender", timetable="Spring")
    assert review.report_missing() == ["the risks", "the social value approach"]
    assert draft(author, "G3").report_missing() == []


def test_adding_a_part_to_the_table_is_enough(client, author, monkeypatch):
    """A new part (here the savings secured through negotiation, asked at Gateway 0 too) is
    asked by the form, shown on the page, required at submission and changeable by the author
    with no other edit."""
    new = Part(
        "savings_negotiated",
        "Savings expected (£)",
        Kind.MONEY,
        hint="Over the contract's life",
        required_as="the savings expected",
        shown=Shown("Savings expected"),
    )
    monkeypatch.setitem(STAGE_PARTS, "G0", (*STAGE_PARTS["G0"], new))
    review = draft(author, "G0", options_appraised=["in_house"], recommended_option="in_house")

    form = ReportForm(review=review)
    assert list(form.fields)[-1] == "savings_negotiated"
    assert form.fields["savings_negotiated"].label == "Savings expected (£)"
    assert review.report_missing() == ["the savings expected"]
    assert "savings_negotiated" in {part.name for part in stages.all_parts()}

    bound = ReportForm(
        {
            "summary": "Choose the in-house option",
            "options_appraised": ["in_house"],
            "recommended_option": "in_house",
            "savings_negotiated": "£12,500",
        },
        review=review,
    )
    assert bound.is_valid(), bound.errors
    assert bound.report_fields()["savings_negotiated"] == Decimal("12500")
    review.savings_negotiated = Decimal("12500")
    review.save()
    assert review.report_missing() == []
    assert "£12,500.00" in page(client, review)
