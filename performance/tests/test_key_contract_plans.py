"""Key contracts have one definition (over £1.5m or rated high risk) for the key contracts page,
the reports, continuity and exit plans and their data-quality gap; the health check interval
keeps its own rule (over £1.5m) and pages call it so."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import selectors as contract_selectors
from contracts.selectors import data_quality_problems
from contracts.tests.factories import ContractFactory, SupplierFactory
from performance import selectors as performance_selectors
from performance.selectors import supplier_resilience
from procurement.roles import Role
from procurement.thresholds import HEALTH_CHECK_MONTHS, KEY_CONTRACT_ABOVE

from .test_resilience import _plan

pytestmark = pytest.mark.django_db

SMALL = Decimal("200000.00")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _running(**fields):
    today = timezone.localdate()
    return ContractFactory(
        start_date=today - timedelta(days=100), end_date=today + timedelta(days=400), **fields
    )


def _gaps(name):
    condition = data_quality_problems(today=timezone.localdate())[name][1]
    return set(ContractFactory._meta.model.objects.filter(condition).values_list("pk", flat=True))


class TestOneDefinition:
    def test_performance_uses_the_registers_definition(self):
        assert performance_selectors.key_condition is contract_selectors.key_condition

    def test_a_high_risk_contract_under_1_5m_needs_plans(self):
        high = _running(whole_life_value=SMALL, risk_rating="high")
        _running(whole_life_value=SMALL, risk_rating="medium")
        assert _gaps("key_no_plans") == {high.pk}
        assert (
            "rated high risk"
            in data_quality_problems(today=timezone.localdate())["key_no_plans"][0]
        )

    def test_the_supplier_page_calls_it_key_but_checks_it_yearly(self):
        high = _running(whole_life_value=SMALL, risk_rating="high")
        resilience = supplier_resilience(high.supplier, today=timezone.localdate())
        assert resilience.running[0].is_key
        assert resilience.months == HEALTH_CHECK_MONTHS

    def test_the_supplier_page_says_over_1_5m_for_the_interval(self, client, make_user):
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
        page = client.get(reverse("performance:supplier", args=[contract.supplier_id]))
        text = page.content.decode()
        assert "holding a contract over £1.5m" in text
        assert "key contracts (over £1.5m or rated high risk)" in text

    def test_the_annual_report_counts_a_high_risk_key_contract(self, make_user):
        from reporting.annual import resilience_section
        from reporting.selectors import Scope

        today = timezone.localdate()
        high = _running(whole_life_value=SMALL, risk_rating="high")
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        _plan("continuity", head, contract=high, today=today, review=today + timedelta(days=30))
        year = today.year if today.month >= 4 else today.year - 1
        figures = resilience_section(Scope(year=year, today=today))["figures"]
        assert (figures["key_running"], figures["key_no_plans"]) == (1, 1)


class TestContractPages:
    """A key contract's plans on its register page and its performance page."""

    def _pages(self, contract):
        return (
            reverse("contracts:detail", args=[contract.pk]),
            reverse("performance:contract", args=[contract.pk]),
        )

    def test_a_key_contract_shows_its_plan_and_the_one_it_lacks(self, client, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(whole_life_value=SMALL, risk_rating="high")
        plan = _plan(
            "continuity",
            head,
            contract=contract,
            today=timezone.localdate(),
            review=timezone.localdate() + timedelta(days=90),
        )
        client.force_login(head)
        for url in self._pages(contract):
            text = client.get(url).content.decode()
            assert "Continuity and exit plans" in text, url
            assert reverse("performance:plan_download", args=[plan.pk]) in text, url
            assert "No exit plan" in text, url
            assert "No continuity plan" not in text, url
            assert reverse("performance:contract_plan", args=[contract.pk]) in text, url

    def test_a_key_contract_without_plans_lacks_both(self, client, make_user):
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(make_user(Role.AUDITOR))
        for url in self._pages(contract):
            text = client.get(url).content.decode()
            assert "No continuity plan" in text, url
            assert "No exit plan" in text, url
            assert reverse("performance:contract_plan", args=[contract.pk]) not in text, url

    def test_the_pages_run_a_fixed_number_of_queries(
        self, client, make_user, django_assert_max_num_queries
    ):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(head)
        today = timezone.localdate()
        counts = []
        for _ in range(2):
            for kind in ("continuity", "exit"):
                _plan(kind, head, contract=contract, today=today, review=today + timedelta(days=9))
            with django_assert_max_num_queries(200) as captured:
                client.get(reverse("performance:contract", args=[contract.pk]))
            counts.append(len(captured))
        assert counts[0] == counts[1]


class TestWhichPlanIsMissing:
    def test_the_supplier_page_names_the_plan_a_key_contract_lacks(self, client, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        today = timezone.localdate()
        _plan("exit", head, contract=contract, today=today, review=today + timedelta(days=9))
        client.force_login(head)
        text = client.get(reverse("performance:supplier", args=[contract.supplier_id])).content
        assert b"No continuity plan" in text
        assert b"No exit plan" not in text
        assert b"Plans missing" not in text

    def test_the_supplier_page_names_the_plan_a_strategic_supplier_lacks(self, client, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(supplier=SupplierFactory(is_strategic=True))
        today = timezone.localdate()
        _plan(
            "continuity",
            head,
            supplier=contract.supplier,
            today=today,
            review=today + timedelta(days=9),
        )
        client.force_login(head)
        text = client.get(reverse("performance:supplier", args=[contract.supplier_id])).content
        assert b"No exit plan" in text
        assert b"No continuity plan" not in text


class TestPlanForm:
    def _post(self, client, contract, review, reason="Covers the depots"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            reverse("performance:contract_plan", args=[contract.pk]),
            {
                "kind": "exit",
                "file": SimpleUploadedFile("exit.pdf", b"%PDF-1.7\n% a plan\n"),
                "review_date_day": review.day,
                "review_date_month": review.month,
                "review_date_year": review.year,
                "change_reason": reason,
            },
        )

    def test_a_plan_without_what_it_covers_asks_what_it_covers(self, client, make_user):
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
        page = self._post(client, contract, timezone.localdate() + timedelta(days=90), reason="")
        text = page.content.decode()
        assert "Say what the plan covers" in text
        assert "Say why you are making this change" not in text

    def test_a_review_more_than_three_years_ahead_is_refused(self, client, make_user):
        from contracts.lead_times import add_months
        from contracts.models import ResiliencePlan

        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
        today = timezone.localdate()
        form = client.get(reverse("performance:contract_plan", args=[contract.pk]))
        assert "within 3 years" in form.content.decode()
        page = self._post(client, contract, add_months(today, 36) + timedelta(days=1))
        assert page.status_code == 200
        assert "within 3 years" in page.content.decode()
        assert not ResiliencePlan.objects.exists()
        assert self._post(client, contract, add_months(today, 36)).status_code == 302
        assert ResiliencePlan.objects.count() == 1
