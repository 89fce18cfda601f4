"""The evaluation panel, bids, scores and moderation, the Gateway 2 recommendation, the summary
sent to bidders, who may see what, and the reporting figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.tests.factories import SupplierFactory
from gateways.evaluation import evaluation_for
from gateways.models import EvaluationCriterion, Evaluator, ModeratedScore
from gateways.selectors import weighting_report
from gateways.services import (
    GatewayError,
    bid_create,
    bid_moderate,
    bid_score,
    evaluator_add,
    evaluator_declare,
    review_create,
    review_decide,
    review_submit,
)
from gateways.tests.factories import CONSULTATION, ProjectFactory, approved_strategy
from procurement.roles import Role

pytestmark = pytest.mark.django_db
D = Decimal
# Hand-worked (see test_scoring): Yarrow 90.10, Xenon 86.00, Zephyr 67.33.
SCORES = {"Xenon": (4, 3, 5), "Yarrow": (5, 4, 3), "Zephyr": (3, 3, 2)}
PRICES = {"Xenon": "100000.00", "Yarrow": "105000.00", "Zephyr": "120000.00"}


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    return {
        "officer": officer,
        "colleague": make_user(Role.CONTRACT_MANAGER, directorate=officer.directorate),
        "partner": make_user(Role.BUSINESS_PARTNER),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=officer.directorate),
        "member": make_user(Role.LEAD_MEMBER, directorate=officer.directorate),
        "other_officer": make_user(Role.PROCUREMENT_OFFICER),
    }


@pytest.fixture
def project(people):
    project = ProjectFactory(directorate=people["officer"].directorate, baseline_cost=D("40000.00"))
    approved_strategy(
        project, author=people["officer"], partner=people["partner"], director=people["director"]
    )
    for who in ("officer", "colleague"):
        evaluator_add(project=project, user=people[who], by=people["officer"])
        evaluator_declare(project=project, by=people[who], conflict=False)
    return project


def criteria(project):
    return list(EvaluationCriterion.objects.filter(review__project=project).order_by("order"))


def scores_of(project, values, text=""):
    return {c.pk: (v, text) for c, v in zip(criteria(project), values, strict=True)}


def bids(project, people, names=("Xenon", "Yarrow", "Zephyr")):
    made = {}
    for name in names:
        made[name] = bid_create(
            project=project,
            supplier=SupplierFactory(name=name),
            price=D(PRICES[name]),
            by=people["officer"],
        )
    return made


def evaluate_all(project, people, made):
    for name, bid in made.items():
        for who in ("officer", "colleague"):
            bid_score(bid=bid, by=people[who], scores=scores_of(project, SCORES[name]))
        bid_moderate(bid=bid, by=people["partner"], scores=scores_of(project, SCORES[name]))


def g2_report(project, people, supplier, **fields):
    return review_create(
        author=people["officer"],
        stage="G2",
        summary="Award",
        project=project,
        report={
            "tender_outcome": "Three compliant bids",
            "recommended_supplier": supplier,
            "award_value": D(PRICES.get(supplier.name, "1")),
            "contract_start": date(2027, 4, 1),
            "contract_end": date(2030, 3, 31),
            "contract_lead_director": people["director"],
            **fields,
        },
    )


def test_the_ranking_reproduces_the_hand_worked_example(project, people):
    evaluate_all(project, people, bids(project, people))
    evaluation = evaluation_for(project=project)
    assert evaluation.is_complete
    assert [(r.bid.supplier.name, r.result.rank, r.result.total) for r in evaluation.ranking] == [
        ("Yarrow", 1, D("90.10")),
        ("Xenon", 2, D("86.00")),
        ("Zephyr", 3, D("67.33")),
    ]


def test_moderation_waits_for_every_evaluator_and_notes_each_change(project, people):
    bid = bids(project, people, names=("Xenon",))["Xenon"]
    bid_score(bid=bid, by=people["officer"], scores=scores_of(project, (4, 3, 5)))
    with pytest.raises(GatewayError, match=f"Waiting for scores from {people['colleague']}"):
        bid_moderate(bid=bid, by=people["partner"], scores=scores_of(project, (4, 3, 5)))
    bid_score(bid=bid, by=people["colleague"], scores=scores_of(project, (2, 3, 5)))
    with pytest.raises(GatewayError, match="Give a note for 'Method statement'"):
        bid_moderate(bid=bid, by=people["partner"], scores=scores_of(project, (3, 3, 5)))
    scores = scores_of(project, (3, 3, 5))
    scores[criteria(project)[0].pk] = (3, "Agreed 3: partial evidence of mobilisation")
    bid_moderate(bid=bid, by=people["partner"], scores=scores)
    moderated = ModeratedScore.objects.get(bid=bid, criterion=criteria(project)[0])
    assert (moderated.score, moderated.note) == (3, "Agreed 3: partial evidence of mobilisation")
    assert moderated.history.first().history_user == people["partner"]
    # Once moderated, an evaluator's own score stands as given.
    with pytest.raises(GatewayError, match="have been moderated"):
        bid_score(bid=bid, by=people["officer"], scores=scores_of(project, (5, 5, 5)))


def test_a_declared_conflict_removes_the_evaluator(project, people, make_user):
    newcomer = make_user(Role.CONTRACT_MANAGER)
    evaluator_add(project=project, user=newcomer, by=people["officer"])
    assert not newcomer.has_perm("gateways.view_bids", project)  # not before declaring
    with pytest.raises(GatewayError, match="Describe the conflict"):
        evaluator_declare(project=project, by=newcomer, conflict=True)
    evaluator_declare(project=project, by=newcomer, conflict=True, details="Spouse works at Xenon")
    assert Evaluator.objects.get(user=newcomer).declaration == "conflict"
    assert not newcomer.has_perm("gateways.view_bids", project)
    bid = bids(project, people, names=("Xenon",))["Xenon"]
    with pytest.raises(PermissionDenied):
        bid_score(bid=bid, by=newcomer, scores=scores_of(project, (1, 1, 1)))
    with pytest.raises(GatewayError, match="declared a conflict"):
        evaluator_declare(project=project, by=newcomer, conflict=False)
    # The removed member's absence does not hold up moderation.
    for who in ("officer", "colleague"):
        bid_score(bid=bid, by=people[who], scores=scores_of(project, (4, 3, 5)))
    bid_moderate(bid=bid, by=people["partner"], scores=scores_of(project, (4, 3, 5)))


def test_bids_need_an_approved_weighting(people):
    project = ProjectFactory(directorate=people["officer"].directorate)
    with pytest.raises(GatewayError, match="approved at Gateway 1"):
        bid_create(project=project, supplier=SupplierFactory(), price=D(1), by=people["partner"])


def test_gateway_2_needs_a_complete_evaluation_and_a_reason_to_pass_over_the_top_bid(
    project, people
):
    made = bids(project, people)
    report = g2_report(project, people, made["Xenon"].supplier)
    with pytest.raises(GatewayError, match="Moderate the scores of every bid"):
        review_submit(review=report, by=people["officer"])
    evaluate_all(project, people, made)
    with pytest.raises(GatewayError, match="Xenon is ranked 2, not first: say why"):
        review_submit(review=report, by=people["officer"])
    from gateways.services import review_update_report

    review_update_report(
        review=report,
        fields={"recommendation_justification": "Yarrow failed the financial standing check"},
        by=people["officer"],
    )
    review_submit(review=report, by=people["officer"])
    # The evaluation is frozen while the approvers decide.
    with pytest.raises(GatewayError, match="cannot change"):
        bid_create(project=project, supplier=SupplierFactory(), price=D(1), by=people["partner"])


def test_a_bid_below_the_threshold_cannot_be_recommended(people):
    from gateways.tests.factories import WEIGHTING

    project = ProjectFactory(directorate=people["officer"].directorate)
    approved_strategy(
        project,
        author=people["officer"],
        partner=people["partner"],
        director=people["director"],
        weighting={**WEIGHTING, "quality_threshold": D(60)},
    )
    evaluator_add(project=project, user=people["officer"], by=people["officer"])
    evaluator_declare(project=project, by=people["officer"], conflict=False)
    cheap = bid_create(
        project=project,
        supplier=SupplierFactory(name="Vetch"),
        price=D(80000),
        by=people["officer"],
    )
    bid_score(bid=cheap, by=people["officer"], scores=scores_of(project, (2, 2, 5)))
    bid_moderate(bid=cheap, by=people["officer"], scores=scores_of(project, (2, 2, 5)))
    report = g2_report(project, people, cheap.supplier, award_value=D(80000))
    with pytest.raises(GatewayError, match=r"Vetch cannot be recommended: quality 20\.00 is below"):
        review_submit(review=report, by=people["officer"])


def test_only_the_panel_and_the_central_team_see_individual_scores_before_award(
    project, people, client
):
    made = bids(project, people)
    evaluate_all(project, people, made)
    url = f"/gateways/projects/{project.pk}/evaluation/"
    seen = {}
    for who in ("officer", "partner", "member", "other_officer", "director"):
        client.force_login(people[who])
        page = client.get(url).content.decode()
        seen[who] = ("£105,000.00" in page, f"({people['colleague'].get_full_name()})" in page)
    assert seen["officer"] == seen["partner"] == (True, True)
    assert {seen[w] for w in ("member", "other_officer", "director")} == {(False, False)}
    client.force_login(people["member"])
    bid = made["Xenon"]
    for path in ("score", "moderate"):
        assert client.get(f"{url}bids/{bid.pk}/{path}/").status_code == 403
    assert client.get(f"{url}summary/").status_code == 403
    # After the award, the record is open to everyone with a role.
    report = g2_report(
        project,
        people,
        made["Yarrow"].supplier,
    )
    review_submit(review=report, by=people["officer"])
    review_decide(review=report, by=people["partner"], outcome="approved")
    review_decide(review=report, by=people["director"], outcome="approved", **CONSULTATION)
    assert people["member"].has_perm("gateways.view_bids", project)
    assert "£105,000.00" in client.get(url).content.decode()


def test_someone_elses_bid_id_in_the_url_is_not_found(project, people, client):
    made = bids(project, people, names=("Xenon",))
    other = ProjectFactory(directorate=people["officer"].directorate)
    client.force_login(people["officer"])
    url = f"/gateways/projects/{other.pk}/evaluation/bids/{made['Xenon'].pk}/score/"
    assert client.get(url).status_code == 404


def test_gateway_2_page_shows_ranking_recommendation_and_savings(project, people, client):
    made = bids(project, people)
    evaluate_all(project, people, made)
    report = g2_report(project, people, made["Yarrow"].supplier)
    review_submit(review=report, by=people["officer"])
    client.force_login(people["director"])
    page = client.get(f"/gateways/reviews/{report.pk}/").content.decode()
    assert "90.10" in page
    assert "67.33" in page
    assert "Recommended" in page
    # Baseline £40,000 a year over 1/4/2027 to 31/3/2030 (3 years) = £120,000, less £105,000.
    assert "£15,000.00 (12.5%)" in page
    # The approver sees moderated scores, never the evaluators' own.
    assert people["colleague"].get_full_name() not in page


def test_the_summary_for_a_bidder_anonymises_the_others(project, people, client):
    made = bids(project, people)
    evaluate_all(project, people, made)
    client.force_login(people["partner"])
    url = f"/gateways/projects/{project.pk}/evaluation/summary/"
    published = client.get(url).content.decode()
    assert all(name in published for name in ("Xenon", "Yarrow", "Zephyr"))
    for_xenon = client.get(url, {"bidder": made["Xenon"].pk}).content.decode()
    assert "Xenon" in for_xenon
    assert "Yarrow" not in for_xenon
    assert "Zephyr" not in for_xenon
    assert "Bidder A" in for_xenon
    assert "Bidder B" in for_xenon
    assert "£100,000.00" in for_xenon  # its own price
    assert "£120,000.00" not in for_xenon  # not another's
    assert client.get(url, {"bidder": 999999}).status_code == 404


def test_the_evaluation_page_costs_the_same_queries_for_more_bids(project, people, client):
    client.force_login(people["partner"])
    url = f"/gateways/projects/{project.pk}/evaluation/"
    evaluate_all(project, people, bids(project, people, names=("Xenon",)))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    evaluate_all(project, people, bids(project, people, names=("Yarrow", "Zephyr")))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few) == len(more)


def test_reporting_figures_weights_by_category_and_social_value_share(project, people):
    made = bids(project, people)
    evaluate_all(project, people, made)
    report = g2_report(project, people, made["Yarrow"].supplier)
    review_submit(review=report, by=people["officer"])
    review_decide(review=report, by=people["partner"], outcome="approved")
    review_decide(review=report, by=people["director"], outcome="approved", **CONSULTATION)
    figures = weighting_report()
    assert figures["by_category"] == [
        {
            "category": "Professional and business services",
            "count": 1,
            "quality": D("50.00"),
            "price": D("40.00"),
            "social_value": D("10.00"),
            "template": (50, 40, 10),
            "departures": 0,
        }
    ]
    assert (figures["awards_weighted"], figures["awards_with_social_value"]) == (1, 1)
    assert figures["social_value_share"] == D("100.00")
    assert figures["departures"] == []
    # The award put the recommended bidder's contract on the register.
    assert project.reviews.get(stage="G2").state == "approved"


def test_a_named_evaluator_is_asked_on_their_home_page_to_declare(people, client, make_user):
    project = ProjectFactory(directorate=people["officer"].directorate)
    newcomer = make_user(Role.CONTRACT_MANAGER)
    evaluator_add(project=project, user=newcomer, by=people["officer"])
    client.force_login(newcomer)
    page = client.get("/").content.decode()
    assert "Conflict of interest declarations to make" in page
    assert f"/gateways/projects/{project.pk}/evaluation/declaration/" in page
    response = client.post(
        f"/gateways/projects/{project.pk}/evaluation/declaration/", {"conflict": "yes"}
    )
    assert "Describe the conflict of interest" in response.content.decode()
    client.post(f"/gateways/projects/{project.pk}/evaluation/declaration/", {"conflict": "no"})
    assert "Conflict of interest declarations to make" not in client.get("/").content.decode()
