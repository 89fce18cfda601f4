"""Personal API tokens: made and revoked by their owner, stored as a hash, with an expiry.

A token is 32 random bytes, so a plain SHA-256 of it is enough to store: there is nothing to
guess that a slow hash would protect (unlike a password). It is shown once, when it is made.

A new password revokes every token of its owner: whoever knew the old one may have made a
token with it, and would otherwise keep the account through the API (docs/decisions/0026).
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .history import save_with_history
from .models import ApiToken, User, password_replaced
from .services import ProcurementError, require

PREFIX = "pgv_"
LONGEST = timedelta(days=366)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_on: date, by: User) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (only they may): the token, and its key to show them once."""
    if by != user:
        raise ProcurementError("Only the owner of a token may make it.")
    require(by, "procurement.use_api")
    name = name.strip()
    today = timezone.localdate()
    if not name:
        raise ProcurementError("Name the token after what will use it.")
    if expires_on <= today:
        raise ProcurementError("The expiry date must be in the future.")
    if expires_on > today + LONGEST:
        raise ProcurementError("A token can last a year at most: choose an earlier expiry date.")
    if user.api_tokens.filter(name__iexact=name, revoked_at__isnull=True).exists():
        raise ProcurementError(f"You already have a token called “{name}”: choose another name.")
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[: len(PREFIX) + 6],
        key_hash=token_hash(key),
        expires_on=expires_on,
    )
    save_with_history(token, by=by, reason="Token made")
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Stop a token working at once, for good."""
    if by != token.user:
        raise ProcurementError("Only the owner of a token may revoke it.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ProcurementError("This token has already been revoked.")
    token.revoked_at = timezone.now()
    return save_with_history(token, by=by, reason="Token revoked")


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: User, reason: str) -> list[ApiToken]:
    """Stop every token of ``user`` that still works, at once and for good: the tokens revoked.
    Not a choice anyone makes but what a new password does, so it asks for no permission."""
    tokens = ApiToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
    )
    now = timezone.now()
    revoked = []
    for token in tokens:
        token.revoked_at = now
        revoked.append(save_with_history(token, by=by, reason=reason))
    return revoked


@receiver(password_replaced)
def _revoke_tokens_of_new_password(sender, user: User, **kwargs) -> None:
    # Who set it: the signed-in person asking (the owner, or an administrator in the admin);
    # with nobody signed in (a reset link, manage.py changepassword), the owner.
    request = getattr(HistoricalRecords.context, "request", None)
    by = getattr(request, "user", None)
    if by is None or not by.is_authenticated:
        by = user
    api_tokens_revoke_all(user=user, by=by, reason="Revoked: the password changed")


def api_token_for(key: str) -> ApiToken | None:
    """The usable token ``key`` is, if any, noting that it was used."""
    if not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
    if token is None or not token.is_usable_on(timezone.localdate()):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        # Telemetry, not a change to the token: kept out of its history (models.ApiToken).
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
