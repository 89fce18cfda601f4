"""A rolling contract (no end date) is published with an open contract period."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractFactory
from opendata.tests.ocds_schema import package_problems

pytestmark = pytest.mark.django_db


def test_a_rolling_contracts_period_has_no_end(client, ocds_dir):
    contract = ContractFactory(
        reference="ROLL-1",
        end_date=None,
        review_date=timezone.localdate() + timedelta(days=90),
        extension_options=1,
        extension_option_months=12,
    )
    ocid = f"{settings.OCDS_PREFIX}-{contract.reference}"  # a plain reference keeps its ocid
    package = client.get(reverse("opendata:record", args=[ocid])).json()
    assert package_problems(ocds_dir, package) == []
    period = package["records"][0]["compiledRelease"]["contracts"][0]["period"]
    assert "startDate" in period
    assert "endDate" not in period
    assert "maxExtentDate" not in period
    assert "null" not in json.dumps(period)
