"""The daily supplier health check alert (seed 000 §8d): each supplier whose next health check
has passed its due date, to the contract managers of its running contracts (or, with none, the
heads of procurement), through the notification ledger: once for each check due, however often
the job runs. A new check moves the due date, and its own lateness is alerted again."""

from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from performance.models import SupplierHealthCheck
from performance.selectors import health_check_managers, health_checks_overdue
from procurement.dates import long_date
from procurement.models import Notification, User
from procurement.notifications import Draft
from procurement.roles import Role
from procurement.selectors import users_with_role

from .services import RunResult, _claim_and_send

KIND = Notification.Kind.HEALTH_CHECK


def _draft(check: SupplierHealthCheck, recipient: User, role: str, *, on: date) -> Draft:
    supplier = check.supplier
    link = reverse("performance:supplier", args=[supplier.pk]) + "#health"
    context = {
        "check": check,
        "supplier": supplier,
        "recipient": recipient,
        "recipient_role": role,
        "supplier_url": f"{settings.SITE_URL}{link}",
        "council_name": settings.COUNCIL_NAME,
    }
    title = f"{supplier.name}: health check overdue since {long_date(check.due)}"
    return Draft(
        kind=KIND,
        subject=check,
        key=check.due.isoformat(),
        recipient=recipient,
        recipient_role=role,
        due_on=on,
        title=title,
        link=link,
        email_subject=f"Health check overdue: {supplier.name}",
        body_text=render_to_string("alerts/email/health_check.txt", context),
        body_html=render_to_string("alerts/email/health_check.html", context),
    )


def _claimed(check_ids: list[int]) -> set[tuple[int, str, int]]:
    """(check, key, recipient) of the health check alerts the ledger already holds."""
    return set(
        Notification.objects.filter(
            kind=KIND,
            subject_type=ContentType.objects.get_for_model(SupplierHealthCheck),
            subject_id__in=check_ids,
        ).values_list("subject_id", "key", "recipient_id")
    )


def health_check_alerts_send(
    *, on: date, dry_run: bool = False, now: datetime | None = None
) -> RunResult:
    """Alert each supplier's overdue health check on ``on`` that the ledger does not hold."""
    now = now or timezone.now()
    overdue = list(health_checks_overdue(on=on))
    managers = health_check_managers(supplier_ids=[c.supplier_id for c in overdue], on=on)
    heads = list(users_with_role(role=Role.HEAD_OF_PROCUREMENT).order_by("email"))
    due = [
        (check, person, role)
        for check in overdue
        for person, role in (
            [(m, "Contract manager") for m in managers.get(check.supplier_id, [])]
            or [(h, "Head of procurement, as no contract manager is named") for h in heads]
        )
    ]
    claimed = _claimed([check.pk for check in overdue])
    pending = [
        item for item in due if (item[0].pk, item[0].due.isoformat(), item[1].pk) not in claimed
    ]
    return _claim_and_send(
        pending,
        lambda item: _draft(item[0], item[1], item[2], on=on),
        on=on,
        already=len(due) - len(pending),
        dry_run=dry_run,
        now=now,
    )
