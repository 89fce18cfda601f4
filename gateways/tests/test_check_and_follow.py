"""An author follows their reports, and nobody commits a submission or a decision unchecked:
the home page's "Your gateway reports", the report's outcome banner and step statuses, the
check pages before submitting and deciding, and the confirmation a rejection asks for."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gateways.models import GatewayReview, StepDecision
from gateways.services import review_create, review_decide, review_submit
from gateways.tests.factories import (
    CONSULTATION,
    ProjectFactory,
    TierBProjectFactory,
    decide_on_the_page,
    g1_draft,
)
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db

NAMES = {
    Role.PROCUREMENT_OFFICER: ("Olu", "Author"),
    Role.BUSINESS_PARTNER: ("Bea", "Partner"),
    Role.EXECUTIVE_DIRECTOR: ("Dee", "Director"),
    Role.HEAD_OF_PROCUREMENT: ("Hal", "Head"),
}


@pytest.fixture
def people(make_user):
    directorate = DirectorateFactory(name="Adult Social Care")
    found = {}
    for role in Role:
        first, last = NAMES.get(role, (role.label.split()[0].title(), f"Holder{role.value}"))
        found[role] = make_user(role, directorate=directorate, first_name=first, last_name=last)
    # An executive director of another directorate: not in scope for its sign-off.
    found["elsewhere"] = make_user(
        Role.EXECUTIVE_DIRECTOR, first_name="Ewan", last_name="Elsewhere"
    )
    return found


def draft(people, **project):
    author = people[Role.PROCUREMENT_OFFICER]
    return g1_draft(
        author, project=ProjectFactory(directorate=author.directorate, title="Home care", **project)
    )


def submitted(people):
    review = draft(people)
    return review_submit(review=review, by=people[Role.PROCUREMENT_OFFICER])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Check your answers before submitting -----------------------------------------------------


def test_the_author_checks_the_route_and_the_people_before_submitting(client, people):
    review = draft(people)
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    url = reverse("gateways:submit", args=[review.pk])
    page = text(client.get(url))
    assert "Check your answers before submitting your report" in page
    assert "Tier A" in page
    # Each step by name, with the people who will be asked there: in scope, never the author.
    partner_step = page.index("Business partner")
    director_step = page.index("Executive director sign-off")
    assert partner_step < page.index("Bea Partner") < director_step < page.index("Dee Director")
    assert "Ewan Elsewhere" not in page
    assert "Olu Author" not in page.split("The steps and who acts at each")[1]
    assert "The report goes to" in page
    # Looking writes nothing; submitting is the POST, which redirects.
    review.refresh_from_db()
    assert review.state == GatewayReview.State.DRAFT
    done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == reverse("gateways:review", args=[review.pk])
    review.refresh_from_db()
    assert review.state == GatewayReview.State.IN_REVIEW
    # Posting again (a refresh) submits nothing twice: the report is already in review.
    again = client.post(url, follow=True)
    assert "cannot be submitted: it is in review" in text(again)
    review.refresh_from_db()
    assert review.round == 1


def test_an_incomplete_report_shows_what_is_missing_and_offers_no_submit(client, people):
    author = people[Role.PROCUREMENT_OFFICER]
    review = review_create(
        author=author,
        stage="G1",
        summary="Strategy",
        project=ProjectFactory(directorate=author.directorate),
    )
    client.force_login(author)
    page = text(client.get(reverse("gateways:submit", args=[review.pk])))
    assert "The report cannot be submitted yet" in page
    assert "the procurement route" in page
    assert "Submit the report</button>" not in page.replace(" </button>", "</button>")


def test_only_the_author_checks_and_submits(client, people):
    review = draft(people)
    url = reverse("gateways:submit", args=[review.pk])
    client.force_login(people[Role.BUSINESS_PARTNER])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    review.refresh_from_db()
    assert review.state == GatewayReview.State.DRAFT


def test_a_resubmission_shows_the_route_the_report_keeps(client, people):
    review = submitted(people)
    review_decide(
        review=review, by=people[Role.BUSINESS_PARTNER], outcome="returned", reasons="Add lots"
    )
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    page = text(client.get(reverse("gateways:submit", args=[review.pk])))
    assert "Tier A" in page
    assert "Bea Partner" in page
    assert "Resubmit the report" in page


# --- Check your decision ----------------------------------------------------------------------


def test_a_decision_is_checked_then_confirmed_and_nothing_is_written_before(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    url = reverse("gateways:decide", args=[review.pk])
    check = client.post(url, {"outcome": "returned", "reasons": "Say how the lots are split"})
    page = text(check)
    assert check.status_code == 200
    assert "Check your decision before recording it" in page
    assert "Returned for changes" in page
    assert "Say how the lots are split" in page
    assert not StepDecision.objects.exists()
    # The pending decision travels in the page, and is checked again when confirmed.
    assert 'name="reasons" value="Say how the lots are split"' in page
    done = decide_on_the_page(
        client, review, {"outcome": "returned", "reasons": "Say how the lots are split"}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("gateways:review", args=[review.pk])
    assert StepDecision.objects.get().reasons == "Say how the lots are split"


def test_a_confirmation_for_a_step_the_report_has_left_is_checked_again(client, people):
    review = submitted(people)
    client.force_login(people[Role.EXECUTIVE_DIRECTOR])
    partner_step = review.steps.get(order=1)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    # A confirmation carrying the step it was checked at, which is no longer the one waiting.
    response = client.post(
        reverse("gateways:decide", args=[review.pk]),
        {
            "outcome": "approved",
            **{k: v for k, v in CONSULTATION.items() if k != "consulted_on"},
            "consulted_on_day": "18",
            "consulted_on_month": "11",
            "consulted_on_year": "2026",
            "confirm": "yes",
            "step": partner_step.pk,
            "round": 1,
        },
    )
    assert response.status_code == 200
    assert "The report has moved on since you checked your decision" in text(response)
    assert not StepDecision.objects.filter(decided_by=people[Role.EXECUTIVE_DIRECTOR]).exists()


def test_a_confirmation_is_checked_again_in_full(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    step = review.steps.get(order=1)
    # Reasons stripped from the confirmation: refused beside the field, nothing written.
    response = client.post(
        reverse("gateways:decide", args=[review.pk]),
        {"outcome": "rejected", "reasons": " ", "confirm": "yes", "step": step.pk, "round": 1},
    )
    assert response.status_code == 200
    assert 'id="id_reasons-error"' in response.content.decode()
    assert not StepDecision.objects.exists()


def test_rejecting_asks_for_confirmation_that_it_ends_the_procurement(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    check = text(
        client.post(
            reverse("gateways:decide", args=[review.pk]),
            {"outcome": "rejected", "reasons": "No budget for this"},
        )
    )
    assert "Rejecting ends this procurement" in check
    assert re.search(r'class="govuk-button govuk-button--warning"[^>]*>Reject the report<', check)
    assert not StepDecision.objects.exists()
    decide_on_the_page(client, review, {"outcome": "rejected", "reasons": "No budget for this"})
    review.refresh_from_db()
    assert review.state == GatewayReview.State.REJECTED


def test_a_missing_reason_is_shown_beside_its_field(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    response = client.post(reverse("gateways:decide", args=[review.pk]), {"outcome": "returned"})
    page = response.content.decode()
    assert response.status_code == 200
    # On a page of its own: the summary links to the field, the message sits beside it.
    assert '<a href="#id_reasons">Give your reasons.</a>' in page
    group = re.search(
        r'<div class="govuk-form-group govuk-form-group--error">(.*?)</textarea>', page, re.S
    )
    assert group
    assert 'id="id_reasons-error"' in group.group(1)
    assert 'id="id_reasons"' in group.group(1)
    assert not StepDecision.objects.exists()


def test_the_decision_form_has_its_own_page_for_those_who_may_act(client, people):
    review = submitted(people)
    url = reverse("gateways:decide", args=[review.pk])
    client.force_login(people[Role.BUSINESS_PARTNER])
    assert "Your decision: " in text(client.get(url))
    for role in (Role.PROCUREMENT_OFFICER, Role.EXECUTIVE_DIRECTOR):
        client.force_login(people[role])
        assert client.get(url).status_code == 403


def test_a_consultee_comments_without_a_lone_radio(client, people):
    project = TierBProjectFactory(directorate=people[Role.PROCUREMENT_OFFICER].directorate)
    review = g1_draft(people[Role.PROCUREMENT_OFFICER], project=project)
    review_submit(review=review, by=people[Role.PROCUREMENT_OFFICER])
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    client.force_login(people[Role.CONSULTEE_LEGAL])
    page = client.get(reverse("gateways:review", args=[review.pk])).content.decode()
    assert 'type="radio"' not in page
    assert '<input type="hidden" name="outcome" value="commented"' in page
    assert ">Comments</label>" in page
    done = decide_on_the_page(client, review, {"outcome": "commented", "reasons": "No concerns"})
    assert done.status_code == 302
    decision = StepDecision.objects.get(decided_by=people[Role.CONSULTEE_LEGAL])
    assert decision.reasons == "No concerns"


# --- The report page ---------------------------------------------------------------------------


def test_a_returned_report_shows_its_reasons_at_the_top_and_the_steps_not_reached(client, people):
    review = submitted(people)
    review_decide(
        review=review, by=people[Role.BUSINESS_PARTNER], outcome="returned", reasons="Add lots"
    )
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    response = client.get(reverse("gateways:review", args=[review.pk]))
    page = text(response)
    banner = page.index('id="review-outcome-title"')
    assert banner < page.index("<h1")
    assert "Returned for changes by Bea Partner" in page[banner:]
    assert page.index("Add lots") < page.index("<h1")
    assert [row["status"] for row in response.context["route"]] == [
        "Returned for changes",
        "Not reached",
    ]
    # The report links back to its procurement.
    assert f'href="{review.project.get_absolute_url()}"' in page


def test_a_rejected_report_and_an_approved_one_show_their_steps_as_they_were(client, people):
    review = submitted(people)
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    review_decide(
        review=review, by=people[Role.EXECUTIVE_DIRECTOR], outcome="rejected", reasons="No money"
    )
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    response = client.get(reverse("gateways:review", args=[review.pk]))
    assert [row["status"] for row in response.context["route"]] == ["Completed", "Rejected"]
    assert "Rejected by Dee Director" in text(response)

    other = submitted(people)
    review_decide(review=other, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    review_decide(
        review=other, by=people[Role.EXECUTIVE_DIRECTOR], outcome="approved", **CONSULTATION
    )
    response = client.get(reverse("gateways:review", args=[other.pk]))
    assert [row["status"] for row in response.context["route"]] == ["Completed", "Completed"]


# --- Your gateway reports, on the home page ---------------------------------------------------


def home(client) -> str:
    return text(client.get(reverse("procurement:home")))


def test_the_author_follows_their_reports_on_the_home_page(client, people):
    author = people[Role.PROCUREMENT_OFFICER]
    client.force_login(author)
    assert "Your gateway reports" not in home(client)
    waiting = submitted(people)
    returned = submitted(people)
    review_decide(
        review=returned, by=people[Role.BUSINESS_PARTNER], outcome="returned", reasons="Add lots"
    )
    approved = submitted(people)
    review_decide(review=approved, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    review_decide(
        review=approved, by=people[Role.EXECUTIVE_DIRECTOR], outcome="approved", **CONSULTATION
    )
    in_draft = draft(people)
    page = home(client)
    section = page[page.index("Your gateway reports") :]
    assert "Returned to you for changes" in section
    assert "Returned by Bea Partner" in section
    assert "Add lots" in section
    assert "In review" in section
    assert "At 'Business partner" in section
    assert "with Bea Partner" in section
    assert "Drafts" in section
    assert "Decided" in section
    assert "Approved by Dee Director" in section
    for review in (waiting, returned, approved, in_draft):
        assert reverse("gateways:review", args=[review.pk]) in section
    # Someone else's home page does not list them as theirs.
    client.force_login(people[Role.BUSINESS_PARTNER])
    assert "Your gateway reports" not in home(client)


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("procurement:home")).status_code == 200
    return len(captured)


def test_your_gateway_reports_keep_a_constant_query_count(client, people):
    def one_of_each():
        submitted(people)
        returned = submitted(people)
        review_decide(
            review=returned, by=people[Role.BUSINESS_PARTNER], outcome="returned", reasons="x"
        )
        approved = submitted(people)
        review_decide(review=approved, by=people[Role.BUSINESS_PARTNER], outcome="approved")
        review_decide(
            review=approved, by=people[Role.EXECUTIVE_DIRECTOR], outcome="approved", **CONSULTATION
        )
        draft(people)

    client.force_login(people[Role.PROCUREMENT_OFFICER])
    one_of_each()
    home_queries(client)  # the roles and the page cache warm up
    few = home_queries(client)
    for _ in range(3):
        one_of_each()
    assert home_queries(client) == few


def test_the_decided_list_shows_the_latest_few(client, people):
    for _ in range(6):
        review = submitted(people)
        review_decide(
            review=review, by=people[Role.BUSINESS_PARTNER], outcome="rejected", reasons="No"
        )
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    assert "The latest 5 of 6 decided reports" in home(client)


# --- Wording elsewhere -------------------------------------------------------------------------


def test_the_board_agenda_shows_the_tier(client, people):
    project = TierBProjectFactory(directorate=people[Role.PROCUREMENT_OFFICER].directorate)
    review = g1_draft(people[Role.PROCUREMENT_OFFICER], project=project)
    review_submit(review=review, by=people[Role.PROCUREMENT_OFFICER])
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    for role in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(review=review, by=people[role], outcome="commented", reasons="Fine")
    client.force_login(people[Role.OFFICER_BOARD_MEMBER])
    page = text(client.get(reverse("gateways:board_agenda")))
    assert "Tier B" in page


def test_the_routing_preview_shows_no_address_for_other_systems(client, people):
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    page = client.get(reverse("gateways:routing_preview")).content.decode()
    assert "routing-preview.json" not in page
    assert client.get(reverse("gateways:routing_preview_json")).status_code == 400
