"""Deny by default: every view declares who may use it, or nobody may.

A view is marked with :func:`public` (sign-in, health check, accessibility statement) or
with :func:`requires` and a permission name; class-based views set ``access_rule``. The
middleware refuses any view with no rule, sends anonymous users to sign in, and answers 403 to
users without the permission. Object-level checks (``user.has_perm(perm, obj)``) stay in the
view or service.
"""

import logging
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PUBLIC = "public"
# API views authenticate (session or personal token) and check permissions themselves, through
# Django REST Framework (procurement/api.py), where a token's user is known.
API = "api"
ACCESS_ATTRIBUTE = "access_rule"


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def requires(permission: str) -> Callable[[Callable], Callable]:
    """Mark a view as open to signed-in users who hold ``permission``."""

    def decorator(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, permission)
        return view

    return decorator


def access_rule_of(view: Callable) -> str | None:
    rule = getattr(view, ACCESS_ATTRIBUTE, None)
    for holder in ("view_class", "cls"):
        if rule is None:
            rule = getattr(getattr(view, holder, None), ACCESS_ATTRIBUTE, None)
    return rule


class AccessControlMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        rule = access_rule_of(view_func)
        if rule is None:
            logger.error("Refused %s: the view declares no access rule.", request.path)
            raise PermissionDenied("This page declares no access rule.")
        if rule in (PUBLIC, API):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(rule):
            raise PermissionDenied
        return None
