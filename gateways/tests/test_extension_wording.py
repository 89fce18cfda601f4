"""Gateway 3's four tests of extending rather than re-tendering read, wherever they appear, in the
words of the council's commissioning and procurement strategy (RBKC §4b)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.tests.factories import ContractWithOptionsFactory
from gateways.forms import ReportForm
from gateways.services import GatewayError, review_create, review_submit, review_update_report
from procurement.roles import Role
from procurement.tokens import api_token_create

pytestmark = pytest.mark.django_db

# The strategy's own words, as its list of what an extension must demonstrate gives them.
SEED = [
    "that the contract can be extended (by time and value)",
    "the cashable/efficiency savings secured through negotiation",
    "the ability to increase social value benefit through the extension period",
    "that satisfactory performance/delivery of the contract has been achieved through the "
    "initial contract period",
]
FIELDS = ["extension_allowed_evidence", "savings_evidence", "added_social_value"]
AS_LABELS = [words[0].upper() + words[1:] for words in SEED]


@pytest.fixture
def partner(make_user):
    return make_user(Role.BUSINESS_PARTNER)


@pytest.fixture
def extension(partner):
    """An extension showing the first test only (its contract has no performance record)."""
    return review_create(
        author=partner,
        stage="G3",
        summary="Extend the home care contract",
        contract=ContractWithOptionsFactory(directorate=partner.directorate),
        is_extension=True,
        report={"extension_allowed_evidence": "Clause 4.2: two options of 12 months"},
    )


def test_the_report_form_asks_each_test_in_the_strategy_s_words(extension):
    form = ReportForm(review=extension)
    labels = [form.fields[name].label for name in [*FIELDS, "performance_evidence"]]
    assert labels == AS_LABELS


def test_the_report_page_shows_each_test_in_the_strategy_s_words(client, partner, extension):
    client.force_login(partner)
    page = client.get(reverse("gateways:review", args=[extension.pk])).content.decode()
    for label in AS_LABELS:
        assert label in page
    assert "savings negotiated" not in page.lower()


def test_submission_names_the_tests_not_shown_in_the_strategy_s_words(partner, extension):
    with pytest.raises(GatewayError) as refused:
        review_submit(review=extension, by=partner)
    # The contract's own record stands as the performance shown: the other two are missing.
    assert str(refused.value).endswith(f"Missing: {SEED[1]}; {SEED[2]}.")


def test_the_history_names_the_tests_in_the_strategy_s_words(client, partner, extension):
    review_update_report(
        review=extension,
        fields={"savings_evidence": "Rates held at 2025 prices", "added_social_value": "Two"},
        by=partner,
    )
    client.force_login(partner)
    page = client.get(reverse("gateways:review_history", args=[extension.pk])).content.decode()
    assert f"{AS_LABELS[1]}: blank to Rates held at 2025 prices" in page
    assert f"{AS_LABELS[2]}: blank to Two" in page


def test_the_api_gives_each_test_in_the_strategy_s_words_with_its_evidence(partner, extension):
    _, key = api_token_create(
        user=partner,
        name="Finance system",
        expires_on=timezone.localdate() + timedelta(days=30),
        by=partner,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = api.get(f"/api/v1/reviews/{extension.pk}/").json()
    assert body["extension_tests"] == [
        {"test": SEED[0], "evidence": "Clause 4.2: two options of 12 months"},
        {"test": SEED[1], "evidence": ""},
        {"test": SEED[2], "evidence": ""},
        {"test": SEED[3], "evidence": extension.performance_evidence},
    ]
