"""Password reset links: asked for on the page, sent by a task.

The page does the same work for every address, whether or not it belongs to an account, and
answers the same: it counts the request and hands the address to a task; only the task looks it
up and sends the link. So neither the answer nor the time it takes says which addresses have an
account. Links are limited to ``PASSWORD_RESETS_PER_EMAIL`` an hour to one address (counted alike
for addresses with no account) and to one account, and optionally to
``PASSWORD_RESETS_PER_ADDRESS`` an hour asked for from one network address; a request over a
limit is answered as any other and sends nothing (docs/decisions/0026).

Without Redis the task runs in the request (CELERY_TASK_ALWAYS_EAGER), so there the sending's
time is in the answer again: production runs with Redis and a worker.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db import transaction

from . import background, throttles

HOUR = 60 * 60
SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
EMAIL_TEMPLATE = "registration/password_reset_email.txt"


def same_address(email: str) -> str:
    """``email`` as Django compares it when it looks the account up (NFKC, case-folded), so that
    every spelling reaching one account is counted as one address."""
    return unicodedata.normalize("NFKC", email).casefold()


def _within(*, scope: str, ident: str, limit: int) -> bool:
    if limit <= 0:
        return True
    counted = throttles.count(scope=scope, ident=ident, period=HOUR)
    return counted.number <= limit


def password_reset_request(
    *, email: str, network_address: str | None, protocol: str, domain: str
) -> bool:
    """Count a request for a reset link to ``email`` and, within the limits, have a task send
    it once the request commits: whether it was queued (``BackgroundUnavailable`` if it cannot
    be). Never looks ``email`` up."""
    by_email = _within(
        scope="password-reset-email",
        ident=same_address(email),
        limit=settings.PASSWORD_RESETS_PER_EMAIL,
    )
    by_network = _within(
        scope="password-reset-network",
        ident=network_address or "unknown",
        limit=settings.PASSWORD_RESETS_PER_ADDRESS,
    )
    if not (by_email and by_network):
        return False
    from .tasks import password_reset_send_task

    transaction.on_commit(
        lambda: background.enqueue(
            password_reset_send_task, email=email, protocol=protocol, domain=domain
        )
    )
    return True


def password_reset_send(*, email: str, protocol: str, domain: str) -> int:
    """Send a reset link to each active account of ``email`` that may have one (Django's rules:
    a usable password, the same address) and has not had its hour's links: how many were sent."""
    sender = _Sender({"email": email})
    if not sender.is_valid():
        return 0
    sender.save(
        domain_override=domain,
        use_https=protocol == "https",
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
    )
    return sender.sent


class _Sender(auth_forms.PasswordResetForm):
    """Django's own sending of reset links, with each account's hourly limit."""

    sent = 0

    def get_users(self, email):
        for user in super().get_users(email):
            if _within(
                scope="password-reset-account",
                ident=str(user.pk),
                limit=settings.PASSWORD_RESETS_PER_EMAIL,
            ):
                self.sent += 1
                yield user
