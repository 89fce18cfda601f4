from datetime import date
from decimal import Decimal

import factory

from gateways.models import ProcurementProject
from procurement.models import ContractCategory
from procurement.roles import Role
from procurement.tests.factories import DirectorateFactory, UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A procurement on the forward plan, in Tier A (£500,000) unless told otherwise."""

    class Meta:
        model = ProcurementProject

    reference = factory.Sequence(lambda n: f"PP-{n:04d}")
    title = factory.Sequence(lambda n: f"Procurement {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    category = factory.LazyFunction(
        lambda: ContractCategory.objects.get(name="Professional and business services")
    )
    estimated_value = Decimal("500000.00")
    lead_officer = factory.SubFactory(UserFactory, roles=[Role.PROCUREMENT_OFFICER])


class TierBProjectFactory(ProjectFactory):
    estimated_value = Decimal("2000000.00")


# A complete Gateway 1 report: what the procurement strategy must say before it is submitted.
G1_REPORT = {
    "strategy_route": "tender",
    "timetable": "Tender in March, award in June, start in October",
    "risks": "Provider market is thin in the north of the borough",
    "social_value_approach": "10% weighting; local apprenticeships",
}


# The worked example's weighting: the template for professional services (50/40/10), with two
# quality sub-criteria and one for social value, scored 0 to 5.
WEIGHTING = {
    "quality": Decimal(50),
    "price": Decimal(40),
    "social_value": Decimal(10),
    "criteria": [
        ("quality", "Method statement", Decimal(30)),
        ("quality", "Staffing", Decimal(20)),
        ("social_value", "Local employment", Decimal(10)),
    ],
}
CONSULTATION = {
    "consulted": "Cllr Adeyemi",
    "consulted_on": date(2026, 11, 18),
    "consultation_notes": "Content to proceed.",
}
# The same consultation as the decision form posts it.
CONSULTATION_FORM = {
    "consulted": "Cllr Adeyemi",
    "consulted_on_day": "18",
    "consulted_on_month": "11",
    "consulted_on_year": "2026",
    "consultation_notes": "Content to proceed.",
}


def g1_draft(author, *, project=None):
    """A Gateway 1 strategy drafted by ``author``, for ``project`` or else a Tier A project of
    their directorate."""
    from gateways.services import review_create

    return review_create(
        author=author,
        stage="G1",
        summary="Strategy",
        project=project or ProjectFactory(directorate=author.directorate),
        report=G1_REPORT,
    )


def approved_strategy(
    project, *, author, partner, director, weighting=None, measures=(), **decision
):
    """Take a Gateway 1 strategy for a Tier A project through to approval, with ``weighting``
    and the social value ``measures`` chosen for bidders."""
    from gateways.services import (
        measures_choose,
        review_create,
        review_decide,
        review_set_weighting,
        review_submit,
    )

    review = review_create(
        author=author, stage="G1", summary="Strategy", project=project, report=G1_REPORT
    )
    review_set_weighting(review=review, by=author, **(weighting or WEIGHTING))
    if measures:
        measures_choose(review=review, measures=list(measures), by=author)
    review_submit(review=review, by=author)
    review_decide(review=review, by=partner, outcome="approved")
    review_decide(review=review, by=director, outcome="approved", **CONSULTATION, **decision)
    review.refresh_from_db()
    return review


def decide_on_the_page(client, review, data: dict):
    """Post a decision from the report's page, then confirm it on the check page that follows,
    as a person does; the confirmation's response."""
    from django.urls import reverse

    url = reverse("gateways:decide", args=[review.pk])
    check = client.post(url, data)
    assert check.status_code == 200, check.status_code
    assert "Check your decision before recording it" in check.content.decode()
    checked = {"confirm": "yes", "step": check.context["step"].pk}
    return client.post(url, {**data, **checked, "round": check.context["review"].round})
