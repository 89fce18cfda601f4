"""Explaining spend with no contract: why a payee is paid without one, kept with history."""

from django.db import transaction
from django.utils import timezone

from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require
from spend.models import ExemptCategory, Explanation
from spend.selectors.gaps import GapLine

Kind = Explanation.Kind


class SpendError(DomainError):
    """A request the rules of spend refuse, with a message for the person (and its field)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _checked(kind: str, exempt_category: ExemptCategory | None, waiver_reference: str) -> None:
    if kind not in Kind.values:
        raise SpendError("Select why there is no contract", field="kind")
    if kind == Kind.EXEMPT and exempt_category is None:
        raise SpendError("Select the exempt category", field="exempt_category")
    if kind == Kind.EXEMPT and not exempt_category.is_active:
        raise SpendError(
            f"{exempt_category} is no longer an exempt category", field="exempt_category"
        )
    if kind == Kind.WAIVER and not waiver_reference.strip():
        raise SpendError("Enter the waiver's reference", field="waiver_reference")


@transaction.atomic
def spend_explain(
    *,
    line: GapLine,
    kind: str,
    note: str,
    by: User,
    exempt_category: ExemptCategory | None = None,
    waiver_reference: str = "",
) -> Explanation:
    """Record why a line of the no-contract list has no contract (again: the explanation is
    changed, and its history keeps the one before)."""
    require(by, "spend.explain_spend")
    _checked(kind, exempt_category, waiver_reference)
    explanation = (
        Explanation.objects.select_for_update()
        .filter(
            supplier=line.supplier,
            payee_key="" if line.supplier else line.payee_key,
            directorate=line.directorate,
        )
        .order_by("pk")
        .first()
    ) or Explanation(
        source_id=line.source_id,
        supplier=line.supplier,
        payee_key="" if line.supplier else line.payee_key,
        directorate=line.directorate,
    )
    reason = "Explained" if explanation.pk is None else "Explanation changed"
    explanation.kind = kind
    explanation.exempt_category = exempt_category if kind == Kind.EXEMPT else None
    explanation.waiver_reference = waiver_reference.strip() if kind == Kind.WAIVER else ""
    explanation.note = note.strip()
    explanation.explained_by = by
    explanation.explained_at = timezone.now()
    return save_with_history(explanation, by=by, reason=f"{reason}: {explanation}")
