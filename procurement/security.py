"""Security on every request: a Content Security Policy on every response (scripts, styles,
fonts and images only from the service itself, no inline script, no framing, no plugins; a
response that sets its own, a download, keeps it), and signing out after inactivity."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = settings.CONTENT_SECURITY_POLICY
        return response


class IdleSessionMiddleware:
    """Signs a person out after ``SESSION_IDLE_SECONDS`` without a request (a sign-in also ends
    after ``SESSION_COOKIE_AGE`` and when the browser closes). The time of the last request is
    kept in the session, rewritten at most once a minute."""

    KEY = "last_seen"
    REWRITE_AFTER = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "You were signed out after a time with no activity.")
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= self.REWRITE_AFTER:
                request.session[self.KEY] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _seen_at_sign_in(sender, request, user, **kwargs):
    # Signing in is activity: the first page after it need not rewrite the session.
    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionMiddleware.KEY] = int(time.time())
