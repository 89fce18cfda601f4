"""The demo council has a signed quarter (challenged, answered, signed) and one in review."""

import io

import pytest
from django.core.management import call_command

from assurance.models import QuarterlyReport, ReviewComment, SignOff

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_signed_quarter_and_one_in_review(settings):
    settings.DEBUG = True
    call_command("seed_demo", contracts=40, stdout=io.StringIO())
    in_review, signed = QuarterlyReport.objects.order_by("-financial_year", "-quarter")
    assert in_review.status == QuarterlyReport.Status.IN_REVIEW
    assert signed.status == QuarterlyReport.Status.SIGNED
    assert set(signed.sign_offs.values_list("kind", flat=True)) == set(SignOff.Kind.values)
    assert set(signed.comments.values_list("kind", flat=True)) == {
        ReviewComment.Kind.CHALLENGE,
        ReviewComment.Kind.RESPONSE,
    }
    assert signed.figures["key_contracts"]
    call_command("seed_demo", contracts=40, stdout=io.StringIO())
    assert QuarterlyReport.objects.count() == 2
