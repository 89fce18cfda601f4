"""The alert jobs and the reassignment of a departed manager's contracts.

``renewal_alerts_send`` (daily) and ``escalation_digests_send`` (weekly per person) find what is
due, skip what the ledger already holds, claim the rest and send it: the Celery tasks, the
management commands and the tests all call these, so every path sends each alert once.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from contracts.lead_times import bands
from contracts.models import Contract
from contracts.services import contract_update
from procurement.dates import long_date
from procurement.models import Notification, User
from procurement.notifications import (
    Delivery,
    Draft,
    DraftItem,
    notifications_claim,
    notifications_deliver,
)
from procurement.services import ProcurementError

from . import open_alerts
from .selectors import (
    Category,
    Digest,
    RenewalDue,
    category_list_url,
    digest_recipients_claimed,
    digests_summarised,
    months_phrase,
    renewal_alerts_counted,
    renewal_heads,
    renewal_keys_claimed,
    renewals_due,
    renewals_unsent,
    week_key,
    week_start,
)

# A digest lists this many items of each kind; the rest are a link away.
DIGEST_ITEMS_SHOWN = 25


class AlertError(ProcurementError):
    """A request about alerts that the rules refuse."""


# Drafts are rendered, claimed and sent this many at a time, so that a first run over a large
# register (every contract already inside a lead time) holds a bounded number in memory.
CHUNK = 1000


@dataclass(frozen=True)
class RunResult:
    """What one run of a job found and did."""

    on: date
    due: int  # alerts due on the day, whether or not already sent
    already_sent: int  # of those, already in the ledger (an earlier run, a retry, a worker)
    listed: Sequence[tuple[str, str]] = ()  # the rest: (recipient's email, title)
    drafts: Sequence[Draft] = field(default_factory=tuple)  # a dry run's drafts, unclaimed
    delivery: Delivery | None = None  # what this run claimed and sent; None for a dry run

    @property
    def claimed(self) -> int:
        return 0 if self.delivery is None else self.delivery.sent + self.delivery.failed


def _claim_and_send(
    pending: Sequence, draft_of, *, on: date, already: int, dry_run: bool, now, claimed=None
) -> RunResult:
    """Render ``pending`` (each turned into a draft by ``draft_of``), claim and send them, a
    chunk at a time, calling ``claimed`` with each chunk's drafts once claimed; or for a dry run,
    render them and claim nothing."""
    due = already + len(pending)
    if dry_run:
        drafts = [draft_of(item) for item in pending]
        listed = [(d.recipient.email, d.title) for d in drafts]
        return RunResult(on=on, due=due, already_sent=already, listed=listed, drafts=drafts)
    listed, sent, failed = [], 0, 0
    for start in range(0, len(pending), CHUNK):
        drafts = [draft_of(item) for item in pending[start : start + CHUNK]]
        claim = notifications_claim(drafts=drafts)
        if claimed:
            claimed(drafts)
        delivery = notifications_deliver(claim=claim, now=now)
        sent, failed = sent + delivery.sent, failed + delivery.failed
        listed += [(d.recipient.email, d.title) for d in drafts]
    return RunResult(
        on=on, due=due, already_sent=already, listed=listed, delivery=Delivery(sent, failed)
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _render(template: str, context: dict) -> tuple[str, str]:
    context = {"council_name": settings.COUNCIL_NAME, **context}
    return (
        render_to_string(f"alerts/email/{template}.txt", context),
        render_to_string(f"alerts/email/{template}.html", context),
    )


# A contract's alert says the same to each of its recipients but for who they are: it is rendered
# once with these marks in their place, and each recipient's name and role are put in.
_NAME, _ROLE = "\x1arecipient-name\x1a", "\x1arecipient-role\x1a"


class _Someone:
    email = _NAME

    def get_full_name(self) -> str:
        return _NAME


def renewal_body(due: RenewalDue) -> dict[str, str]:
    """The links, text and HTML of the alert of ``due``, with marks for the recipient."""
    contract = due.contract
    contract_url = _absolute(contract.get_absolute_url())
    links = {
        "contract_url": contract_url,
        "renewal_url": f"{contract_url}#alerts",
        "reprocure_url": _absolute(f"{reverse('gateways:project_create')}?replaces={contract.pk}"),
        "ending_url": _absolute(reverse("contracts:confirm_ending", args=[contract.pk])),
    }
    context = {
        "contract": contract,
        "lead_time": months_phrase(due.months),
        "recipient": _Someone(),
        "recipient_role": _ROLE,
        **links,
        "can_extend": contract.extensions_remaining > 0 and not contract.is_rolling,
        "rolling": contract.is_rolling,
    }
    text, html = _render("renewal", context)
    return {"link": contract.get_absolute_url(), "text": text, "html": html}


def _addressed(body: str, recipient, *, html: bool) -> str:
    name = recipient.user.get_full_name() or recipient.user.email
    role = recipient.role.lower()
    if html:
        name, role = escape(name), escape(role)
    return body.replace(_NAME, name).replace(_ROLE, role)


def renewal_draft(due: RenewalDue, recipient, body: dict[str, str] | None = None) -> Draft:
    """The alert of ``due`` to ``recipient``; ``body`` is the alert's, when already rendered
    for another recipient of it."""
    contract = due.contract
    body = body or renewal_body(due)
    if contract.is_rolling:
        what = f"rolling: review due {long_date(contract.review_date)}"
        title = f"{contract.reference} {what}: alert {months_phrase(due.months)} before the review"
    else:
        what = f"ends {long_date(contract.end_date)}"
        title = f"{contract.reference} {what}: alert {months_phrase(due.months)} before the end"
    return Draft(
        kind=Notification.Kind.RENEWAL,
        subject=contract,
        key=due.key,
        recipient=recipient.user,
        recipient_role=recipient.role,
        due_on=due.alert_day,
        title=title,
        link=body["link"],
        email_subject=f"Renewal alert: {contract.reference} {contract.title} {what}",
        body_text=_addressed(body["text"], recipient, html=False),
        body_html=_addressed(body["html"], recipient, html=True),
    )


def renewal_alerts_send(
    *, on: date, dry_run: bool = False, now: datetime | None = None
) -> RunResult:
    """Send each renewal alert due on ``on`` (or missed before it) that the ledger does not hold:
    to the contract manager and the directorate's business partner, with what to do next."""
    in_force = bands()
    heads = renewal_heads()
    # The database finds the few contracts with an alert not yet sent; only these are read.
    unsent = renewals_unsent(on=on, in_force=in_force, heads=heads)
    claimed = renewal_keys_claimed(on=on, in_force=in_force, among=unsent)
    pending = [
        (item, recipient)
        for item in renewals_due(on=on, in_force=in_force, among=unsent)
        for recipient in item.recipients
        if (item.contract.pk, item.key, recipient.user.pk) not in claimed
    ]
    already = renewal_alerts_counted(on=on, in_force=in_force, heads=heads) - len(pending)
    bodies: dict[tuple[int, str], dict[str, str]] = {}

    def draft_of(pair) -> Draft:
        due = pair[0]
        if (due.contract.pk, due.key) not in bodies:
            bodies.clear()  # a contract's recipients come together: keep one alert's body
            bodies[due.contract.pk, due.key] = renewal_body(due)
        return renewal_draft(*pair, body=bodies[due.contract.pk, due.key])

    return _claim_and_send(
        pending,
        draft_of,
        on=on,
        already=already,
        dry_run=dry_run,
        now=now,
        # The ledger's bulk insert sends no signals: the alerts claimed are open now.
        claimed=lambda drafts: open_alerts.refresh(draft.subject.pk for draft in drafts),
    )


def digest_draft(*, digest: Digest, on: date) -> Draft:
    present = [category for category in Category.ORDER if category in digest.sections]
    sections = [
        {
            "label": Category.LABELS[category],
            "count": digest.sections[category].count,
            "shown": [
                {"escalation": e, "role": role, "url": _absolute(e.link)}
                for e, role in digest.sections[category].shown
            ],
            "more": max(0, digest.sections[category].count - DIGEST_ITEMS_SHOWN),
            "list_url": _absolute(category_list_url(category)),
        }
        for category in present
    ]
    person, monday = digest.person, week_start(on)
    text, html = _render(
        "digest", {"recipient": person, "sections": sections, "week_of": monday, "on": on}
    )
    return Draft(
        kind=Notification.Kind.ESCALATION_DIGEST,
        subject=person,
        key=week_key(on),
        recipient=person,
        recipient_role=", ".join(sorted(digest.roles)),
        due_on=monday,
        title=f"Escalations for the week of {long_date(monday)}",
        link=reverse("alerts:mine"),
        email_subject=f"Escalations for the week of {long_date(monday)}",
        body_text=text,
        body_html=html,
        # What the email itself lists, so the page of each names the digest that named it.
        items=tuple(
            DraftItem(shown["escalation"].subject, category, shown["escalation"].title)
            for category, section in zip(present, sections, strict=True)
            for shown in section["shown"]
        ),
    )


def escalation_digests_send(
    *, on: date, dry_run: bool = False, now: datetime | None = None
) -> RunResult:
    """Send each person one digest a week (the ISO week of ``on``) of the escalations that
    reach them; a person already sent this week's digest is not sent another. Each digest reads
    only the escalations it lists, and counts the rest."""
    claimed = digest_recipients_claimed(on=on)
    digests = digests_summarised(on=on, shown=DIGEST_ITEMS_SHOWN, skip=claimed)
    pending = [
        digest
        for digest in sorted(digests.values(), key=lambda digest: digest.person.email)
        if digest.person.pk not in claimed
    ]
    return _claim_and_send(
        pending,
        lambda digest: digest_draft(digest=digest, on=on),
        on=on,
        already=len(digests) - len(pending),
        dry_run=dry_run,
        now=now,
    )


@transaction.atomic
def contracts_reassign(
    *, contracts: Sequence[Contract], manager: User, by: User, reason: str
) -> list[Contract]:
    """Give a departed manager's contracts to a colleague; each change is kept in the contract's
    history, and all are made or none."""
    if not manager.is_active:
        raise AlertError(f"{manager} has left: choose a current colleague.")
    if not contracts:
        raise AlertError("Choose at least one contract to reassign.")
    if not reason.strip():
        raise AlertError("Say why the contracts are being reassigned.")
    return [
        contract_update(
            contract=contract,
            fields={"contract_manager": manager},
            by=by,
            reason=f"Contract manager reassigned: {reason.strip()}",
        )
        for contract in contracts
    ]
