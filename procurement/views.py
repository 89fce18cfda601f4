"""Pages of the shared core: home, reference data, accessibility, health and errors."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import attention
from .access import public, requires
from .selectors import approval_policy_in_force, categories_active, directorates_active

logger = logging.getLogger(__name__)


@requires("procurement.use_service")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "procurement/home.html", {"attention_items": attention.items_for(request.user)}
    )


@requires("procurement.view_reference_data")
@require_GET
def reference_data(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "procurement/reference_data.html",
        {
            "categories": categories_active(),
            "directorates": directorates_active(),
            "policy": approval_policy_in_force(on=today),
            "today": today,
        },
    )


@public
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/accessibility.html")


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("Health check: database unavailable: %s", error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as error:
        logger.warning("Health check: Redis unavailable: %s", error)
        return {"ok": False, "configured": True, "error": type(error).__name__}
    return {"ok": True, "configured": True}


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when every configured dependency answers, else 503."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # The 500 page must render even when the database is down: no user, no context processors.
    context = {"council_name": settings.COUNCIL_NAME, "service_name": settings.SERVICE_NAME}
    return HttpResponse(loader.get_template(template).render(context), status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, "500.html", 500)
