"""Gateway pages: the queue on the home page, the review page, deciding, submitting, withdrawing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gateways.models import GatewayReview, StepDecision
from gateways.services import review_create, review_decide, review_submit
from gateways.tests.factories import (
    G1_REPORT,
    ProjectFactory,
    TierBProjectFactory,
    decide_on_the_page,
    g1_draft,
)
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    # One directorate: its executive director and lead member decide its procurements.
    directorate = DirectorateFactory()
    return {role: make_user(role, directorate=directorate) for role in Role}


def submitted(people, project=None):
    author = people[Role.PROCUREMENT_OFFICER]
    project = project or ProjectFactory()
    project.directorate = author.directorate
    project.save()
    review = review_create(
        author=author, stage="G1", summary="Procurement strategy", project=project, report=G1_REPORT
    )
    return review_submit(review=review, by=author)


def attention(client, user) -> dict[str, int]:
    client.force_login(user)
    items = client.get(reverse("procurement:home")).context["attention_items"]
    return {item.title: item.count for item in items}


def test_the_queue_follows_whose_turn_it_is(client, people):
    review = submitted(people)
    assert attention(client, people[Role.BUSINESS_PARTNER]) == {
        "Gateway reports awaiting your decision": 1
    }
    assert attention(client, people[Role.EXECUTIVE_DIRECTOR]) == {}
    assert attention(client, people[Role.PROCUREMENT_OFFICER]) == {}
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    assert attention(client, people[Role.BUSINESS_PARTNER]) == {}
    assert attention(client, people[Role.EXECUTIVE_DIRECTOR]) == {
        "Gateway reports awaiting your decision": 1
    }
    page = client.get(reverse("gateways:awaiting")).content.decode()
    assert "Executive director sign-off" in page


def test_deciding_on_the_review_page(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    page = client.get(reverse("gateways:review", args=[review.pk]))
    assert page.context["form"] is not None
    assert [c[0] for c in page.context["form"].fields["outcome"].choices] == [
        "approved",
        "referred",
        "returned",
        "rejected",
    ]
    refused = client.post(reverse("gateways:decide", args=[review.pk]), {"outcome": "returned"})
    assert refused.status_code == 200
    assert "Give your reasons" in refused.content.decode()
    assert "There is a problem" in refused.content.decode()
    done = decide_on_the_page(client, review, {"outcome": "approved"})
    assert done.status_code == 302
    assert StepDecision.objects.get().decided_by == people[Role.BUSINESS_PARTNER]


def test_someone_not_at_the_step_cannot_decide_on_the_page(client, people):
    review = submitted(people)
    client.force_login(people[Role.LEAD_MEMBER])
    assert client.get(reverse("gateways:review", args=[review.pk])).context["form"] is None
    response = client.post(reverse("gateways:decide", args=[review.pk]), {"outcome": "approved"})
    assert response.status_code == 403
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    response = client.post(reverse("gateways:decide", args=[review.pk]), {"outcome": "approved"})
    assert response.status_code == 403
    assert not StepDecision.objects.exists()


def test_the_author_submits_and_withdraws_on_the_page(client, people):
    author = people[Role.PROCUREMENT_OFFICER]
    review = g1_draft(author)
    client.force_login(author)
    assert client.get(reverse("gateways:review", args=[review.pk])).context["may_submit"]
    client.post(reverse("gateways:submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.state == GatewayReview.State.IN_REVIEW
    client.post(reverse("gateways:withdraw", args=[review.pk]), {"reason": "Budget withdrawn"})
    review.refresh_from_db()
    assert review.state == GatewayReview.State.WITHDRAWN


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_and_review_pages_keep_a_constant_query_count(client, people):
    review = submitted(people, TierBProjectFactory())
    client.force_login(people[Role.BUSINESS_PARTNER])
    urls = [reverse("gateways:awaiting"), reverse("gateways:review", args=[review.pk])]
    before = [queries(client, url) for url in urls]
    for _ in range(5):
        submitted(people, TierBProjectFactory())
    review_decide(review=review, by=people[Role.HEAD_OF_PROCUREMENT], outcome="approved")
    for consultee in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE):
        review_decide(review=review, by=people[consultee], outcome="commented", reasons="Fine")
    assert [queries(client, url) for url in urls] == before


def test_the_board_agenda_lists_reports_at_the_board_with_consultees_comments(client, people):
    review = submitted(people, TierBProjectFactory(title="Home care"))
    other = submitted(people, TierBProjectFactory(title="Fleet"))
    review_decide(review=review, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    review_decide(review=other, by=people[Role.BUSINESS_PARTNER], outcome="approved")
    for consultee in (Role.CONSULTEE_LEGAL, Role.CONSULTEE_FINANCE, Role.CONSULTEE_COMMUNICATIONS):
        review_decide(
            review=review,
            by=people[consultee],
            outcome="commented",
            reasons=f"{consultee.label} content",
        )
    client.force_login(people[Role.OFFICER_BOARD_MEMBER])
    response = client.get(reverse("gateways:board_agenda"))
    assert [r.pk for r, _ in response.context["agenda"]] == [review.pk]
    assert (
        "Statutory consultee (legal): Statutory consultee (legal) content"
        in response.content.decode()
    )


def test_the_route_says_each_consultee_comments_and_any_one_checker_checks(client, people):
    review = submitted(people, TierBProjectFactory())
    client.force_login(people[Role.PROCUREMENT_OFFICER])
    page = client.get(reverse("gateways:review", args=[review.pk])).content.decode()
    assert "By any one of Business partner or Head of procurement" in page
    assert (
        "By each of Statutory consultee (communications), Statutory consultee (finance) and "
        "Statutory consultee (legal)"
    ) in page


def test_the_approver_sees_the_extension_tests_and_the_exception(client, people):
    from contracts.tests.factories import ContractWithOptionsFactory

    partner = people[Role.BUSINESS_PARTNER]
    review = review_create(
        author=partner,
        stage="G3",
        summary="Extend",
        contract=ContractWithOptionsFactory(),
        is_extension=True,
        report={
            "performance_evidence": "All KPIs green",
            "exception_justification": "No savings possible in a fixed-price market",
        },
    )
    # Still a draft, so read by the central team (an executive director sees it once submitted).
    client.force_login(people[Role.HEAD_OF_PROCUREMENT])
    page = client.get(reverse("gateways:review", args=[review.pk])).content.decode()
    assert (
        "That satisfactory performance/delivery of the contract has been achieved through the "
        "initial contract period"
    ) in page
    assert "All KPIs green" in page
    assert "Not shown" in page
    assert "No savings possible in a fixed-price market" in page


def test_the_author_completes_the_report_before_submitting(client, people):
    author = people[Role.PROCUREMENT_OFFICER]
    review = review_create(
        author=author,
        stage="G1",
        summary="Strategy",
        project=ProjectFactory(directorate=author.directorate),
    )
    client.force_login(author)
    client.post(reverse("gateways:submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.state == GatewayReview.State.DRAFT
    url = reverse("gateways:report", args=[review.pk])
    form = client.get(url).context["form"]
    assert list(form.fields) == [
        "summary",
        "strategy_route",
        "lots",
        "timetable",
        "risks",
        "social_value_approach",
        "exception_justification",
    ]
    response = client.post(
        url,
        {
            "summary": "Procurement strategy for home care",
            "strategy_route": "tender",
            "timetable": "Tender March; award June",
            "risks": "Thin market",
            "social_value_approach": "15% weighting",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.strategy_route, review.risks) == ("tender", "Thin market")
    assert review.history.latest().history_change_reason == "Report updated"
    client.post(reverse("gateways:submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.state == GatewayReview.State.IN_REVIEW
    # Once submitted, the report is fixed until it is returned.
    assert client.get(url)["Location"] == reverse("gateways:review", args=[review.pk])


def test_an_incomplete_report_is_refused_with_what_is_missing(people):
    from gateways.services import GatewayError

    author = people[Role.PROCUREMENT_OFFICER]
    review = review_create(
        author=author,
        stage="G1",
        summary="x",
        project=ProjectFactory(directorate=author.directorate),
    )
    with pytest.raises(
        GatewayError, match="Complete the report before submitting it: the procurement route"
    ):
        review_submit(review=review, by=author)


def test_only_the_author_edits_the_report(client, people):
    review = submitted(people)
    client.force_login(people[Role.BUSINESS_PARTNER])
    assert client.get(reverse("gateways:report", args=[review.pk])).status_code == 403


def test_the_author_of_a_submitted_report_is_told_it_is_fixed(client, people):
    review = submitted(people)
    client.force_login(review.author)
    url = reverse("gateways:report", args=[review.pk])
    for response in (client.get(url, follow=True), client.post(url, {}, follow=True)):
        assert response.redirect_chain == [(reverse("gateways:review", args=[review.pk]), 302)]
        assert "The report is fixed once it is submitted: it is in review" in (
            response.content.decode()
        )
    review.refresh_from_db()
    assert review.state == "in_review"
