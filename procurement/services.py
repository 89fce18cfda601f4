"""Writes to people and reference data. Every write is atomic and leaves history."""

from datetime import date

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from .dates import long_date
from .history import save_with_history
from .models import ApprovalPolicy, Directorate, PlanTheme, User
from .roles import Role


class DomainError(Exception):
    """A rule of the service refused what was asked; its message says which, to the person who
    asked (the pages show it on the form, the API as a 400, or a 403 where ``refuses_person``)."""

    # True where the rule refuses this person rather than what they asked (the report's author
    # deciding on it, a step that is another role's): the API answers 403, with the message.
    refuses_person = False


class ProcurementError(DomainError):
    """A request that the rules of the service refuse, with a message for the person who made it."""


def require(user: User, permission: str, obj=None) -> None:
    """Refuse (403) unless ``user`` holds ``permission`` (on ``obj``): services call this, so a
    page, an API call or a task cannot skip the check."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied


@transaction.atomic
def user_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    directorate: Directorate,
    roles: list[Role],
    by: User | None,
    reason: str,
    password: str | None = None,
    job_title: str = "",
) -> User:
    """Add a person with their roles; without a password they set one through password reset."""
    email = User.objects.normalize_email(email).lower()
    if directorate is None:
        raise ProcurementError("Choose the directorate this person works in.")
    if User.objects.filter(email__iexact=email).exists():
        raise ProcurementError(f"A user with the email address {email} already exists.")
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        directorate=directorate,
        job_title=job_title,
    )
    user.set_password(password)
    save_with_history(user, by=by, reason=reason)
    user_set_roles(user=user, roles=roles, by=by, reason=reason)
    return user


@transaction.atomic
def directorate_create(*, name: str, by: User, reason: str) -> Directorate:
    """Add a directorate of the council (an administrator's work), with a code made from its
    name; a directorate of that name already there is returned as it is."""
    require(by, "procurement.manage_directorates")
    name = " ".join(name.split())[:120]
    if not name:
        raise ProcurementError("Give the directorate a name.")
    existing = Directorate.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    base = slugify(name)[:16] or "directorate"
    code, number = base, 1
    while Directorate.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return save_with_history(Directorate(name=name, code=code), by=by, reason=reason)


def _theme_name(name: str, *, other_than: int | None = None) -> str:
    """A theme's name, single-spaced, refused blank or already another theme's."""
    name = " ".join(name.split())
    if not name:
        raise ProcurementError("Give the theme a name.")
    if PlanTheme.objects.filter(name__iexact=name).exclude(pk=other_than).exists():
        raise ProcurementError(f"There is already a theme called '{name}'.")
    return name


@transaction.atomic
def plan_theme_create(
    *, name: str, description: str = "", order: int = 0, by: User | None, reason: str
) -> PlanTheme:
    """Add a theme of the council's plan (the head of procurement's or an administrator's work)
    for strategies to address and contract reviews to report against."""
    if by is not None:
        require(by, "procurement.manage_plan_themes")
    theme = PlanTheme(
        name=_theme_name(name), description=description.strip(), order=order, is_active=True
    )
    return save_with_history(theme, by=by, reason=reason)


@transaction.atomic
def plan_theme_update(
    *,
    theme: PlanTheme,
    name: str,
    description: str,
    order: int,
    is_active: bool,
    by: User,
    reason: str,
) -> PlanTheme:
    """Change a theme's words or place, or retire it when the plan no longer has it (a theme is
    never deleted: the strategies and reviews that named it keep it)."""
    require(by, "procurement.manage_plan_themes")
    if not reason.strip():
        raise ProcurementError("Say why you are making this change.")
    theme = PlanTheme.objects.select_for_update().get(pk=theme.pk)
    theme.name = _theme_name(name, other_than=theme.pk)
    theme.description = description.strip()
    theme.order = order
    theme.is_active = is_active
    return save_with_history(theme, by=by, reason=reason.strip())


@transaction.atomic
def user_set_roles(*, user: User, roles: list[Role], by: User | None, reason: str) -> User:
    """Give ``user`` exactly ``roles``; the change is kept in the user's history."""
    unknown = [str(role) for role in roles if role not in Role.values]
    if unknown:
        raise ProcurementError(f"These are not roles: {', '.join(unknown)}.")
    roles = [Role(role) for role in roles]
    groups = list(Group.objects.filter(name__in=[role.label for role in roles]))
    missing = {role.label for role in roles} - {group.name for group in groups}
    if missing:
        raise ProcurementError(f"These roles are not set up: {', '.join(sorted(missing))}.")
    user._history_user = by
    user._change_reason = reason
    user.groups.set(groups)
    # Administrators manage the site through the Django admin, which needs is_staff.
    user.is_staff = Role.ADMINISTRATOR in roles
    user._roles_cache = None
    save_with_history(user, by=by, reason=reason)
    return user


@transaction.atomic
def user_set_portfolio(
    *, user: User, directorates: list[Directorate], by: User | None, reason: str
) -> User:
    """Give a Lead Member the directorates they answer for; kept in the user's history."""
    if directorates and Role.LEAD_MEMBER not in user.roles:
        raise ProcurementError(f"{user} is not a lead member, so holds no portfolio.")
    user._history_user = by
    user._change_reason = reason
    user.portfolio.set(directorates)
    user._answers_for_cache = None
    save_with_history(user, by=by, reason=reason)
    return user


@transaction.atomic
def approval_policy_copy(
    *, policy: ApprovalPolicy, name: str, effective_from: date, by: User, reason: str
) -> ApprovalPolicy:
    """Start a new policy from an existing one; policies in force are never edited in place."""
    if effective_from <= timezone.localdate():
        raise ProcurementError(
            "A new policy must start after today: gateways already submitted keep the route of "
            "the policy in force when they were submitted, so choose tomorrow or a later date."
        )
    if ApprovalPolicy.objects.filter(effective_from=effective_from).exists():
        raise ProcurementError(
            f"A policy already comes into force on {long_date(effective_from)}; "
            "choose another date."
        )
    source_tiers = list(policy.tiers.prefetch_related("gateways", "steps__roles"))
    copy = save_with_history(
        _copy_of(policy, name=name, effective_from=effective_from), by=by, reason=reason
    )
    new_tiers = {
        tier.pk: save_with_history(_copy_of(tier, policy=copy), by=by, reason=reason)
        for tier in source_tiers
    }
    for tier in source_tiers:
        new_tier = new_tiers[tier.pk]
        for gateway in tier.gateways.all():
            save_with_history(_copy_of(gateway, tier=new_tier), by=by, reason=reason)
        for step in tier.steps.all():
            new_step = _copy_of(
                step, tier=new_tier, may_refer_to=new_tiers.get(step.may_refer_to_id)
            )
            save_with_history(new_step, by=by, reason=reason)
            new_step.roles.set(step.roles.all())
            new_step.scoped_roles.set(step.scoped_roles.all())
    return copy


def _copy_of(instance: models.Model, **changes) -> models.Model:
    """A new, unsaved row with ``instance``'s field values and ``changes``."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    new = type(instance)(**values)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def sessions_clear_expired() -> int:
    """Delete expired sign-in sessions (they hold no governed data); returns how many."""
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    count, _ = expired.delete()
    return count
