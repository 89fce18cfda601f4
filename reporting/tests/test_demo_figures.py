"""On the demo council, a figure shown in two places is the same in both: the maturity
evidence, the dashboard and the key contracts page count the same key contracts."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.selectors import running_condition
from maturity import evidence
from performance.selectors import key_condition
from procurement.models import User

pytestmark = pytest.mark.django_db

MEMBER = "member@northmere.example"


@pytest.fixture
def demo(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", contracts=120, stdout=io.StringIO())
    client.force_login(User.objects.get(email=MEMBER))
    return client


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_key_contracts_are_counted_alike_by_the_evidence_the_dashboard_and_their_page(demo):
    today = timezone.localdate()
    shown = evidence.key_contracts_with_kpis(today).figure
    with_kpis, key = (_number(n) for n in re.search(r"\(([\d,]+) of ([\d,]+)\)", shown).groups())
    section = demo.get(reverse("reporting:section", args=["performance"])).content.decode()
    on_dashboard = re.search(r'data-figure="key">([\d,]+)<', section).group(1)
    page = demo.get(reverse("performance:key_contracts")).content.decode()
    on_page = re.search(r"<strong>([\d,]+)</strong> running contracts", page).group(1)
    assert key == _number(on_dashboard) == _number(on_page)
    running_key = Contract.objects.filter(running_condition(today=today)).filter(key_condition())
    assert 0 < with_kpis < key
    assert with_kpis == running_key.filter(kpis__isnull=False).distinct().count()
