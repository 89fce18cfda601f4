"""Social value through the gateways: measures chosen at Gateway 1, offered in the bids, and the
winning bid's offers made the contract's plan at award."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract
from gateways.models import BidCommitment
from gateways.services import (
    GatewayError,
    bid_offers_set,
    evaluator_add,
    evaluator_declare,
    measures_choose,
    review_create,
    review_decide,
    review_submit,
)
from gateways.tests.factories import CONSULTATION, G1_REPORT, ProjectFactory, approved_strategy
from gateways.tests.test_evaluation import bids, evaluate_all, g2_report
from procurement.roles import Role
from socialvalue.models import Commitment, Measure, MeasureLibrary

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    return {
        "officer": officer,
        "colleague": make_user(Role.CONTRACT_MANAGER, directorate=officer.directorate),
        "partner": make_user(Role.BUSINESS_PARTNER),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=officer.directorate),
    }


def council_measures(*codes):
    default = MeasureLibrary.objects.order_by("pk").first()
    return [Measure.objects.get(library=default, code=code) for code in codes]


@pytest.fixture
def project(people):
    project = ProjectFactory(directorate=people["officer"].directorate)
    approved_strategy(
        project,
        author=people["officer"],
        partner=people["partner"],
        director=people["director"],
        measures=council_measures("LSV4", "LSV5"),
    )
    for who in ("officer", "colleague"):
        evaluator_add(project=project, user=people[who], by=people["officer"])
        evaluator_declare(project=project, by=people[who], conflict=False)
    return project


def test_gateway_1_chooses_a_short_list_from_one_library(people):
    project = ProjectFactory(directorate=people["officer"].directorate)
    review = review_create(
        author=people["officer"], stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )
    with pytest.raises(GatewayError, match="Only the report's author"):
        measures_choose(review=review, measures=council_measures("LSV1"), by=people["partner"])
    other = MeasureLibrary.objects.create(name="Another", version="1")
    outcome = council_measures("LSV1")[0].outcome
    many = [
        Measure.objects.create(
            library=other, outcome=outcome, code=f"M{n}", description="x", unit="h"
        )
        for n in range(11)
    ]
    with pytest.raises(GatewayError, match="at most 10"):
        measures_choose(review=review, measures=many, by=people["officer"])
    with pytest.raises(GatewayError, match="from one library"):
        measures_choose(
            review=review, measures=[many[0], *council_measures("LSV1")], by=people["officer"]
        )
    measures_choose(review=review, measures=council_measures("LSV5", "LSV4"), by=people["officer"])
    assert [c.measure.code for c in review.chosen_measures.all()] == ["LSV5", "LSV4"]
    measures_choose(review=review, measures=council_measures("LSV4"), by=people["officer"])
    assert [c.measure.code for c in review.chosen_measures.all()] == ["LSV4"]


def test_a_new_strategy_starts_from_the_measures_in_force(project, people):
    again = review_create(
        author=people["officer"], stage="G1", summary="Rethink", project=project, report=G1_REPORT
    )
    assert [c.measure.code for c in again.chosen_measures.all()] == ["LSV4", "LSV5"]


def test_bids_offer_against_the_chosen_measures_only(project, people):
    made = bids(project, people)
    hours, trainees = council_measures("LSV4", "LSV5")
    bid = made["Xenon"]
    bid_offers_set(
        bid=bid,
        offers={hours.pk: (D(500), date(2029, 3, 31)), trainees.pk: None},
        by=people["partner"],
    )
    assert [(o.measure.code, o.quantity) for o in bid.commitments.all()] == [("LSV4", 500)]
    [lsv1] = council_measures("LSV1")
    with pytest.raises(GatewayError, match="chosen at Gateway 1"):
        bid_offers_set(bid=bid, offers={lsv1.pk: (D(1), date(2029, 1, 1))}, by=people["partner"])
    with pytest.raises(GatewayError, match="leave both blank"):
        bid_offers_set(
            bid=bid, offers={trainees.pk: (D(0), date(2029, 1, 1))}, by=people["partner"]
        )
    # Withdrawn offers go; the history keeps them.
    bid_offers_set(bid=bid, offers={}, by=people["partner"])
    assert not bid.commitments.exists()
    assert BidCommitment.history.filter(history_type="-").count() == 1


def test_the_winning_bids_offers_become_the_contracts_plan(project, people):
    made = bids(project, people)
    hours, trainees = council_measures("LSV4", "LSV5")
    for name, quantity in (("Yarrow", 800), ("Xenon", 300)):
        bid_offers_set(
            bid=made[name],
            offers={
                hours.pk: (D(quantity), date(2030, 3, 31)),
                trainees.pk: (D(6), date(2029, 3, 31)),
            },
            by=people["partner"],
        )
    evaluate_all(project, people, made)
    with pytest.raises(GatewayError, match="moderated, so its offer can no longer change"):
        bid_offers_set(bid=made["Yarrow"], offers={}, by=people["partner"])
    report = g2_report(project, people, made["Yarrow"].supplier)
    review_submit(review=report, by=people["officer"])
    review_decide(review=report, by=people["partner"], outcome="approved")
    review_decide(review=report, by=people["director"], outcome="approved", **CONSULTATION)
    contract = Contract.objects.get(reference=project.reference)
    plan = Commitment.objects.filter(contract=contract).order_by("measure__order")
    assert [(c.measure.code, c.quantity, c.target_date, c.source) for c in plan] == [
        ("LSV4", 800, date(2030, 3, 31), Commitment.Source.AWARD),
        ("LSV5", 6, date(2029, 3, 31), Commitment.Source.AWARD),
    ]
    record = plan[0].history.get()
    assert record.history_user == people["director"]
    assert (
        record.history_change_reason == f"Offered in the winning bid (Gateway 2 report {report.pk})"
    )


def test_the_evaluation_and_report_pages_show_the_offers(project, people, client):
    made = bids(project, people)
    hours, _ = council_measures("LSV4", "LSV5")
    client.force_login(people["partner"])
    url = reverse("gateways:bid_offers", args=[project.pk, made["Zephyr"].pk])
    response = client.post(
        url,
        {
            f"quantity_{hours.pk}": "1,500",
            f"target_date_{hours.pk}_day": "",
            f"target_date_{hours.pk}_month": "",
            f"target_date_{hours.pk}_year": "",
        },
    )
    assert "Enter the date LSV4 is offered by" in response.content.decode()
    assert not BidCommitment.objects.exists()
    response = client.post(
        url,
        {
            f"quantity_{hours.pk}": "1,500",
            f"target_date_{hours.pk}_day": "31",
            f"target_date_{hours.pk}_month": "3",
            f"target_date_{hours.pk}_year": "2030",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("gateways:evaluation", args=[project.pk])).content.decode()
    assert "LSV4: 1,500 hours by 31 March 2030" in page
    strategy = project.reviews.get(stage="G1")
    page = client.get(reverse("gateways:review", args=[strategy.pk])).content.decode()
    assert "Number of hours of volunteering undertaken" in page
