"""Delegation: a holder of a gateway role hands it to a colleague for a period, and may end it
early. Who may then act at a step under a delegation is ``gateways.authority``'s to say."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from gateways.models import Delegation
from gateways.rules import may_delegate_for
from procurement.history import save_with_history
from procurement.models import User

from .common import GatewayError


@transaction.atomic
def delegation_create(
    *,
    delegator: User,
    delegate: User,
    roles: Sequence[str],
    starts_on: date,
    ends_on: date,
    by: User,
    reason: str,
) -> Delegation:
    """Give ``delegate`` the named gateway ``roles`` of ``delegator`` for a period: the delegate
    must hold each role themselves, and acts in it for the delegator, in the delegator's scope."""
    if not may_delegate_for(by, delegator.pk):
        raise GatewayError("Only the person delegating (or an administrator) can delegate.")
    if delegate.pk == delegator.pk:
        raise GatewayError("Choose someone else to delegate to.")
    roles = sorted(set(roles))
    if not roles:
        raise GatewayError("Choose the role or roles you are delegating.")
    given = {role.label for role in delegator.roles}
    not_held = [role for role in roles if role not in given]
    if not_held:
        raise GatewayError(f"{delegator} does not hold the role {', '.join(not_held).lower()}.")
    delegate_holds = {role.label for role in delegate.roles} if delegate.is_active else set()
    missing = [role for role in roles if role not in delegate_holds]
    if missing:
        raise GatewayError(
            f"{delegate} cannot act as {', '.join(missing).lower()}: a delegate must hold each "
            "role delegated to them."
        )
    if ends_on < starts_on:
        raise GatewayError("The delegation must end on or after the day it starts.")
    if ends_on < timezone.localdate():
        raise GatewayError("The delegation would already have ended.")
    if not reason.strip():
        raise GatewayError("Say why, for example annual leave.")
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        roles=roles,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
    )
    return save_with_history(
        delegation, by=by, reason=f"Delegated {', '.join(roles).lower()}: {reason}"
    )


@transaction.atomic
def delegation_end(*, delegation: Delegation, by: User) -> Delegation:
    """End a delegation early; decisions already taken under it stand."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not may_delegate_for(by, delegation.delegator_id):
        raise GatewayError("Only the person who delegated (or an administrator) can end it.")
    if delegation.ended_at is not None:
        raise GatewayError("This delegation has already ended.")
    delegation.ended_at = timezone.now()
    return save_with_history(delegation, by=by, reason="Delegation ended early")
