"""The approval policy and categories, loaded by migration as DESIGN §2.1 and §2.3 say."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from procurement.models import ApprovalPolicy, ContractCategory, GatewayStage, PolicyStep
from procurement.roles import Role
from procurement.selectors import approval_policy_in_force
from procurement.services import ProcurementError, approval_policy_copy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)


@pytest.fixture
def policy() -> ApprovalPolicy:
    found = approval_policy_in_force(on=TODAY)
    assert found is not None
    return found


def roles_of(step: PolicyStep) -> set[str]:
    return {group.name for group in step.roles.all()}


@pytest.mark.parametrize(
    ("value", "tier"),
    [
        ("0.01", None),
        ("100000.00", None),
        ("100000.01", "A"),
        ("1500000.00", "A"),
        ("1500000.01", "B"),
        ("250000000.00", "B"),
    ],
)
def test_value_boundaries_route_to_the_right_tier(policy, value, tier):
    found = policy.tier_for(Decimal(value))
    assert (found.code if found else None) == tier


def test_policy_loaded_with_threshold_and_date(policy):
    assert policy.gateway_threshold == Decimal("100000.00")
    assert policy.effective_from == date(2020, 9, 1)
    assert [tier.code for tier in policy.tiers.all()] == ["A", "B"]


@pytest.mark.parametrize(
    ("tier", "flags", "stages"),
    [
        ("A", {}, ["G1", "G2"]),
        ("A", {"high_value_or_complex": True}, ["G0", "G1", "G2"]),
        ("A", {"core_service": True}, ["G1", "G2"]),
        ("A", {"extension": True}, ["G1", "G2", "G3"]),
        ("B", {}, ["G1", "G2"]),
        ("B", {"core_service": True}, ["G0", "G1", "G2"]),
        ("B", {"high_value_or_complex": True}, ["G1", "G2"]),
        ("B", {"extension": True}, ["G1", "G2", "G3"]),
    ],
)
def test_gateways_each_tier_needs(policy, tier, flags, stages):
    arguments = {"high_value_or_complex": False, "core_service": False, "extension": False}
    arguments.update(flags)
    found = next(t for t in policy.tiers.all() if t.code == tier)
    required = [g.stage for g in found.gateways.all() if g.applies(**arguments)]
    assert required == stages


def test_tier_a_steps_are_business_partner_review_then_executive_director(policy):
    tier_a, tier_b = policy.tiers.all()
    review, sign_off = tier_a.steps.all()
    assert review.kind == PolicyStep.Kind.CHECK
    assert roles_of(review) == {Role.BUSINESS_PARTNER.label, Role.HEAD_OF_PROCUREMENT.label}
    assert review.may_refer_to == tier_b
    assert sign_off.kind == PolicyStep.Kind.DECISION
    assert roles_of(sign_off) == {Role.EXECUTIVE_DIRECTOR.label}
    assert sign_off.consult_role.name == Role.LEAD_MEMBER.label
    # The executive director signs off only their own directorate's procurements.
    assert {g.name for g in sign_off.scoped_roles.all()} == {Role.EXECUTIVE_DIRECTOR.label}
    assert not review.scoped_roles.exists()


def test_tier_b_steps_run_check_consultees_board_then_lead_member_or_leadership_team(policy):
    steps = list(policy.tiers.all()[1].steps.all())
    assert [step.kind for step in steps] == ["check", "consultation", "recommendation", "decision"]
    assert roles_of(steps[0]) == {Role.BUSINESS_PARTNER.label, Role.HEAD_OF_PROCUREMENT.label}
    assert roles_of(steps[1]) == {
        Role.CONSULTEE_LEGAL.label,
        Role.CONSULTEE_FINANCE.label,
        Role.CONSULTEE_COMMUNICATIONS.label,
    }
    assert roles_of(steps[2]) == {Role.OFFICER_BOARD_MEMBER.label}
    assert steps[2].records_meeting
    # RBKC §7: "recommend to Lead Member / Leadership Team for approval". The lead member
    # decides for their portfolio; the Leadership Team for the whole council.
    assert roles_of(steps[3]) == {Role.LEAD_MEMBER.label, Role.LEADERSHIP_TEAM.label}
    assert {g.name for g in steps[3].scoped_roles.all()} == {Role.LEAD_MEMBER.label}
    assert steps[3].records_key_decision
    # The installed policy's correction is in its history, with the reason.
    assert "Leadership Team" in steps[3].history.first().history_change_reason


def test_the_policy_in_force_is_the_latest_that_has_started(policy, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    tomorrow = timezone.localdate() + timedelta(days=1)
    revised = approval_policy_copy(
        policy=policy, name="Revised", effective_from=tomorrow, by=admin, reason="Annual review"
    )
    assert approval_policy_in_force(on=tomorrow - timedelta(days=1)) == policy
    assert approval_policy_in_force(on=tomorrow) == revised
    assert approval_policy_in_force(on=date(2020, 8, 31)) is None


def test_copying_a_policy_copies_tiers_gateways_steps_and_referrals(policy, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    copy = approval_policy_copy(
        policy=policy,
        name="Revised",
        effective_from=timezone.localdate() + timedelta(days=30),
        by=admin,
        reason="Thresholds reviewed by the Audit and Transparency Committee",
    )
    tier_a, tier_b = copy.tiers.all()
    assert tier_a.pk not in {t.pk for t in policy.tiers.all()}
    assert [g.stage for g in tier_b.gateways.all()] == [s.value for s in GatewayStage]
    review = tier_a.steps.get(order=1)
    assert review.may_refer_to == tier_b
    assert roles_of(review) == {Role.BUSINESS_PARTNER.label, Role.HEAD_OF_PROCUREMENT.label}
    record = copy.history.latest()
    assert record.history_user == admin
    assert record.history_change_reason.startswith("Thresholds reviewed")
    # The original is untouched.
    assert [t.pk for t in approval_policy_in_force(on=TODAY).tiers.all()] == [
        t.pk for t in policy.tiers.all()
    ]


def test_a_new_policy_cannot_start_in_the_past_or_on_a_taken_date(policy, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    for day in (timezone.localdate() - timedelta(days=1), timezone.localdate()):
        with pytest.raises(ProcurementError, match="must start after today"):
            approval_policy_copy(policy=policy, name="X", effective_from=day, by=admin, reason="x")
    tomorrow = timezone.localdate() + timedelta(days=1)
    approval_policy_copy(policy=policy, name="X", effective_from=tomorrow, by=admin, reason="x")
    with pytest.raises(ProcurementError, match="already comes into force"):
        approval_policy_copy(policy=policy, name="Y", effective_from=tomorrow, by=admin, reason="y")
    assert ApprovalPolicy.objects.count() == 2


def test_a_policy_in_force_is_read_only_in_the_admin(client, policy, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    url = reverse("admin:procurement_approvalpolicy_change", args=[policy.pk])
    response = client.post(url, {"name": "Rewritten", "change_reason": "trying"})
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.name == "Gateway approval policy"


def test_the_admin_refuses_a_new_policy_dated_today_or_earlier(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    today = timezone.localdate()
    response = client.post(
        reverse("admin:procurement_approvalpolicy_add"),
        {
            "name": "Backdated",
            "effective_from": today.strftime("%d/%m/%Y"),
            "gateway_threshold": "50000.00",
            "change_reason": "Trying to backdate",
            "tiers-TOTAL_FORMS": "0",
            "tiers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "A new policy must start after today" in response.content.decode()
    assert ApprovalPolicy.objects.count() == 1


def test_the_admin_refuses_a_tier_added_to_a_policy_in_force(client, policy, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(
        reverse("admin:procurement_policytier_add"),
        {
            "policy": policy.pk,
            "code": "C",
            "name": "Over £10m",
            "value_above": "10000000.00",
            "change_reason": "Trying",
            "gateways-TOTAL_FORMS": "0",
            "gateways-INITIAL_FORMS": "0",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "its tiers cannot be added to or changed" in response.content.decode()
    assert policy.tiers.count() == 2


def test_admin_login_sends_a_signed_in_administrator_to_the_admin(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.get(reverse("admin:login"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_default_categories_and_weights():
    weights = {
        c.name: (c.quality_weight, c.price_weight, c.social_value_weight)
        for c in ContractCategory.objects.all()
    }
    assert weights == {
        "Care and support services": (60, 25, 15),
        "Professional and business services": (50, 40, 10),
        "Works and construction": (40, 50, 10),
        "Goods and commodities": (30, 60, 10),
    }


def test_weights_must_sum_to_100_in_the_form_and_the_database():
    category = ContractCategory(
        name="Unbalanced", quality_weight=50, price_weight=40, social_value_weight=11
    )
    with pytest.raises(ValidationError, match="they add up to 101"):
        category.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        category.save()


def test_reference_data_history_starts_at_installation():
    category = ContractCategory.objects.get(name="Works and construction")
    first = category.history.earliest()
    assert first.history_type == "+"
    assert "Loaded at installation" in first.history_change_reason


def test_reference_data_page_shows_the_policy_and_weights(client, make_user):
    client.force_login(make_user(Role.LEAD_MEMBER))
    page = client.get(reverse("procurement:reference_data")).content.decode()
    assert "At or below £100,000.00 whole-life value" in page
    assert "up to and including £1,500,000.00" in page
    assert "Officer Board review and recommendation" in page
    assert "Care and support services" in page
    assert "1 September 2020" in page
