"""The audit trail: for any contract, gateway report or person, who did what and why, for
auditors; and nothing in the app edits a history."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from gateways.models import GatewayReview, StepDecision
from gateways.services import review_create, review_decide, review_submit, review_withdraw
from gateways.tests.factories import G1_REPORT, ProjectFactory
from procurement.admin import site as admin_site
from procurement.history import save_with_history
from procurement.roles import Role
from procurement.services import user_set_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(make_user):
    """A Gateway 1 report submitted, approved at its first step, and then withdrawn."""
    author = make_user(Role.PROCUREMENT_OFFICER)
    partner = make_user(Role.BUSINESS_PARTNER)
    project = ProjectFactory(directorate=author.directorate, estimated_value=Decimal("100000.01"))
    review = review_create(
        author=author, stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )
    review = review_submit(review=review, by=author)
    review_decide(
        review=review,
        by=partner,
        outcome=StepDecision.Outcome.APPROVED,
        reasons="Sound strategy",
    )
    review_withdraw(review=review, by=author, reason="The service is to be brought in house")
    return review, author, partner


def test_an_auditor_reads_a_reports_whole_history(client, make_user, decided):
    review, author, partner = decided
    client.force_login(make_user(Role.AUDITOR))
    response = client.get(reverse("gateways:review_history", args=[review.pk]))
    page = " ".join(response.content.decode().split())
    assert f"The report changed by {escape(author)}" in page
    assert "Why: Withdrawn: The service is to be brought in house" in page
    assert "State: In review to Withdrawn" in page
    assert f"A decision added by {escape(partner)}" in page
    assert "Why: Submitted" in page
    assert page.index("Withdrawn: The service") < page.index("Why: Submitted")  # newest first
    link = reverse("gateways:review_history", args=[review.pk])
    assert link in client.get(reverse("gateways:review", args=[review.pk])).content.decode()


def test_the_reports_history_page_has_a_constant_number_of_queries(client, make_user, decided):
    review, author, _ = decided
    client.force_login(make_user(Role.AUDITOR))
    url = reverse("gateways:review_history", args=[review.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for number in range(3):
        current = GatewayReview.objects.get(pk=review.pk)
        current.summary = f"Strategy, revision {number}"
        save_with_history(current, by=author, reason=f"Revision {number}")
    with CaptureQueriesContext(connection) as after:
        assert "Revision 2" in client.get(url).content.decode()
    assert len(after) == len(before)


def test_a_persons_audit_trail_shows_their_roles_and_what_they_did(client, make_user, decided):
    _, author, _ = decided
    admin = make_user(Role.ADMINISTRATOR)
    user_set_roles(
        user=author,
        roles=[Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER],
        by=admin,
        reason="Now also manages contracts",
    )
    client.force_login(make_user(Role.AUDITOR))
    people = client.get(reverse("procurement:people")).content.decode()
    assert reverse("procurement:person", args=[author.pk]) in people
    page = client.get(reverse("procurement:person", args=[author.pk])).content.decode()
    assert "Now also manages contracts" in page
    assert "Contract manager" in page
    assert "The service is to be brought in house" in page  # their withdrawal
    assert "password" not in page.lower().replace("change your password", "")


def test_only_auditors_and_administrators_read_the_people_pages(client, make_user):
    someone = make_user(Role.PROCUREMENT_OFFICER)
    for role, status in ((Role.AUDITOR, 200), (Role.ADMINISTRATOR, 200), (Role.LEAD_MEMBER, 403)):
        client.force_login(make_user(role))
        assert client.get(reverse("procurement:people")).status_code == status
        assert client.get(reverse("procurement:person", args=[someone.pk])).status_code == status


def test_no_history_can_be_edited_or_reverted_from_the_app(client, make_user, settings):
    # No history table is in the admin, and the admin's history pages cannot revert a record.
    assert not [model for model in admin_site._registry if model.__name__.startswith("Historical")]
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    record = admin.history.earliest()
    url = reverse("admin:procurement_user_simple_history", args=[admin.pk, record.pk])
    before = admin.history.count()
    response = client.post(url, {"email": "changed@council.example", "change_reason": "Revert"})
    assert response.status_code in {403, 200}
    admin.refresh_from_db()
    assert admin.email != "changed@council.example"
    assert admin.history.count() == before
