"""Emails on the way to a signed quarter: each step tells whoever acts next (Cotswold §4).

- Submitted (or resubmitted): the Head of Paid Service, and the Chief Finance Officer while the
  figures of this version wait for their signature, are asked to review it.
- Financial figures signed: the Head of Paid Service, who signs the quarter off next.
- Challenged: the central team who prepared the version, with the challenge.
- Signed off, or re-opened: the people who prepared it and signed it.

Nobody is asked to review a report they prepared, and nobody is told of their own step. Each is
claimed in the notification ledger with the step (a step rolled back claims nothing), once for
each step, and sent when it commits.
"""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procurement.models import Notification, User
from procurement.notifications import Draft, notifications_send_when_committed
from procurement.roles import Role
from procurement.selectors import users_with_role

from .models import QuarterlyReport, ReviewComment, SignOff

KIND = Notification.Kind.QUARTERLY_ASSURANCE


def _people(*groups: Iterable[tuple[User | None, str]], leaving_out: User) -> list:
    """Each active person once, with the first reason given for them, never ``leaving_out``."""
    chosen: dict[int, tuple[User, str]] = {}
    for group in groups:
        for person, role in group:
            if person and person.is_active and person.pk != leaving_out.pk:
                chosen.setdefault(person.pk, (person, role))
    return sorted(chosen.values(), key=lambda pair: pair[0].email)


def _holders(role: Role, report: QuarterlyReport, label: str) -> list[tuple[User, str]]:
    prepared = report.prepared_by()
    return [(p, label) for p in users_with_role(role=role) if p.pk not in prepared]


def _preparers(report: QuarterlyReport) -> list[tuple[User, str]]:
    return [
        (report.compiled_by, "Compiled the report"),
        (report.submitted_by, "Submitted the report"),
    ]


def _send(report: QuarterlyReport, *, step: str, title: str, body: str, people) -> None:
    link = reverse("assurance:detail", args=[report.pk])
    text = (
        f"{body}\n\nOpen the report: {settings.SITE_URL}{link}\n\n"
        f"{settings.COUNCIL_NAME}: quarterly performance assurance\n"
    )
    notifications_send_when_committed(
        drafts=[
            Draft(
                kind=KIND,
                subject=report,
                key=f"v{report.version}:{step}"[:60],
                recipient=person,
                recipient_role=role,
                due_on=timezone.localdate(),
                title=f"{title}: {report.short_label}",
                link=link,
                email_subject=f"{title}: {report.label}",
                body_text=text,
            )
            for person, role in people
        ]
    )


def notify_submitted(report: QuarterlyReport, *, by: User) -> None:
    """Ask the reviewers to review the report just submitted."""
    answers = report.comments.filter(
        version=report.version, kind=ReviewComment.Kind.RESPONSE
    ).count()
    reviewers = [_holders(Role.HEAD_OF_PAID_SERVICE, report, "Head of Paid Service")]
    if not report.has_finance_sign_off():
        reviewers.append(_holders(Role.CHIEF_FINANCE_OFFICER, report, "Chief Finance Officer"))
    finance = (
        "The Chief Finance Officer signs its financial figures, then the Head of Paid Service "
        "signs the quarter off or challenges it."
        if not report.has_finance_sign_off()
        else "Its financial figures are signed: the Head of Paid Service signs the quarter off "
        "or challenges it."
    )
    _send(
        report,
        # The first submission of the version, then one for each answer to a challenge.
        step=f"review:{answers}",
        title="Quarterly report for your review",
        body=f"{by} submitted the performance report for {report.label} for review. {finance}",
        people=_people(*reviewers, leaving_out=by),
    )


def notify_finance_signed(report: QuarterlyReport, sign_off: SignOff) -> None:
    """Tell the Head of Paid Service the quarter waits for their sign-off."""
    _send(
        report,
        step=f"finance-signed:{sign_off.pk}",
        title="Quarterly report ready for sign-off",
        body=(
            f"{sign_off.signed_by} signed the financial figures of {report.label}. The quarter "
            "now waits for the Head of Paid Service's statement of assurance.\n\n"
            f"Their advice: {sign_off.statement}"
        ),
        people=_people(
            _holders(Role.HEAD_OF_PAID_SERVICE, report, "Head of Paid Service"),
            leaving_out=sign_off.signed_by,
        ),
    )


def notify_challenged(report: QuarterlyReport, comment: ReviewComment) -> None:
    """Tell the central team who prepared the version what was asked."""
    _send(
        report,
        step=f"challenge:{comment.pk}",
        title="Quarterly report challenged",
        body=(
            f"{comment.written_by} challenged the performance report for {report.label}. "
            f"Answer the challenge and submit it again.\n\nThe challenge: {comment.text}"
        ),
        people=_people(_preparers(report), leaving_out=comment.written_by),
    )


def _signers(report: QuarterlyReport, version: int) -> list[tuple[User, str]]:
    return [
        (s.signed_by, s.get_kind_display())
        for s in report.sign_offs.select_related("signed_by")
        if s.version == version
    ]


def notify_signed(report: QuarterlyReport, sign_off: SignOff) -> None:
    """Tell the people who prepared and signed the quarter that it is signed off."""
    _send(
        report,
        step="signed",
        title="Quarter signed off",
        body=(
            f"{sign_off.signed_by} signed off {report.label}: "
            f"{sign_off.get_assurance_display().lower()}.\n\n"
            f"Statement of assurance: {sign_off.statement}"
        ),
        people=_people(
            _preparers(report), _signers(report, report.version), leaving_out=sign_off.signed_by
        ),
    )


def notify_reopened(report: QuarterlyReport, comment: ReviewComment) -> None:
    """Tell the people who prepared and signed the earlier version that it is re-opened and
    their signatures are superseded."""
    _send(
        report,
        step="reopened",
        title="Signed quarter re-opened",
        body=(
            f"{comment.written_by} re-opened {report.label} for a correction. Its signatures "
            "are kept, marked superseded; the corrected version is compiled, submitted and "
            f"signed again.\n\nWhy: {comment.text}"
        ),
        people=_people(
            [(report.compiled_by, "Compiled the report")],
            _signers(report, report.version - 1),
            leaving_out=comment.written_by,
        ),
    )
