"""Reads of people and reference data, shared by pages, the API, reports and tasks."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from . import cpv
from .models import (
    ApprovalPolicy,
    ContractCategory,
    CpvCode,
    Directorate,
    ImportMapping,
    PlanTheme,
    PolicyStep,
    PolicyTier,
    User,
)
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


def plan_themes_active() -> QuerySet[PlanTheme]:
    """The themes of the council's current plan, in their order."""
    return PlanTheme.objects.filter(is_active=True).order_by("order", "name")


def plan_themes_all() -> QuerySet[PlanTheme]:
    """Every theme, those of the current plan first."""
    return PlanTheme.objects.order_by("-is_active", "order", "name")


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


def import_mapping_named(*, kind: str, name: str) -> ImportMapping | None:
    return ImportMapping.objects.filter(kind=kind, name__iexact=name.strip()).first()


def import_mapping_fitting(*, kind: str, headings) -> ImportMapping | None:
    """The saved mapping whose columns the file's headings hold most of (all it names), so the
    next month's file from the same system maps itself."""
    from .tabular import heading_keys

    present = set(heading_keys(headings))
    best, best_score = None, 0
    for mapping in ImportMapping.objects.filter(kind=kind).order_by("name"):
        named = set(mapping.columns)
        if named and named <= present and len(named) > best_score:
            best, best_score = mapping, len(named)
    return best


def cpv_codes_matching(*, text: str) -> QuerySet[CpvCode]:
    """The CPV 2008 list's codes matching a search (digits of a code, or every word of a
    description), in code order; the whole list for no search."""
    found = CpvCode.objects.order_by("code")
    return found.filter(cpv.search_query(text)) if text.strip() else found
