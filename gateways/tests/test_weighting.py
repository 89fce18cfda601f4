"""The evaluation weighting at Gateway 1: the template, the sums, justifications, the 10% social
value rule and the lock once approved."""

from decimal import Decimal

import pytest

from gateways.evaluation import weighting_in_force
from gateways.models import EvaluationCriterion, GatewayReview, StepDecision
from gateways.services import (
    GatewayError,
    WeightingError,
    bid_create,
    bid_score,
    evaluator_add,
    evaluator_declare,
    review_create,
    review_decide,
    review_set_weighting,
    review_submit,
    review_update_report,
)
from gateways.tests.factories import (
    CONSULTATION,
    CONSULTATION_FORM,
    G1_REPORT,
    WEIGHTING,
    ProjectFactory,
    approved_strategy,
    decide_on_the_page,
)
from procurement.models import ContractCategory
from procurement.roles import Role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def people(make_user):
    officer = make_user(Role.PROCUREMENT_OFFICER)
    return {
        "officer": officer,
        "partner": make_user(Role.BUSINESS_PARTNER),
        "director": make_user(Role.EXECUTIVE_DIRECTOR, directorate=officer.directorate),
    }


def strategy(people, **project_fields):
    project = ProjectFactory(directorate=people["officer"].directorate, **project_fields)
    return review_create(
        author=people["officer"], stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )


def weighting(**changes):
    return {**WEIGHTING, **changes}


def test_a_strategy_starts_from_its_categorys_template(people):
    care = ContractCategory.objects.get(name="Care and support services")
    review = strategy(people, category=care)
    assert review.weights == (D(60), D(25), D(15))
    assert review.template_weights == (60, 25, 15)
    assert [(c.group, c.name, c.weight) for c in review.criteria.all()] == [
        ("quality", "Quality", D(60)),
        ("social_value", "Social value", D(15)),
    ]
    assert not review.departs_from_template
    assert review.weighting_problems(list(review.criteria.all())) == []


def test_weights_and_sub_criteria_must_add_up(people):
    review = strategy(people)
    with pytest.raises(WeightingError) as error:
        review_set_weighting(
            review=review,
            by=people["officer"],
            **weighting(
                price=D(39),
                criteria=[
                    ("quality", "Method statement", D(30)),
                    ("quality", "Staffing", D(15)),
                    ("social_value", "Local employment", D(10)),
                ],
            ),
        )
    assert error.value.problems[:2] == [
        "The quality, price and social value weights must add up to 100; they add up to 99",
        "The quality sub-criteria must add up to the quality weight, 50; they add up to 45",
    ]
    review.refresh_from_db()
    assert review.price_weight == D(40)  # nothing written


def test_a_departure_from_the_template_needs_a_justification_shown_to_approvers(people, client):
    review = strategy(people)  # professional services: 50/40/10
    departure = weighting(
        quality=D("62.5"),
        price=D("27.5"),
        criteria=[
            ("quality", "Method statement", D("42.5")),
            ("quality", "Staffing", D(20)),
            ("social_value", "Local employment", D(10)),
        ],
    )
    with pytest.raises(WeightingError, match="departs from the category's template"):
        review_set_weighting(review=review, by=people["officer"], **departure)
    review_set_weighting(
        review=review,
        by=people["officer"],
        weighting_justification="Safeguarding risk outweighs price in this market",
        **departure,
    )
    review.refresh_from_db()
    assert review.departs_from_template
    assert review.history.first().history_change_reason == "Weighting changed"
    assert review.history.first().history_user == people["officer"]
    review_submit(review=review, by=people["officer"])
    client.force_login(people["partner"])
    page = client.get(f"/gateways/reviews/{review.pk}/").content.decode()
    assert "Safeguarding risk outweighs price in this market" in page
    assert "62.5" in page
    assert "Template: Professional and business services" in page


@pytest.mark.parametrize(
    ("value", "justification_needed"),
    [(D("100000.00"), False), (D("100000.01"), True)],
)
def test_social_value_below_ten_percent_over_100k_needs_a_justification(
    people, value, justification_needed
):
    review = strategy(people, estimated_value=value)
    low = weighting(
        price=D(45),
        social_value=D(5),
        criteria=[
            ("quality", "Method statement", D(30)),
            ("quality", "Staffing", D(20)),
            ("social_value", "Local employment", D(5)),
        ],
        weighting_justification="Commodity purchase",
    )
    if justification_needed:
        with pytest.raises(WeightingError, match="Social value is weighted below 10%"):
            review_set_weighting(review=review, by=people["officer"], **low)
        low["social_value_justification"] = "A single national framework supplier"
    review_set_weighting(review=review, by=people["officer"], **low)
    review.refresh_from_db()
    assert review.social_value_below_minimum is justification_needed


def test_the_approver_must_accept_a_social_value_exception_explicitly(people, client):
    review = strategy(people)
    review_set_weighting(
        review=review,
        by=people["officer"],
        **weighting(
            price=D(45),
            social_value=D(5),
            criteria=[
                ("quality", "Method statement", D(30)),
                ("quality", "Staffing", D(20)),
                ("social_value", "Local employment", D(5)),
            ],
            weighting_justification="Commodity purchase",
            social_value_justification="A single national framework supplier",
        ),
    )
    review_submit(review=review, by=people["officer"])
    review_decide(review=review, by=people["partner"], outcome="approved")
    with pytest.raises(GatewayError, match="accept the recorded justification"):
        review_decide(review=review, by=people["director"], outcome="approved", **CONSULTATION)
    # The approver's page shows the justification and asks for the acceptance.
    client.force_login(people["director"])
    url = f"/gateways/reviews/{review.pk}/"
    page = client.get(url).content.decode()
    assert "A single national framework supplier" in page
    assert 'name="accept_social_value_exception"' in page
    decide_on_the_page(
        client,
        review,
        {"outcome": "approved", **CONSULTATION_FORM, "accept_social_value_exception": "on"},
    )
    review.refresh_from_db()
    assert review.state == GatewayReview.State.APPROVED
    decision = StepDecision.objects.get(decided_by=people["director"])
    assert decision.accepted_social_value_exception is True


def test_the_approver_sees_the_acceptance_box_only_where_it_is_needed(people, client):
    review = strategy(people)
    review_submit(review=review, by=people["officer"])
    review_decide(review=review, by=people["partner"], outcome="approved")
    client.force_login(people["director"])
    page = client.get(f"/gateways/reviews/{review.pk}/").content.decode()
    assert "accept_social_value_exception" not in page


def test_the_weighting_is_locked_once_approved_and_changes_through_gateway_1_again(people):
    project = ProjectFactory(directorate=people["officer"].directorate)
    approved = approved_strategy(project, author=people["officer"], **_approvers(people))
    with pytest.raises(GatewayError, match="only while the report is a draft or returned"):
        review_set_weighting(review=approved, by=people["officer"], **WEIGHTING)
    with pytest.raises(GatewayError, match="only while it is a draft or returned"):
        review_update_report(review=approved, fields={"lots": "Three"}, by=people["officer"])
    # A new strategy starts from the weighting in force, and replaces it once approved.
    again = review_create(
        author=people["officer"], stage="G1", summary="Re-weighting", project=project
    )
    assert [(c.name, c.weight) for c in again.criteria.all()] == [
        ("Method statement", D(30)),
        ("Staffing", D(20)),
        ("Local employment", D(10)),
    ]
    assert weighting_in_force(project=project) == approved


def test_the_weighting_cannot_change_once_scoring_has_begun(people, make_user):
    project = ProjectFactory(directorate=people["officer"].directorate)
    approved_strategy(project, author=people["officer"], **_approvers(people))
    evaluator_add(project=project, user=people["officer"], by=people["officer"])
    evaluator_declare(project=project, by=people["officer"], conflict=False)
    from contracts.tests.factories import SupplierFactory

    bid = bid_create(
        project=project, supplier=SupplierFactory(), price=D(100000), by=people["officer"]
    )
    criteria = EvaluationCriterion.objects.filter(review__project=project)
    bid_score(bid=bid, by=people["officer"], scores={c.pk: (3, "") for c in criteria})
    again = review_create(
        author=people["officer"],
        stage="G1",
        summary="Re-weighting",
        project=project,
        report=G1_REPORT,
    )
    with pytest.raises(GatewayError, match="already been scored"):
        review_set_weighting(review=again, by=people["officer"], **WEIGHTING)
    with pytest.raises(GatewayError, match="already been scored"):
        review_submit(review=again, by=people["officer"])


def test_only_the_author_sets_the_weighting(people):
    review = strategy(people)
    with pytest.raises(GatewayError, match="Only the report's author"):
        review_set_weighting(review=review, by=people["partner"], **WEIGHTING)


def weighting_form(split, rows, **fields):
    """What the weighting page posts: the split, then (group, name, weight) rows."""
    data = dict(zip(("quality", "price", "social_value"), split, strict=True))
    data.update({"score_scale_max": "5", "rows": str(len(rows)), **fields})
    for number, (group, name, weight) in enumerate(rows, start=1):
        data.update({f"group_{number}": group, f"name_{number}": name, f"weight_{number}": weight})
    return data


def test_weighting_page_shows_each_problem_in_the_error_summary(people, client):
    review = strategy(people)
    client.force_login(people["officer"])
    response = client.post(
        f"/gateways/reviews/{review.pk}/weighting/",
        weighting_form(
            ("50", "45", "10"),
            [("quality", "Method", "50"), ("social_value", "", "10"), ("quality", "", "")],
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Name sub-criterion 2" in page
    review.refresh_from_db()
    assert review.price_weight == D(40)


def test_weighting_page_saves_a_valid_weighting(people, client):
    review = strategy(people)
    client.force_login(people["officer"])
    response = client.post(
        f"/gateways/reviews/{review.pk}/weighting/",
        weighting_form(
            ("50", "40", "10"),
            [
                ("quality", "Method", "35"),
                ("quality", "Staffing", "15"),
                ("social_value", "Apprenticeships", "10"),
                ("quality", "", ""),
            ],
            score_scale_max="10",
            quality_threshold="55",
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.score_scale_max, review.quality_threshold) == (10, D(55))
    assert [c.name for c in review.criteria.all()] == ["Method", "Staffing", "Apprenticeships"]
    # Someone else cannot open the author's weighting page.
    client.force_login(people["partner"])
    assert client.get(f"/gateways/reviews/{review.pk}/weighting/").status_code == 403


def test_decisions_record_whether_the_exception_was_accepted(people):
    project = ProjectFactory(directorate=people["officer"].directorate)
    approved_strategy(project, author=people["officer"], **_approvers(people))
    assert not StepDecision.objects.filter(accepted_social_value_exception=True).exists()


def _approvers(people):
    return {"partner": people["partner"], "director": people["director"]}
