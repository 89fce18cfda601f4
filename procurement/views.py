"""Pages of the shared core: home, reference data, API tokens, accessibility, health and errors."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import attention, background
from .access import public, requires
from .cpv_importing import KIND as CPV_KIND
from .exportjobs import export_job_of
from .forms import ApiTokenForm, CpvImportForm, PlanThemeForm, show_error
from .history import changes_of
from .models import ApiToken, ExportJob, PlanTheme, User
from .pages import form_page, paged
from .query import query_value, search_text
from .selectors import (
    actions_by,
    approval_policy_in_force,
    categories_active,
    cpv_codes_matching,
    directorates_active,
    people_for_audit,
    plan_themes_all,
)
from .services import ProcurementError, plan_theme_create, plan_theme_update
from .tokens import api_token_create, api_token_revoke
from .uploads import import_problems_csv, import_progress, import_run_page, import_upload_page

logger = logging.getLogger(__name__)


# The session key that carries a token just made, and its key, to the page that shows it once.
NEW_TOKEN = "api_token_made"  # noqa: S105 (a session key, not a secret)
NEW_TOKEN_SHOWN_FOR = 60  # seconds


@requires("procurement.use_service")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "procurement/home.html", {"attention_items": attention.items_for(request.user)}
    )


PEOPLE_PAGE = 50


@requires("procurement.view_audit_trail")
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """Everyone with an account, for auditors and administrators to open their audit trail."""
    page, query = paged(request, people_for_audit(), size=PEOPLE_PAGE)
    return render(request, "procurement/people.html", {"page": page, "query": query})


@requires("procurement.view_audit_trail")
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's audit trail: their account's history (roles, directorate, leaving) and the
    latest changes they made anywhere in the service, with why. Nothing here can be changed."""
    user = get_object_or_404(people_for_audit(), pk=pk)
    history = list(user.history.select_related("history_user").order_by("-history_date", "-pk"))
    actions = [
        {
            "record": record,
            "what": record.instance_type._meta.verbose_name,
            "id": getattr(record, record.instance_type._meta.pk.attname),
        }
        for record in actions_by(user)
    ]
    return render(
        request,
        "procurement/person.html",
        {"person": user, "entries": changes_of(history, User), "actions": actions},
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


@requires("procurement.view_reference_data")
@require_GET
def plan_themes(request: HttpRequest) -> HttpResponse:
    """The themes of the council's plan that strategies address, and those retired."""
    return render(
        request,
        "procurement/plan_themes.html",
        {
            "themes": plan_themes_all(),
            "may_manage": request.user.has_perm("procurement.manage_plan_themes"),
        },
    )


@requires("procurement.view_reference_data")
@require_GET
def plan_theme(request: HttpRequest, pk: int) -> HttpResponse:
    """A theme and its history: who added, changed or retired it, when and why."""
    theme = get_object_or_404(PlanTheme, pk=pk)
    history = list(theme.history.select_related("history_user").order_by("-history_date", "-pk"))
    return render(
        request,
        "procurement/plan_theme.html",
        {
            "theme": theme,
            "entries": changes_of(history, PlanTheme),
            "may_manage": request.user.has_perm("procurement.manage_plan_themes"),
        },
    )


@requires("procurement.manage_plan_themes")
@require_http_methods(["GET", "POST"])
def plan_theme_create_view(request: HttpRequest) -> HttpResponse:
    form = PlanThemeForm(request.POST if request.method == "POST" else None, adding=True)
    return form_page(
        request,
        form,
        action=lambda data: plan_theme_create(
            name=data["name"],
            description=data["description"],
            order=data["order"],
            by=request.user,
            reason=data["change_reason"],
        ),
        refusals=(ProcurementError,),
        done=lambda theme: f"'{theme}' has been added to the Council Plan themes",
        next_url=reverse("procurement:plan_themes"),
        template="procurement/plan_theme_form.html",
        context={"heading": "Add a Council Plan theme", "button": "Add the theme"},
    )


@requires("procurement.manage_plan_themes")
@require_http_methods(["GET", "POST"])
def plan_theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(PlanTheme, pk=pk)
    form = PlanThemeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": theme.name,
            "description": theme.description,
            "order": theme.order,
            "is_active": theme.is_active,
        },
    )
    return form_page(
        request,
        form,
        action=lambda data: plan_theme_update(
            theme=theme,
            name=data["name"],
            description=data["description"],
            order=data["order"],
            is_active=data["is_active"],
            by=request.user,
            reason=data["change_reason"],
        ),
        refusals=(ProcurementError,),
        done="The theme has been saved",
        next_url=reverse("procurement:plan_theme", args=[theme.pk]),
        template="procurement/plan_theme_form.html",
        context={"heading": f"Change the theme: {theme}", "button": "Save the theme"},
    )


CPV_PAGE = 50


@requires("procurement.view_reference_data")
@require_GET
def cpv_codes(request: HttpRequest) -> HttpResponse:
    """Find a CPV code: the CPV 2008 list searched by words of a description or digits of a
    code, a page at a time."""
    search = query_value(request, "q", search_text(), default="")
    page, query = paged(request, cpv_codes_matching(text=search), size=CPV_PAGE)
    return render(
        request,
        "procurement/cpv_codes.html",
        {
            "page": page,
            "query": query,
            "search": search,
            "can_load": request.user.has_perm("procurement.load_cpv_codes"),
        },
    )


@requires("procurement.load_cpv_codes")
@require_http_methods(["GET", "POST"])
def cpv_import_upload(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request,
        kind=CPV_KIND,
        form=CpvImportForm(
            request.POST if request.method == "POST" else None, request.FILES or None
        ),
        template="procurement/cpv_import_upload.html",
        run_url="procurement:cpv_import_preview",
    )


@requires("procurement.load_cpv_codes")
@require_http_methods(["GET", "POST"])
def cpv_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_run_page(
        request,
        kind=CPV_KIND,
        token=token,
        upload_url=reverse("procurement:cpv_import"),
        done_url=reverse("procurement:cpv_codes"),
        progress_url=reverse("procurement:cpv_import_progress", args=[token]),
        problems_url=reverse("procurement:cpv_import_problems", args=[token]),
    )


@requires("procurement.load_cpv_codes")
@require_GET
def cpv_import_progress(request: HttpRequest, token: str) -> HttpResponse:
    return import_progress(request, kind=CPV_KIND, token=token)


@requires("procurement.load_cpv_codes")
@require_GET
def cpv_import_problems(request: HttpRequest, token: str) -> HttpResponse:
    return import_problems_csv(request, kind=CPV_KIND, token=token)


@requires("procurement.use_api")
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's API tokens: make one (its key is shown this once) or revoke one.

    A token made is shown on the page the POST redirects to, carried there in the session and
    taken out of it as it is shown, so a refresh neither makes another nor shows the key again.
    """
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
            )
        except ProcurementError as error:
            show_error(form, error)
        else:
            request.session[NEW_TOKEN] = {"id": token.pk, "key": key, "at": time.time()}
            return redirect("accounts:api_tokens")
    tokens = request.user.api_tokens.all()
    shown = request.session.pop(NEW_TOKEN, None)
    made = None
    # Shown on the page the POST redirects to, straight after: a key left in the session (a
    # redirect not followed) is dropped unseen at the next visit, and with the session.
    if shown and time.time() - shown.get("at", 0) < NEW_TOKEN_SHOWN_FOR:
        token = next((token for token in tokens if token.pk == shown["id"]), None)
        made = {"token": token, "key": shown["key"]} if token else None
    response = render(
        request,
        "procurement/api_tokens.html",
        {"form": form, "made": made, "tokens": tokens, "today": timezone.localdate()},
    )
    if made:
        response["Cache-Control"] = "no-store"  # the key is on this page only
    return response


@requires("procurement.use_api")
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    if token.user_id != request.user.pk:
        raise PermissionDenied("This token is someone else's.")
    try:
        api_token_revoke(token=token, by=request.user)
    except ProcurementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:api_tokens")


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


def _check_worker() -> dict:
    worker = background.worker_state()
    return {
        "ok": worker.is_working,
        "state": worker.state,
        "seconds_since_heartbeat": worker.seconds_since,
    }


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and, where configured, Redis
    answer, else 503. The worker is reported but never makes it 503: web processes that work
    must not be taken out of service because the worker is down (docs/decisions/0033)."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(check["ok"] for check in checks.values())
    checks["worker"] = _check_worker()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


ERRORS = {
    403: (
        "You do not have access to this page",
        "Your role does not allow you to see this page. If you think it should, ask your "
        "administrator to check your roles.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted the web address, "
        "check you copied the entire address.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. If the problem continues, contact the council's procurement team.",
    ),
}


def _error_context(status: int) -> dict:
    heading, message = ERRORS[status]
    return {"heading": heading, "message": message}


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "error_page.html", _error_context(403), status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "error_page.html", _error_context(404), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # The 500 page must render even when the database is down: no user, no context processors.
    context = {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        **_error_context(500),
    }
    return HttpResponse(loader.get_template("error_page.html").render(context), status=500)


@requires("procurement.use_service")
@require_GET
@never_cache
def export_job(request: HttpRequest, token: str) -> HttpResponse:
    """An export being prepared, then its download link: for the person who asked alone."""
    job = export_job_of(request.user, token)
    preparing = job.state == ExportJob.State.PREPARING
    return render(
        request,
        "procurement/export_job.html",
        {
            "page_title": "Your export is being prepared" if preparing else "Your export",
            "job": job,
            "preparing": preparing,
        },
    )


@requires("procurement.use_service")
@require_GET
@never_cache
def export_progress(request: HttpRequest, token: str) -> HttpResponse:
    """Whether the export is still being prepared, for the page's script."""
    job = export_job_of(request.user, token)
    finished = job.state != ExportJob.State.PREPARING
    label = "The file is being written. This page will offer it as soon as it is ready."
    return JsonResponse({"finished": finished, "label": label})


@requires("procurement.use_service")
@require_GET
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    job = export_job_of(request.user, token)
    if job.state != ExportJob.State.READY or not job.path:
        raise Http404
    return FileResponse(
        default_storage.open(job.path, "rb"), as_attachment=True, filename=job.filename
    )
