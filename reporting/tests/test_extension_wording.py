"""The annual report names Gateway 3's four tests in the words of the council's commissioning and
procurement strategy (RBKC §4b): its compliance section, its page and its PDF."""

import pytest
from django.urls import reverse

from procurement.roles import Role
from reporting.models import AnnualReport
from reporting.services import annual_report_build

from . import world
from .test_reports import pdf_of

pytestmark = pytest.mark.django_db

# The strategy's own words, as its list of what an extension must demonstrate gives them.
SEED = [
    "that the contract can be extended (by time and value)",
    "the cashable/efficiency savings secured through negotiation",
    "the ability to increase social value benefit through the extension period",
    "that satisfactory performance/delivery of the contract has been achieved through the "
    "initial contract period",
]
# The world's second extension showed the first and the last test only.
NOT_SHOWN = f"{SEED[1]}; {SEED[2]}"
ALL_FOUR = f"with all four tests shown: {SEED[0]}; {SEED[1]}; {SEED[2]}; and {SEED[3]}."


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_annual_report_names_the_four_tests_in_the_strategy_s_words(
    settings, tmp_path, client, make_user
):
    settings.MEDIA_ROOT = tmp_path
    world.build()
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    report = AnnualReport.objects.create(
        year=world.YEAR, version=1, source="page", requested_by=head, reason="For the committee"
    )
    report = annual_report_build(report_id=report.pk)
    compliance = next(s for s in report.figures["sections"] if s["slug"] == "compliance")
    assert ALL_FOUR in compliance["narrative"][0]
    assert sorted(row[3] for row in compliance["tables"][1]["rows"]) == sorted([NOT_SHOWN, "none"])

    client.force_login(head)
    page = client.get(reverse("reporting:annual_report", args=[report.pk])).content.decode()
    assert ALL_FOUR in words(page)
    assert NOT_SHOWN in page

    text = words(" ".join(page.extract_text() for page in pdf_of(report).pages))
    assert ALL_FOUR in text
    assert "savings negotiated" not in text
