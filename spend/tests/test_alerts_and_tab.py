"""The alerts at 80% and 100% of a contract's value, each sent once, and the contract page's
Spend section."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ContractFactory, ContractOverFiftyThousandFactory
from procurement.models import Notification
from procurement.roles import Role
from spend.models import Payment
from spend.services.alerts import spend_threshold_alerts_send
from spend.signals import payments_changed

from .factories import PaymentFactory

Match = Payment.SupplierMatch
ContractMatch = Payment.ContractMatch


def pay(contract, amount, *, days=20):
    return PaymentFactory(
        amount=Decimal(amount),
        supplier=contract.supplier,
        supplier_match=Match.NAME,
        contract=contract,
        contract_match=ContractMatch.ONLY_LIVE,
        directorate=contract.directorate,
        paid_on=timezone.localdate() - timedelta(days=days),
    )


def sent():
    return sorted(
        (row.subject_id, row.key, row.recipient.email)
        for row in Notification.objects.filter(kind=Notification.Kind.SPEND_THRESHOLD)
    )


@pytest.mark.django_db
def test_each_threshold_is_alerted_once_to_the_contract_manager(tasks_in_process):
    contract = ContractOverFiftyThousandFactory(whole_life_value=Decimal("100000"))
    manager = contract.contract_manager.email
    pay(contract, "79999.99")
    payments_changed.send(sender=Payment, contract_ids={contract.pk})
    assert sent() == []
    pay(contract, "0.01")  # 80% exactly
    payments_changed.send(sender=Payment, contract_ids={contract.pk})
    payments_changed.send(sender=Payment, contract_ids={contract.pk})  # a second run
    assert sent() == [(contract.pk, "80", manager)]
    assert len(mail.outbox) == 1
    assert "80%" in mail.outbox[0].subject
    pay(contract, "25000")
    spend_threshold_alerts_send(contract_ids=[contract.pk])
    spend_threshold_alerts_send()  # the daily catch-up, all contracts
    assert sent() == [(contract.pk, "100", manager), (contract.pk, "80", manager)]
    assert len(mail.outbox) == 2
    assert "variation or a Gateway 3 report is needed" in mail.outbox[1].body


@pytest.mark.django_db
def test_without_a_manager_the_lead_director_then_the_partner_then_the_heads_hear(make_user):
    director = make_user(Role.EXECUTIVE_DIRECTOR)
    led = ContractFactory(whole_life_value=Decimal("1000"), lead_director=director)
    partner = make_user(Role.BUSINESS_PARTNER)
    partnered = ContractFactory(whole_life_value=Decimal("1000"))
    partnered.directorate.business_partner = partner
    partnered.directorate.save()
    head = make_user(Role.HEAD_OF_PROCUREMENT)
    nobody = ContractFactory(whole_life_value=Decimal("1000"))
    for contract in (led, partnered, nobody):
        pay(contract, "850")
    spend_threshold_alerts_send()
    assert sent() == sorted(
        [
            (led.pk, "80", director.email),
            (partnered.pk, "80", partner.email),
            (nobody.pk, "80", head.email),
        ]
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_checking_at_once_send_each_alert_once(postgres):
    contracts = [ContractOverFiftyThousandFactory(whole_life_value=Decimal("1000")) for _ in "abc"]
    for contract in contracts:
        pay(contract, "1200")
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                spend_threshold_alerts_send()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(sent()) == 3
    assert len(mail.outbox) == 3
    assert {row[1] for row in sent()} == {"100"}


# --- The contract page's Spend section --------------------------------------------------------


@pytest.mark.django_db
def test_the_spend_section_shows_the_months_figures_in_its_table(client, make_user):
    contract = ContractFactory(whole_life_value=Decimal("10000"))
    pay(contract, "1234.50", days=0)
    pay(contract, "-234.50", days=0)
    client.force_login(make_user(Role.AUDITOR))
    html = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert 'id="spend"' in html
    month = timezone.localdate().strftime("%B %Y")
    row = html[html.index(f">{month}</th>") :]
    row = row[: row.index("</tr>")]
    assert ">2</td>" in row
    assert "£1,000.00" in row
    assert "10.0% of £10,000.00" in html
    assert "<svg" in html


@pytest.mark.django_db
def test_the_contract_page_runs_the_same_queries_whatever_its_payments(client, make_user):
    contract = ContractFactory(whole_life_value=Decimal("10000"))
    client.force_login(make_user(Role.AUDITOR))
    url = reverse("contracts:detail", args=[contract.pk])
    pay(contract, "10")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for days in range(0, 360, 7):
        pay(contract, "10", days=days)
    assert count() == small
