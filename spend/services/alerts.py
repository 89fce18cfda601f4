"""Alerts when a contract's payments pass 80% and then 100% of its whole-life value: to the
contract manager (or, without one, the lead director; else the directorate's business partner;
else the heads of procurement), through the notification ledger, each threshold once."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils import timezone

from contracts.models import Contract
from procurement.models import Notification, User
from procurement.notifications import (
    Delivery,
    Draft,
    notifications_claim,
    notifications_deliver,
)
from procurement.roles import Role
from procurement.selectors import users_with_role
from spend.selectors.gaps import WARN_AT, PastValueMixin, contracts_paid, value_share

KIND = Notification.Kind.SPEND_THRESHOLD


@dataclass(frozen=True)
class Passed(PastValueMixin):
    """A contract whose payments have passed a threshold of its value."""

    contract: Contract
    paid: Decimal
    share: Decimal

    @property
    def key(self) -> str:
        """The ledger's key: the highest threshold passed, "80" or "100"."""
        return "100" if self.is_over else "80"


def thresholds_passed(*, contract_ids: list[int] | None = None) -> list[Passed]:
    """The contracts (of ``contract_ids``, or all) paid 80% or more of their value (two
    queries)."""
    rows = list(
        contracts_paid(contract_ids=contract_ids)
        .filter(share__gte=WARN_AT)
        .values_list("contract", "paid", "share")
    )
    contracts = Contract.objects.select_related(
        "contract_manager", "lead_director", "directorate__business_partner", "supplier"
    ).in_bulk([pk for pk, _, _ in rows])
    return [Passed(contracts[pk], paid, value_share(share)) for pk, paid, share in rows]


def recipients_of(contract: Contract, *, heads: list[User]) -> list[tuple[User, str]]:
    """Who is told about a contract's spend, and as what."""
    for person, role in (
        (contract.contract_manager, "Contract manager"),
        (contract.lead_director, "Lead director, as the contract has no contract manager"),
        (
            contract.directorate.business_partner,
            "Business partner for the directorate, as the contract has no manager or director",
        ),
    ):
        if person is not None and person.is_active:
            return [(person, role)]
    return [(head, "Head of procurement, as nobody else is named") for head in heads]


def _draft(passed: Passed, recipient: User, role: str, *, on: date) -> Draft:
    contract = passed.contract
    context = {
        "contract": contract,
        "passed": passed,
        "over": passed.key == "100",
        "recipient": recipient,
        "recipient_role": role,
        "contract_url": f"{settings.SITE_URL}{contract.get_absolute_url()}#spend",
        "council_name": settings.COUNCIL_NAME,
    }
    title = f"{contract.reference} has been paid {passed.key}% of its value"
    return Draft(
        kind=KIND,
        subject=contract,
        key=passed.key,
        recipient=recipient,
        recipient_role=role,
        due_on=on,
        title=title,
        link=f"{contract.get_absolute_url()}#spend",
        email_subject=f"Spend alert: {title}",
        body_text=render_to_string("spend/email/threshold.txt", context),
        body_html=render_to_string("spend/email/threshold.html", context),
    )


def _claimed(contract_ids: list[int]) -> set[tuple[int, str]]:
    """(contract, key) of the spend alerts the ledger already holds for these contracts."""
    return set(
        Notification.objects.filter(
            kind=KIND,
            subject_type=ContentType.objects.get_for_model(Contract),
            subject_id__in=contract_ids,
        ).values_list("subject_id", "key")
    )


def spend_threshold_alerts_send(
    *, contract_ids: list[int] | None = None, now: datetime | None = None
) -> Delivery:
    """Alert each contract (of ``contract_ids``, or all) paid past 80% or 100% of its value
    that has not been alerted for that threshold; the ledger makes each alert go once, however
    many runs or workers ask."""
    now = now or timezone.now()
    passed = thresholds_passed(contract_ids=contract_ids)
    if not passed:
        return Delivery(sent=0, failed=0)
    claimed = _claimed([each.contract.pk for each in passed])
    heads = list(users_with_role(role=Role.HEAD_OF_PROCUREMENT).order_by("email"))
    on = timezone.localdate(now)
    drafts = [
        _draft(each, person, role, on=on)
        for each in passed
        if (each.contract.pk, each.key) not in claimed
        for person, role in recipients_of(each.contract, heads=heads)
    ]
    if not drafts:
        return Delivery(sent=0, failed=0)
    return notifications_deliver(claim=notifications_claim(drafts=drafts), now=now)
