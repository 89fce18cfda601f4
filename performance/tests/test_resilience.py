"""Supplier resilience (seed 000 §8d): health checks and when the next is due, who may record
them, continuity and exit plans as data-quality gaps, the risk and concentration pages, and the
overdue check alert, sent once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alerts.health_checks import health_check_alerts_send
from alerts.tasks import health_check_alerts_task
from contracts.models import Contract, ResiliencePlan
from contracts.selectors import data_quality_problems
from contracts.services import ContractError, resilience_plan_add, supplier_update
from contracts.tests.factories import ContractFactory, SupplierFactory
from performance.models import SupplierHealthCheck
from performance.selectors import (
    contracted_concentration,
    supplier_resilience,
    supplier_risks,
)
from performance.services import health_check_record
from procurement.models import Notification
from procurement.roles import Role
from procurement.thresholds import KEY_CONTRACT_ABOVE

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
PDF = b"%PDF-1.7\n% a plan\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _running(**fields) -> Contract:
    return ContractFactory(
        start_date=TODAY - timedelta(days=100), end_date=TODAY + timedelta(days=400), **fields
    )


def _check(supplier, by, *, on=TODAY, rating="adequate", today=TODAY):
    return health_check_record(
        supplier=supplier,
        checked_on=on,
        source="credit_reference",
        rating=rating,
        notes="Credit score 62",
        by=by,
        today=today,
    )


def _plan(kind, by, *, review=TODAY + timedelta(days=200), today=TODAY, **owner):
    return resilience_plan_add(
        kind=kind,
        upload=SimpleUploadedFile(f"{kind}.pdf", PDF),
        review_date=review,
        reason="Covers the care homes",
        by=by,
        today=today,
        **owner,
    )


class TestHealthChecks:
    def test_a_supplier_is_checked_again_in_twelve_months(self, make_user):
        supplier = _running(whole_life_value=KEY_CONTRACT_ABOVE).supplier
        check = _check(supplier, make_user(Role.HEAD_OF_PROCUREMENT))
        assert check.next_due == date(2027, 6, 15)

    def test_a_supplier_of_a_contract_over_1_5m_is_checked_in_six(self, make_user):
        supplier = _running(whole_life_value=KEY_CONTRACT_ABOVE + Decimal("0.01")).supplier
        check = _check(supplier, make_user(Role.HEAD_OF_PROCUREMENT))
        assert check.next_due == date(2026, 12, 15)

    def test_a_strategic_supplier_is_checked_in_six(self, make_user):
        supplier = SupplierFactory(is_strategic=True)
        check = _check(supplier, make_user(Role.BUSINESS_PARTNER), on=date(2026, 6, 1))
        assert check.next_due == date(2026, 12, 1)

    def test_a_check_keeps_who_and_why_in_its_history(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        check = _check(SupplierFactory(), head, rating="weak")
        record = check.history.get()
        assert record.history_user == head
        assert record.history_change_reason == "Health check: Weak from credit reference"
        assert check.checked_by == head

    def test_a_check_in_the_future_is_refused(self, make_user):
        with pytest.raises(ValidationError, match="today or in the past"):
            _check(SupplierFactory(), make_user(Role.HEAD_OF_PROCUREMENT), on=TODAY.replace(day=16))

    def test_the_manager_of_one_of_its_contracts_may_record_a_check(self, make_user):
        manager = make_user(Role.CONTRACT_MANAGER)
        supplier = _running(contract_manager=manager).supplier
        assert _check(supplier, manager).checked_by == manager

    def test_anyone_else_is_refused(self, make_user):
        supplier = _running(contract_manager=make_user(Role.CONTRACT_MANAGER)).supplier
        for role in (Role.CONTRACT_MANAGER, Role.PROCUREMENT_OFFICER, Role.AUDITOR):
            with pytest.raises(PermissionDenied):
                _check(supplier, make_user(role))
        assert not SupplierHealthCheck.objects.exists()


class TestPlans:
    def test_a_key_contract_without_both_current_plans_is_a_gap(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        key = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        _running(whole_life_value=KEY_CONTRACT_ABOVE)  # not a key contract
        assert _gaps("key_no_plans") == {key.pk}
        _plan("continuity", head, contract=key)
        assert _gaps("key_no_plans") == {key.pk}  # no exit plan yet
        _plan("exit", head, contract=key)
        assert _gaps("key_no_plans") == set()
        assert _gaps("key_no_plans", today=TODAY + timedelta(days=201)) == {key.pk}  # past review

    def test_a_strategic_suppliers_contracts_are_a_gap_without_its_plans(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(supplier=SupplierFactory(is_strategic=True))
        _running()
        assert _gaps("strategic_no_plans") == {contract.pk}
        _plan("continuity", head, supplier=contract.supplier)
        _plan("exit", head, supplier=contract.supplier)
        assert _gaps("strategic_no_plans") == set()

    def test_the_data_quality_page_counts_the_gap(self, client, make_user):
        _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        client.force_login(make_user(Role.BUSINESS_PARTNER))
        rows = {r["key"]: r for r in client.get(reverse("contracts:data_quality")).context["rows"]}
        assert rows["key_no_plans"]["count"] == 1

    def test_a_plan_keeps_its_document_review_and_history(self, make_user):
        manager = make_user(Role.CONTRACT_MANAGER)
        contract = _running(contract_manager=manager, whole_life_value=KEY_CONTRACT_ABOVE + 1)
        plan = _plan("exit", manager, contract=contract)
        assert (plan.original_name, plan.uploaded_by, plan.review_date) == (
            "exit.pdf",
            manager,
            TODAY + timedelta(days=200),
        )
        assert plan.history.get().history_change_reason == "Exit plan: Covers the care homes"

    def test_a_plan_due_for_review_already_is_refused(self, make_user):
        contract = _running(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        with pytest.raises(ContractError, match="after today"):
            _plan("exit", make_user(Role.HEAD_OF_PROCUREMENT), contract=contract, review=TODAY)

    def test_someone_elses_contract_manager_is_refused(self, make_user):
        contract = _running(contract_manager=make_user(Role.CONTRACT_MANAGER))
        with pytest.raises(PermissionDenied):
            _plan("exit", make_user(Role.CONTRACT_MANAGER), contract=contract)
        with pytest.raises(PermissionDenied):
            _plan("exit", make_user(Role.CONTRACT_MANAGER), supplier=contract.supplier)
        assert not ResiliencePlan.objects.exists()


def _gaps(problem: str, *, today: date = TODAY) -> set[int]:
    condition = data_quality_problems(today=today)[problem][1]
    return set(Contract.objects.filter(condition).values_list("pk", flat=True))


class TestAlert:
    def test_an_overdue_check_alerts_each_manager_once(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        first, second = make_user(Role.CONTRACT_MANAGER), make_user(Role.CONTRACT_MANAGER)
        contract = _running(contract_manager=first)
        _running(contract_manager=second, supplier=contract.supplier)
        check = _check(contract.supplier, head, on=date(2025, 5, 1), today=date(2025, 5, 1))
        assert _alerts(on=date(2026, 5, 1)) == 0  # due that day: not yet overdue
        assert _alerts(on=date(2026, 5, 2)) == 2
        assert _alerts(on=date(2026, 5, 2)) == 0  # the second run sends nothing
        assert _alerts(on=date(2026, 5, 9)) == 0
        sent = Notification.objects.filter(kind=Notification.Kind.HEALTH_CHECK)
        assert sorted(sent.values_list("recipient", flat=True)) == sorted([first.pk, second.pk])
        assert set(sent.values_list("subject_id", "key")) == {(check.pk, "2026-05-01")}
        assert len(mail.outbox) == 2
        assert contract.supplier.name in mail.outbox[0].subject

    def test_a_new_check_is_alerted_again_when_it_too_is_overdue(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(contract_manager=make_user(Role.CONTRACT_MANAGER))
        _check(contract.supplier, head, on=date(2025, 5, 1), today=date(2025, 5, 1))
        assert _alerts(on=date(2026, 5, 2)) == 1
        _check(contract.supplier, head, on=date(2026, 5, 3), today=date(2026, 5, 3))
        assert _alerts(on=date(2026, 6, 1)) == 0
        assert _alerts(on=date(2027, 5, 4)) == 1

    def test_the_scheduled_task_run_twice_sends_once(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(contract_manager=make_user(Role.CONTRACT_MANAGER))
        _check(contract.supplier, head, on=date(2025, 5, 1), today=date(2025, 5, 1))
        first = health_check_alerts_task("2026-05-02")
        second = health_check_alerts_task("2026-05-02")
        assert (first["claimed"], second["claimed"]) == (1, 0)
        assert len(mail.outbox) == 1

    def test_without_a_contract_manager_the_head_of_procurement_is_told(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running()
        _check(contract.supplier, head, on=date(2025, 5, 1), today=date(2025, 5, 1))
        assert _alerts(on=date(2026, 5, 2)) == 1
        assert Notification.objects.get().recipient == head

    def test_a_supplier_with_nothing_running_is_not_alerted(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        _check(SupplierFactory(), head, on=date(2025, 5, 1), today=date(2025, 5, 1))
        assert _alerts(on=date(2026, 5, 2)) == 0


class TestBecomingKey:
    """A check recorded while the supplier was ordinary falls due at the sooner date once the
    supplier becomes strategic or takes a key contract, whatever path made it one."""

    def _ordinary_check(self, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = _running(contract_manager=make_user(Role.CONTRACT_MANAGER))
        check = _check(contract.supplier, head, on=date(2026, 1, 10), today=date(2026, 1, 10))
        assert (check.next_due, check.next_due_if_key) == (date(2027, 1, 10), date(2026, 7, 10))
        return head, contract

    def _due(self, supplier) -> tuple:
        row = next(r for r in supplier_risks(today=TODAY) if r["supplier_id"] == supplier.pk)
        return row["due"], supplier_resilience(supplier, today=TODAY).due

    def test_a_supplier_made_strategic_is_due_six_months_after_its_check(self, make_user):
        head, contract = self._ordinary_check(make_user)
        assert self._due(contract.supplier) == (date(2027, 1, 10), date(2027, 1, 10))
        assert _alerts(on=date(2026, 7, 11)) == 0
        supplier_update(
            supplier=contract.supplier, fields={"is_strategic": True}, by=head, reason="Strategic"
        )
        contract.supplier.refresh_from_db()
        assert self._due(contract.supplier) == (date(2026, 7, 10), date(2026, 7, 10))
        assert _alerts(on=date(2026, 7, 10)) == 0  # due that day: not yet overdue
        assert _alerts(on=date(2026, 7, 11)) == 1
        assert Notification.objects.get().key == "2026-07-10"

    def test_a_new_key_contract_brings_the_check_forward(self, make_user):
        _, contract = self._ordinary_check(make_user)
        _running(supplier=contract.supplier, whole_life_value=KEY_CONTRACT_ABOVE * 2)
        assert self._due(contract.supplier) == (date(2026, 7, 10), date(2026, 7, 10))
        assert _alerts(on=date(2026, 7, 11)) == 1

    def test_a_key_contract_that_has_ended_does_not(self, make_user):
        _, contract = self._ordinary_check(make_user)
        ContractFactory(
            supplier=contract.supplier,
            whole_life_value=KEY_CONTRACT_ABOVE * 2,
            start_date=date(2024, 1, 1),
            end_date=date(2025, 12, 31),
        )
        assert self._due(contract.supplier) == (date(2027, 1, 10), date(2027, 1, 10))
        assert _alerts(on=date(2026, 7, 11)) == 0


def _alerts(*, on: date) -> int:
    return health_check_alerts_send(on=on).claimed


class TestRiskAndConcentration:
    def test_risk_by_supplier_sums_its_contracts_and_takes_the_worst(self, make_user):
        supplier = SupplierFactory()
        _running(supplier=supplier, whole_life_value=Decimal("100000"), risk_rating="low")
        _running(supplier=supplier, whole_life_value=Decimal("50000"), risk_rating="high")
        _check(supplier, make_user(Role.HEAD_OF_PROCUREMENT), rating="weak")
        row = next(r for r in supplier_risks(today=TODAY) if r["supplier_id"] == supplier.pk)
        assert (row["total"], row["contracts"], row["directorates"]) == (Decimal("150000"), 2, 2)
        assert (row["worst"], row["health"]) == (3, "weak")

    def test_a_business_partner_sees_their_directorates_only(self, make_user):
        partner = make_user(Role.BUSINESS_PARTNER)
        ours = _running()
        ours.directorate.business_partner = partner
        ours.directorate.save()
        _running()
        rows = list(supplier_risks(today=TODAY, partner=partner))
        assert [r["supplier_id"] for r in rows] == [ours.supplier_id]

    def test_concentration_gives_the_top_suppliers_share(self):
        big = _running(whole_life_value=Decimal("300000"))
        _running(whole_life_value=Decimal("100000"))
        found = contracted_concentration(today=TODAY, top=1)
        assert (found.total, found.suppliers) == (Decimal("400000"), 2)
        assert found.top[0]["supplier_id"] == big.supplier_id
        assert found.top[0]["share"] == Decimal("75.0")


class TestPages:
    def test_the_supplier_page_shows_checks_and_plans(self, client, make_user):
        head = make_user(Role.HEAD_OF_PROCUREMENT)
        contract = ContractFactory(whole_life_value=KEY_CONTRACT_ABOVE + 1)
        health_check_record(
            supplier=contract.supplier,
            checked_on=timezone.localdate(),
            source="accounts",
            rating="strong",
            notes="",
            by=head,
        )
        client.force_login(head)
        page = client.get(reverse("performance:supplier", args=[contract.supplier_id]))
        assert page.status_code == 200
        assert b"Published accounts" in page.content
        assert b"No continuity plan" in page.content
        assert b"No exit plan" in page.content

    def test_recording_a_check_from_the_page(self, client, make_user):
        manager = make_user(Role.CONTRACT_MANAGER)
        contract = ContractFactory(contract_manager=manager)
        client.force_login(manager)
        today = timezone.localdate()
        response = client.post(
            reverse("performance:health_check_create", args=[contract.supplier_id]),
            {
                "checked_on_day": today.day,
                "checked_on_month": today.month,
                "checked_on_year": today.year,
                "source": "companies_house",
                "rating": "adequate",
                "notes": "Accounts filed on time",
            },
        )
        assert response.status_code == 302
        assert SupplierHealthCheck.objects.get().checked_by == manager

    def test_the_risk_pages_run_a_fixed_number_of_queries(
        self, client, make_user, django_assert_max_num_queries
    ):
        client.force_login(make_user(Role.HEAD_OF_PROCUREMENT))
        counts = []
        for _ in range(2):
            for _ in range(5):
                _running(supplier=SupplierFactory(is_strategic=True))
            with django_assert_max_num_queries(20) as captured:
                client.get(reverse("performance:supplier_risk"))
                client.get(reverse("reporting:supplier_concentration"))
            counts.append(len(captured))
        assert counts[0] == counts[1]

    def test_the_concentration_page_has_a_table_for_its_chart(self, client, make_user):
        _running(whole_life_value=Decimal("300000"))
        client.force_login(make_user(Role.AUDITOR))
        page = client.get(reverse("reporting:supplier_concentration"))
        assert b"<svg" in page.content
        assert b"Largest suppliers by the whole-life value" in page.content
        assert b"100.0%" in page.content
