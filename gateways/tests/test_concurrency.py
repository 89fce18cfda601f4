"""Two people acting on the same step at once: exactly one succeeds (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connections

from gateways.models import GatewayReview, StepDecision
from gateways.services import GatewayError, review_decide, review_submit
from gateways.tests.factories import g1_draft
from procurement.roles import Role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_partners_approving_the_same_step_at_once_give_one_approval(postgres, make_user):
    author = make_user(Role.PROCUREMENT_OFFICER)
    partners = [make_user(Role.BUSINESS_PARTNER), make_user(Role.BUSINESS_PARTNER)]
    review = g1_draft(author)
    review_submit(review=review, by=author)
    start = threading.Barrier(len(partners))
    outcomes: list[str] = []

    def approve(partner) -> None:
        try:
            start.wait(timeout=10)
            review_decide(
                review=GatewayReview.objects.get(pk=review.pk),
                by=partner,
                outcome=StepDecision.Outcome.APPROVED,
            )
            outcomes.append("approved")
        except GatewayError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(p,)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("approved") == 1
    refused = next(o for o in outcomes if o != "approved")
    assert "has already acted at 'Business partner or head of procurement review'" in refused
    assert refused.endswith("the report is now with executive director.")
    assert StepDecision.objects.filter(step__order=1).count() == 1
