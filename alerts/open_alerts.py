"""The renewal alerts still open, kept, so that a person's count and first few are read from a
few rows of their own rather than worked out from every alert they were ever sent.

An alert is open while it is the latest renewal alert to its recipient about the contract, it
names the contract's renewal date (its end date, or a rolling contract's review date), the
contract is not terminated and nothing has answered its renewal (``renewal_answered``), and that
date has not passed. ``OpenRenewalAlert`` holds a row for each alert that is open but for the
date, which is compared as it is read. The writes that can open or close one refresh the rows of
the contracts they touch, in their own transaction, from the ledger and the register
(``refresh``): an alert sent, a contract changed or deleted, a procurement planned to replace a
contract, a Gateway 3 extension proposed or decided. Bulk writes to the register rebuild them
all once they commit, as does ``migrate``. ``disagreements`` compares them with the ledger.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from contracts.models import Contract
from procurement.commits import delete_all_derived, delete_derived, lock_table
from procurement.models import Notification

from .models import OpenRenewalAlert
from .selectors import end_date_of_key, renewal_answered

Row = tuple[int, int, int, date, date]  # recipient, contract, notification, renews_on, due_on


def _renewal_alerts():
    return Notification.objects.filter(
        kind=Notification.Kind.RENEWAL, subject_type=ContentType.objects.get_for_model(Contract)
    )


def live_open_alerts(contract_ids: Iterable[int] | None = None) -> set[Row]:
    """The open alerts worked out from the ledger and the register (of the contracts
    ``contract_ids`` only, if given), whatever the date."""
    sent = _renewal_alerts()
    if contract_ids is not None:
        sent = sent.filter(subject_id__in=list(contract_ids))
    latest: dict[tuple[int, int], tuple[int, str, date]] = {}
    for pk, recipient_id, subject_id, key, due_on in (
        sent.order_by("created_at", "pk")
        .values_list("pk", "recipient_id", "subject_id", "key", "due_on")
        .iterator()
    ):
        latest[recipient_id, subject_id] = (pk, key, due_on)
    contracts = {
        pk: (end_date, review_date)
        for pk, end_date, review_date in Contract.objects.filter(
            pk__in=sent.values("subject_id"), terminated_on__isnull=True
        )
        .exclude(renewal_answered())
        .values_list("pk", "end_date", "review_date")
    }
    found = set()
    for (recipient_id, contract_id), (pk, key, due_on) in latest.items():
        if contract_id not in contracts:
            continue
        end_date, review_date = contracts[contract_id]
        renews_on = review_date if end_date is None else end_date
        names_it = end_date_of_key(key) == renews_on and (":review:" in key) == (end_date is None)
        if renews_on is not None and names_it:
            found.add((recipient_id, contract_id, pk, renews_on, due_on))
    return found


def kept_open_alerts(contract_ids: Iterable[int] | None = None) -> set[Row]:
    rows = OpenRenewalAlert.objects.all()
    if contract_ids is not None:
        rows = rows.filter(contract_id__in=list(contract_ids))
    return set(
        rows.values_list("recipient_id", "contract_id", "notification_id", "renews_on", "due_on")
    )


def _write(rows: Iterable[Row]) -> None:
    OpenRenewalAlert.objects.bulk_create(
        OpenRenewalAlert(
            recipient_id=recipient_id,
            contract_id=contract_id,
            notification_id=notification_id,
            renews_on=renews_on,
            due_on=due_on,
        )
        for recipient_id, contract_id, notification_id, renews_on, due_on in rows
    )


@transaction.atomic
def refresh(contract_ids: Iterable[int]) -> None:
    """Work the open alerts of these contracts out afresh (after a write that touched them).
    The contracts' rows are locked first, in order, so two writes (two workers sending alerts
    at once) refresh a contract one after the other, each from what the other committed."""
    ids = sorted({pk for pk in contract_ids if pk is not None})
    if not ids or not _renewal_alerts().filter(subject_id__in=ids).exists():
        return  # never alerted about: no alert of theirs can be open (the common case)
    list(Contract.objects.filter(pk__in=ids).order_by("pk").select_for_update().values_list("pk"))
    # One statement, whatever was kept before (a queryset's delete reads the rows first).
    delete_derived(OpenRenewalAlert, "contract_id", ids)
    _write(live_open_alerts(ids))


@transaction.atomic
def rebuild() -> None:
    """Work every open alert out afresh (after bulk writes, which send no per-row signals).
    On PostgreSQL the table is held against the refreshes of other writes meanwhile."""
    lock_table(OpenRenewalAlert, "SHARE ROW EXCLUSIVE")
    delete_all_derived(OpenRenewalAlert)
    _write(live_open_alerts())


def disagreements() -> list[str]:
    """Where the kept open alerts differ from the ledger's (none, if every write keeps them)."""
    live, kept = live_open_alerts(), kept_open_alerts()
    return [f"kept, not open: {row}" for row in sorted(kept - live)] + [
        f"open, not kept: {row}" for row in sorted(live - kept)
    ]
