"""The annual social value review: the head of procurement publishes a year, with history;
signed out, anyone reads a published year's committed against delivered by theme, with the raw
outputs beside the money, as a page and a PDF. A year not published is 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from performance.models import financial_year_of
from procurement.roles import Role
from reporting.models import PublishedSocialValueReview
from reporting.services import ReportError, social_value_review_publish
from socialvalue.models import Commitment, DeliveryReturn, Measure
from socialvalue.tests.factories import library, running_contract

pytestmark = pytest.mark.django_db

YEAR = financial_year_of(timezone.localdate()) - 1
EVIDENCE = "Timesheets of the apprentices, names withheld"


@pytest.fixture
def delivered():
    """One contract committing 40 apprentice weeks (£10 a week) in YEAR, 25 delivered and
    verified."""
    library(measures=(("APP", "weeks", "10.00"),), theme="Skills and apprenticeships")
    measure = Measure.objects.get(code="APP")
    contract = running_contract()
    commitment = Commitment.objects.create(
        contract=contract,
        measure=measure,
        quantity=Decimal("40"),
        target_date=date(YEAR + 1, 3, 1),
        source="award",
        created_by=contract.contract_manager,
    )
    DeliveryReturn.objects.create(
        commitment=commitment,
        quantity=Decimal("25"),
        period_start=date(YEAR, 6, 1),
        period_end=date(YEAR, 8, 31),
        status=DeliveryReturn.Status.VERIFIED,
        evidence=EVIDENCE,
        recorded_by=contract.contract_manager,
    )
    return commitment


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_PROCUREMENT)


def test_signed_out_a_published_year_is_read_as_a_page_and_a_pdf(client, delivered, head):
    social_value_review_publish(year=YEAR, by=head, reason="Committee, July")
    listing = client.get(reverse("public_review:list")).content.decode()
    assert reverse("public_review:read", args=[YEAR]) in listing
    page = client.get(reverse("public_review:read", args=[YEAR]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Skills and apprenticeships" in text
    assert "40 weeks" in text  # the raw output committed
    assert "25 weeks" in text  # and delivered
    assert "£250 of £400" in text  # beside the money
    assert EVIDENCE not in text
    pdf = client.get(reverse("public_review:pdf", args=[YEAR]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_year_not_published_is_not_found(client, delivered, head):
    social_value_review_publish(year=YEAR, by=head, reason="Committee")
    other = YEAR - 1
    assert str(other) not in client.get(reverse("public_review:list")).content.decode()
    for name in ("public_review:read", "public_review:pdf"):
        assert client.get(reverse(name, args=[other])).status_code == 404
        assert client.get(reverse(name, args=[9999])).status_code == 404


def test_publishing_is_the_head_of_procurements_with_history(delivered, make_user, head):
    for role in (Role.BUSINESS_PARTNER, Role.AUDITOR, Role.PROCUREMENT_OFFICER):
        with pytest.raises(PermissionDenied):
            social_value_review_publish(year=YEAR, by=make_user(role), reason="Mine")
    social_value_review_publish(year=YEAR, by=head, reason="Committee, July")
    record = PublishedSocialValueReview.history.get()
    assert (record.year, record.history_user, record.history_change_reason) == (
        YEAR,
        head,
        "Committee, July",
    )
    with pytest.raises(ReportError, match="already published"):
        social_value_review_publish(year=YEAR, by=head, reason="Again")
    with pytest.raises(ReportError):
        social_value_review_publish(year=YEAR + 5, by=head, reason="A future year")


def test_the_internal_page_publishes_for_the_head_alone(client, make_user):
    url = reverse("reporting:social_value_reviews")
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(url).status_code == 200
    assert client.post(url, {"year": YEAR, "reason": "Mine"}).status_code == 403
    client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
    bad = client.post(url, {"year": "not a year", "reason": ""})
    assert "govuk-error-summary" in bad.content.decode()
    assert not PublishedSocialValueReview.objects.exists()
    assert client.post(url, {"year": YEAR, "reason": "Committee"}).status_code == 302
    assert PublishedSocialValueReview.objects.get().year == YEAR


@pytest.mark.parametrize(
    "path",
    [
        "/social-value-review/abc/",
        "/social-value-review/-2025/",
        "/social-value-review/99999999999999999999/",
        "/social-value-review/2025/review.pdf%00",
    ],
)
def test_bad_addresses_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(
    client, delivered, head, django_assert_max_num_queries
):
    for _ in range(10):
        contract = running_contract()
        Commitment.objects.create(
            contract=contract,
            source="award",
            created_by=contract.contract_manager,
            measure=delivered.measure,
            quantity=Decimal("3"),
            target_date=date(YEAR, 12, 1),
        )
    social_value_review_publish(year=YEAR, by=head, reason="Committee")
    with django_assert_max_num_queries(4):
        client.get(reverse("public_review:read", args=[YEAR]))
    with django_assert_max_num_queries(1):
        client.get(reverse("public_review:list"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pdf_is_drawn_once_until_the_data_changes(client, delivered, head, monkeypatch):
    """Anyone may ask for it, so a run of requests does not draw a run of PDFs."""
    from reporting import views

    drawn = []

    def draw(context):
        drawn.append(context["published"].year)
        return real(context)

    real = views.social_value_review_pdf
    monkeypatch.setattr(views, "social_value_review_pdf", draw)
    social_value_review_publish(year=YEAR, by=head, reason="Committee, July")
    url = reverse("public_review:pdf", args=[YEAR])
    first, second = client.get(url), client.get(url)
    assert first.content.startswith(b"%PDF")
    assert second.content == first.content
    assert drawn == [YEAR]
    DeliveryReturn.objects.create(
        commitment=delivered,
        quantity=Decimal("5"),
        period_start=date(YEAR, 9, 1),
        period_end=date(YEAR, 11, 30),
        status=DeliveryReturn.Status.VERIFIED,
        evidence=EVIDENCE,
        recorded_by=delivered.contract.contract_manager,
    )
    assert client.get(url).content.startswith(b"%PDF")
    assert drawn == [YEAR, YEAR]
