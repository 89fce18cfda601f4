"""The notification ledger: every alert is claimed before it is sent, and sent once.

A job turns what is due into drafts and claims them in one insert that skips any key already in
the ledger (``notifications_claim``). Only the rows this claim created are then delivered
(``notifications_deliver``): each is taken (pending → sending) by one conditional update, so two
workers can never both send it, and then marked sent or failed. A failed row is retried with
back-off by the sweep (``notifications_retry_due``) until it is sent or its attempts run out; a row
left "sending" by a worker that died is never resent on its own, since it may have gone: an
administrator decides (``notification_send_again``). See docs/decisions/0018.

The ledger is the record of what was sent, to whom and when. It is written by these services only,
in bulk and with conditional updates so that a job's queries do not grow with the register; people
never edit it, so it keeps no separate history.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .caching import data_changed, families_of
from .models import Notification, NotificationItem, User
from .services import require
from .text import single_line

logger = logging.getLogger(__name__)

Status = Notification.Status

# A failed send waits 5, 10, 20... minutes (at most 6 hours) and is tried this many times in all.
RETRY_FIRST_WAIT = timedelta(minutes=5)
RETRY_LONGEST_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 8
# A row still "sending" after this was interrupted: it may or may not have gone.
SENDING_TIMEOUT = timedelta(minutes=15)
# A pending row nobody took this long after it was claimed is picked up by the sweep.
PENDING_GRACE = timedelta(minutes=10)
# The sweep sends at most this many at a time (every 5 minutes), so that after a long outage of
# the mail server it finishes well before its rows would look interrupted.
SWEEP_BATCH = 500


class NotificationError(Exception):
    """A request about the ledger that cannot be met, with a message for the person."""


@dataclass(frozen=True)
class DraftItem:
    """Something a digest tells its recipient about."""

    subject: models.Model
    category: str
    title: str


@dataclass(frozen=True)
class Draft:
    """A notification a job has found due, not yet claimed."""

    kind: str
    subject: models.Model
    key: str
    recipient: User
    recipient_role: str
    due_on: date
    title: str
    link: str
    email_subject: str
    body_text: str
    body_html: str = ""
    items: Sequence[DraftItem] = field(default_factory=tuple)

    def identity(self) -> tuple:
        return (self.kind, _type_of(self.subject).pk, self.subject.pk, self.key, self.recipient.pk)


def _type_of(instance: models.Model) -> ContentType:
    # ContentTypes are cached by Django after the first read of each model: no query per row.
    return ContentType.objects.get_for_model(instance, for_concrete_model=True)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure before the next try."""
    return min(RETRY_FIRST_WAIT * 2 ** max(attempts - 1, 0), RETRY_LONGEST_WAIT)


@transaction.atomic
def notifications_claim(*, drafts: Sequence[Draft]) -> uuid.UUID:
    """Claim ``drafts`` in the ledger: a key already there (from an earlier run, a retry or
    another worker) is skipped. Returns the claim, which names exactly the rows it created."""
    claim = uuid.uuid4()
    rows = [
        Notification(
            kind=draft.kind,
            subject_type=_type_of(draft.subject),
            subject_id=draft.subject.pk,
            key=draft.key,
            recipient=draft.recipient,
            recipient_role=draft.recipient_role,
            due_on=draft.due_on,
            title=draft.title[:300],
            link=draft.link,
            email_subject=single_line(draft.email_subject)[:250],
            body_text=draft.body_text,
            body_html=draft.body_html,
            claim=claim,
        )
        for draft in drafts
    ]
    # ON CONFLICT DO NOTHING: against a concurrent claim of the same key the database waits for
    # the other transaction and then skips the row, so each key is claimed by one run only.
    Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    with_items = [draft for draft in drafts if draft.items]
    if with_items:
        claimed = {
            (kind, type_id, subject_id, key, recipient_id): pk
            for pk, kind, type_id, subject_id, key, recipient_id in Notification.objects.filter(
                claim=claim
            ).values_list("pk", "kind", "subject_type", "subject_id", "key", "recipient")
        }
        items = [
            NotificationItem(
                notification_id=claimed[draft.identity()],
                subject_type=_type_of(item.subject),
                subject_id=item.subject.pk,
                category=item.category,
                title=item.title[:300],
            )
            for draft in with_items
            if draft.identity() in claimed
            for item in draft.items
        ]
        NotificationItem.objects.bulk_create(items, batch_size=1000)
    # Bulk writes send no signals; a contract's page lists what was sent about it.
    data_changed(*families_of(Notification), *families_of(NotificationItem))
    return claim


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def _take(condition: Q, *, now: datetime, most: int | None = None) -> uuid.UUID:
    """Mark the rows matching ``condition`` (the oldest ``most`` of them) as being sent by a new
    holder, in one update: a row another worker has taken no longer matches, so each row is taken
    once."""
    holder = uuid.uuid4()
    rows = Notification.objects.filter(condition)
    if most is not None:
        oldest = list(rows.order_by("pk").values_list("pk", flat=True)[:most])
        rows = rows.filter(pk__in=oldest)
    rows.update(status=Status.SENDING, claim=holder, claimed_at=now)
    return holder


def _send(holder: uuid.UUID, *, now: datetime) -> Delivery:
    rows = list(
        Notification.objects.filter(claim=holder, status=Status.SENDING).select_related("recipient")
    )
    if not rows:
        return Delivery(sent=0, failed=0)
    failures: dict[int, str] = {}
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.warning("Email connection failed: %s", error)
        failures = {row.pk: f"{type(error).__name__}: {error}" for row in rows}
    else:
        try:
            for row in rows:
                message = EmailMultiAlternatives(
                    # A row claimed before titles were kept to one line may hold a line break,
                    # which Django refuses in a header.
                    single_line(row.email_subject),
                    row.body_text,
                    settings.DEFAULT_FROM_EMAIL,
                    [row.recipient.email],
                    connection=connection,
                )
                if row.body_html:
                    message.attach_alternative(row.body_html, "text/html")
                try:
                    message.send()
                except Exception as error:
                    logger.warning("Notification %s not sent: %s", row.pk, error)
                    failures[row.pk] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
    sent = (
        Notification.objects.filter(claim=holder, status=Status.SENDING)
        .exclude(pk__in=list(failures))
        .update(status=Status.SENT, sent_at=now, last_error="")
    )
    for row in rows:
        if row.pk in failures:
            attempts = row.attempts + 1
            Notification.objects.filter(pk=row.pk, claim=holder).update(
                status=Status.FAILED,
                attempts=F("attempts") + 1,
                last_error=failures[row.pk][:2000],
                next_attempt_at=now + backoff(attempts) if attempts < MAX_ATTEMPTS else None,
            )
    data_changed(*families_of(Notification))  # the updates send no signals
    return Delivery(sent=sent, failed=len(failures))


def notifications_deliver(*, claim: uuid.UUID, now: datetime | None = None) -> Delivery:
    """Send the rows a claim created (nothing else), outside any transaction: a slow mail server
    holds no lock."""
    now = now or timezone.now()
    holder = _take(Q(claim=claim, status=Status.PENDING), now=now)
    return _send(holder, now=now)


def notifications_send_when_committed(*, drafts: Sequence[Draft]) -> None:
    """Claim ``drafts`` with the write that made them due (a write rolled back claims nothing)
    and send them once it commits: the emails a decision sends to whoever acts next."""
    if drafts:
        claim = notifications_claim(drafts=drafts)
        transaction.on_commit(lambda: notifications_deliver(claim=claim))


def notifications_retry_due(*, now: datetime | None = None) -> Delivery:
    """Send again the failed rows whose wait is over, and any pending row that nobody took,
    the oldest first, ``SWEEP_BATCH`` at a time."""
    now = now or timezone.now()
    due = Q(status=Status.FAILED, next_attempt_at__lte=now) | Q(
        status=Status.PENDING, created_at__lte=now - PENDING_GRACE
    )
    holder = _take(due, now=now, most=SWEEP_BATCH)
    return _send(holder, now=now)


def is_interrupted(notification: Notification, *, now: datetime | None = None) -> bool:
    """Left "sending" by a worker that stopped: it may or may not have been sent."""
    now = now or timezone.now()
    return (
        notification.status == Status.SENDING
        and notification.claimed_at is not None
        and notification.claimed_at < now - SENDING_TIMEOUT
    )


def notification_send_again(
    *, notification: Notification, by: User, now: datetime | None = None
) -> Delivery:
    """An administrator's decision to send a row that failed for good, or was interrupted."""
    require(by, "procurement.manage_notifications")
    now = now or timezone.now()
    gave_up = Q(status=Status.FAILED, next_attempt_at__isnull=True)
    interrupted = Q(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    holder = uuid.uuid4()
    taken = Notification.objects.filter(Q(pk=notification.pk) & (gave_up | interrupted)).update(
        status=Status.SENDING, claim=holder, claimed_at=now
    )
    if not taken:
        raise NotificationError(
            "This notification can only be sent again once it has failed for good or was "
            "interrupted while sending; it is "
            f"{Notification.objects.get(pk=notification.pk).get_status_display().lower()}."
        )
    logger.info("Notification %s sent again at the request of %s", notification.pk, by.email)
    return _send(holder, now=now)
