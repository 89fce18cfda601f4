"""The finance systems payment files come from."""

from django.db import transaction

from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require
from spend.models import PaymentSource


@transaction.atomic
def payment_source_create(*, name: str, by: User | None, reason: str) -> PaymentSource:
    """Add a finance system by name (a name already taken, in any case, is refused)."""
    if by is not None:
        require(by, "spend.manage_sources")
    name = name.strip()
    if not name:
        raise DomainError("Name the finance system")
    if PaymentSource.objects.filter(name__iexact=name).exists():
        raise DomainError(f"{name} is a finance system already")
    return save_with_history(PaymentSource(name=name[:100]), by=by, reason=reason)
