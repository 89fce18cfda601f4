"""Reads of people and reference data, shared by pages, the API, reports and tasks."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from .models import ApprovalPolicy, ContractCategory, Directorate, PolicyStep, PolicyTier, User
from .roles import Role


def approval_policy_in_force(*, on: date) -> ApprovalPolicy | None:
    """The policy that routes a gateway submitted on ``on``, with its tiers, gateways and steps."""
    steps = PolicyStep.objects.select_related("consult_role", "may_refer_to").prefetch_related(
        "roles", "scoped_roles"
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


def people_for_audit():
    """Everyone with an account, active or not, for the audit trail."""
    from .models import User

    return (
        User.objects.select_related("directorate")
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "email")
    )


def actions_by(user, *, most: int = 100) -> list:
    """The latest ``most`` history records ``user`` made, in every governed table, newest first:
    one query per table, however much they have done."""
    from django.apps import apps

    records = []
    for model in apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_user"):
            latest = model.objects.filter(history_user=user).order_by("-history_date")
            records += list(latest[:most])
    records.sort(key=lambda record: record.history_date, reverse=True)
    return records[:most]
