"""The ledger's delivery: a failed send is retried with back-off and stays visible until sent;
nothing is ever sent twice, not by a retry, a second worker or an interrupted one."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from alerts.services import renewal_alerts_send
from alerts.tests.backends import RefusingBackend
from alerts.tests.factories import contract_ending
from procurement.models import Notification
from procurement.notifications import (
    MAX_ATTEMPTS,
    NotificationError,
    backoff,
    is_interrupted,
    notification_send_again,
    notifications_claim,
    notifications_deliver,
    notifications_retry_due,
)
from procurement.roles import Role

ON = date(2026, 11, 30)  # 9 months before 31/08/2027


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "alerts.tests.backends.RefusingBackend"
    RefusingBackend.refuse, RefusingBackend.down = set(), False
    yield RefusingBackend
    RefusingBackend.refuse, RefusingBackend.down = set(), False


def test_the_waits_grow_and_stop_growing():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert backoff(20) == timedelta(hours=6)


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_back_off_until_sent(refusing):
    contract = contract_ending(date(2027, 8, 31))
    manager = contract.contract_manager.email
    refusing.refuse = {manager}
    now = timezone.now()
    result = renewal_alerts_send(on=ON, now=now)
    assert (result.delivery.sent, result.delivery.failed) == (1, 1)
    failed = Notification.objects.get(recipient__email=manager)
    assert failed.status == "failed"
    assert failed.attempts == 1
    assert "Mailbox unavailable" in failed.last_error
    assert failed.next_attempt_at == now + timedelta(minutes=5)
    # Not yet: the wait is not over. The job's own re-run does not resend either.
    assert notifications_retry_due(now=now + timedelta(minutes=4)).sent == 0
    assert renewal_alerts_send(on=ON, now=now).claimed == 0
    # Still refused: the next wait doubles.
    notifications_retry_due(now=now + timedelta(minutes=5))
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert failed.next_attempt_at == now + timedelta(minutes=15)
    refusing.refuse = set()
    delivery = notifications_retry_due(now=now + timedelta(minutes=15))
    assert (delivery.sent, delivery.failed) == (1, 0)
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert failed.last_error == ""
    assert [m.to[0] for m in mail.outbox].count(manager) == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_after_its_last_attempt_only_an_administrator_sends_it_again(refusing, make_user):
    contract_ending(date(2027, 8, 31))
    refusing.down = True
    now = timezone.now()
    renewal_alerts_send(on=ON, now=now)
    for attempt in range(1, MAX_ATTEMPTS):
        now += backoff(attempt)
        notifications_retry_due(now=now)
    rows = list(Notification.objects.all())
    assert all(row.status == "failed" and row.attempts == MAX_ATTEMPTS for row in rows)
    assert all(row.next_attempt_at is None for row in rows)
    assert "Connection refused" in rows[0].last_error
    assert notifications_retry_due(now=now + timedelta(days=1)).sent == 0
    refusing.down = False
    with pytest.raises(PermissionDenied):
        notification_send_again(notification=rows[0], by=make_user(Role.AUDITOR))
    admin = make_user(Role.ADMINISTRATOR)
    assert notification_send_again(notification=rows[0], by=admin).sent == 1
    with pytest.raises(NotificationError, match="it is sent"):
        notification_send_again(notification=rows[0], by=admin)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_interrupted_send_is_never_resent_by_itself(make_user):
    contract_ending(date(2027, 8, 31))
    drafts = renewal_alerts_send(on=ON, dry_run=True).drafts
    claim = notifications_claim(drafts=drafts)
    # A worker took the rows and stopped before marking them: they may have gone.
    started = timezone.now()
    Notification.objects.filter(claim=claim).update(status="sending", claimed_at=started)
    later = started + timedelta(hours=1)
    assert notifications_retry_due(now=later).sent == 0
    assert notifications_deliver(claim=claim, now=later).sent == 0
    row = Notification.objects.first()
    assert not is_interrupted(row, now=started + timedelta(minutes=5))
    assert is_interrupted(row, now=later)
    assert (
        notification_send_again(notification=row, by=make_user(Role.ADMINISTRATOR), now=later).sent
        == 1
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_claim_nobody_delivered_is_swept_up_once():
    contract_ending(date(2027, 8, 31))
    drafts = renewal_alerts_send(on=ON, dry_run=True).drafts
    notifications_claim(drafts=drafts)  # the worker stopped before delivering
    now = timezone.now()
    assert notifications_retry_due(now=now).sent == 0  # it may still be on its way
    assert notifications_retry_due(now=now + timedelta(minutes=11)).sent == 2
    assert notifications_retry_due(now=now + timedelta(minutes=30)).sent == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_claims_of_the_same_alerts_at_once_claim_each_once(postgres):
    contract_ending(date(2027, 8, 31))
    drafts = renewal_alerts_send(on=ON, dry_run=True).drafts
    first_inserted, second_started = threading.Event(), threading.Event()
    claims = {}

    def first():
        try:
            with transaction.atomic():
                claims["first"] = notifications_claim(drafts=drafts)
                first_inserted.set()
                # Hold the transaction open while the second worker claims the same keys.
                second_started.wait(timeout=10)
                threading.Event().wait(0.5)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(timeout=10)
            second_started.set()
            claims["second"] = notifications_claim(drafts=drafts)
        finally:
            connection.close()

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    counts = {
        name: Notification.objects.filter(claim=claim).count() for name, claim in claims.items()
    }
    assert counts == {"first": 2, "second": 0}
    sent = sum(notifications_deliver(claim=claim).sent for claim in claims.values())
    assert sent == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_running_the_job_at_once_send_each_alert_once(postgres):
    for _ in range(5):
        contract_ending(date(2027, 8, 31))
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait(timeout=10)
            results.append(renewal_alerts_send(on=ON))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(result.claimed for result in results) == 10
    recipients = [message.to[0] for message in mail.outbox]
    subjects = [(message.to[0], message.subject) for message in mail.outbox]
    assert len(recipients) == 10
    assert len(set(subjects)) == 10
    assert Notification.objects.filter(status="sent").count() == 10


@pytest.mark.django_db
def test_the_sweep_sends_a_batch_at_a_time_oldest_first(refusing, monkeypatch):
    monkeypatch.setattr("procurement.notifications.SWEEP_BATCH", 3)
    for _ in range(2):
        contract_ending(date(2027, 8, 31))
    refusing.down = True
    now = timezone.now()
    renewal_alerts_send(on=ON, now=now)
    refusing.down = False
    later = now + timedelta(minutes=5)
    assert notifications_retry_due(now=later).sent == 3
    oldest = list(Notification.objects.order_by("pk").values_list("status", flat=True))
    assert oldest == ["sent", "sent", "sent", "failed"]
    assert notifications_retry_due(now=later).sent == 1
    assert len(mail.outbox) == 4
