"""Reads of people and reference data, shared by pages, the API, reports and tasks."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from .models import ApprovalPolicy, ContractCategory, Directorate, PolicyStep, PolicyTier, User
from .roles import Role


def approval_policy_in_force(*, on: date) -> ApprovalPolicy | None:
    """The policy that routes a gateway submitted on ``on``, with its tiers, gateways and steps."""
    steps = PolicyStep.objects.select_related("consult_role", "may_refer_to").prefetch_related(
        "roles"
    )
    tiers = PolicyTier.objects.prefetch_related("gateways", Prefetch("steps", queryset=steps))
    return (
        ApprovalPolicy.objects.filter(effective_from__lte=on)
        .prefetch_related(Prefetch("tiers", queryset=tiers))
        .order_by("-effective_from")
        .first()
    )


def approval_policies_all() -> QuerySet[ApprovalPolicy]:
    return ApprovalPolicy.objects.order_by("-effective_from")


def categories_active() -> QuerySet[ContractCategory]:
    return ContractCategory.objects.filter(is_active=True).order_by("name")


def directorates_active() -> QuerySet[Directorate]:
    return (
        Directorate.objects.filter(is_active=True)
        .select_related("business_partner")
        .order_by("name")
    )


def users_with_role(*, role: Role) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=role.label).select_related(
        "directorate"
    )
