"""Recording the Find a Tender notice published for an item the Act asks the council to notify."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from procurement.history import save_with_history
from procurement.models import User
from procurement.services import DomainError, require

from .models import Notice
from .selectors import Item


class NoticeError(DomainError):
    """A notice that cannot be recorded as given."""


@transaction.atomic
def notice_record(*, item: Item, notice_id: str, published_on: date, by: User) -> Notice:
    """Record the notice published for ``item``, once."""
    require(by, "opendata.record_notices")
    if published_on > timezone.localdate():
        raise NoticeError("The notice cannot have been published in the future.")
    notice = Notice(
        kind=item.kind,
        item_key=item.key,
        notice_id=notice_id.strip(),
        published_on=published_on,
        recorded_by=by,
        due_on=item.due_on if item.kind == Notice.Kind.PERFORMANCE else None,
        project_id=item.project_id,
        contract_id=item.contract_id,
        event_id=item.event_id,
    )
    if Notice.objects.filter(item_key=item.key).exists():
        raise NoticeError("A notice is already recorded for this item.")
    try:
        notice.full_clean(exclude=["recorded_by"])
    except ValidationError as error:
        raise NoticeError("; ".join(error.messages)) from None
    try:
        with transaction.atomic():
            return save_with_history(notice, by=by, reason=f"Published as {notice.notice_id}")
    except IntegrityError:
        raise NoticeError("A notice is already recorded for this item.") from None
