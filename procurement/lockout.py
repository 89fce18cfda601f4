"""Sign-in throttling: after repeated failures an email address (or an address on the network)
is refused for a while, even with the right password; every attempt is recorded for audit.

NCSC advice is to throttle rather than lock accounts for good: the lockout lifts by itself, and a
password reset is always open. The message never says whether an account exists.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from .models import SignInAttempt, User

WINDOW = timedelta(minutes=15)


def client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def locked_until(*, email: str, ip_address: str | None, now: datetime | None = None):
    """When sign-in for ``email`` (or from ``ip_address``) opens again, if it is locked now."""
    now = now or timezone.now()
    since = now - WINDOW
    recent = SignInAttempt.objects.filter(at__gte=since, succeeded=False, locked_out=False)
    for attempts, limit in (
        (recent.filter(email=email.lower()), settings.SIGN_IN_FAILURES_PER_EMAIL),
        (
            recent.filter(ip_address=ip_address) if ip_address else None,
            settings.SIGN_IN_FAILURES_PER_ADDRESS,
        ),
    ):
        if attempts is None or limit <= 0:
            continue
        failures = list(attempts.order_by("-at").values_list("at", flat=True)[:limit])
        if len(failures) >= limit:
            return failures[0] + WINDOW
    return None


class LockoutBackend(ModelBackend):
    """Django's own backend for signing in, refusing any sign-in while its email or address is
    locked, whichever page it comes from (the service's or the admin's)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return super().authenticate(request, username, password, **kwargs)
        until = locked_until(email=str(username), ip_address=client_address(request))
        if until is not None:
            SignInAttempt.objects.create(
                email=str(username).lower()[:254],
                ip_address=client_address(request),
                succeeded=False,
                locked_out=True,
            )
            if request is not None:
                request.sign_in_locked_until = until
            raise PermissionDenied
        return super().authenticate(request, username, password, **kwargs)

    def get_user(self, user_id):
        # Every page shows the person's directorate beside their name: read it with them.
        try:
            user = User._default_manager.select_related("directorate").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    # Permissions come from the rules alone (each app's rules.py), and no permission is ever
    # stored on a user or group: this backend signs people in and grants nothing, so checking a
    # permission asks nothing of Django's permission tables.
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    if getattr(request, "sign_in_locked_until", None) is not None:
        return  # recorded by the backend as refused for the lockout
    SignInAttempt.objects.create(
        email=str(credentials.get("username", "")).lower()[:254],
        ip_address=client_address(request),
        succeeded=False,
    )


@receiver(user_logged_in)
def _record_success(sender, request, user, **kwargs):
    SignInAttempt.objects.create(
        email=user.email.lower(), ip_address=client_address(request), succeeded=True
    )
